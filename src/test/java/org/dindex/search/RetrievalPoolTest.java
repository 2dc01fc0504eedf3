package org.dindex.search;

import org.dindex.bus.DindexException;
import org.dindex.bus.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetrievalPoolTest {
    @Test
    void continuationsRunOnTheRetrievalThreadAndFailuresPropagate() throws Exception {
        RetrievalPool pool = new RetrievalPool(2);
        try {
            CompletableFuture<String> where = new CompletableFuture<>();
            pool.submit(() -> 42).onSuccess(v -> where.complete(Thread.currentThread().getName() + "=" + v));
            String seen = where.get(10, TimeUnit.SECONDS);
            assertTrue(seen.startsWith("dindex-search-") && seen.endsWith("=42"), seen);

            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            pool.submit(() -> {
                throw new IllegalStateException("boom");
            }).onFailure(failure::complete);
            assertEquals("boom", failure.get(10, TimeUnit.SECONDS).getMessage());
        } finally {
            pool.close();
        }
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        pool.submit(() -> 1).onFailure(refused::complete);
        Throwable t = refused.get(10, TimeUnit.SECONDS);
        assertTrue(t instanceof DindexException d && d.code() == ErrorCode.UNAVAILABLE, String.valueOf(t));
    }
}
