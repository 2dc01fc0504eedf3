package org.dindex.search;

import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
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
            java.util.concurrent.CountDownLatch registered = new java.util.concurrent.CountDownLatch(1);
            // The task finishes only after the continuation is registered, as a search almost always does (it takes
            // milliseconds). A continuation registered on a future already completed runs on the registering
            // thread instead: still correct, only without the saved hand-off.
            pool.submit(() -> {
                registered.await();
                return 42;
            }).onSuccess(v -> where.complete(Thread.currentThread().getName() + "=" + v));
            registered.countDown();
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
