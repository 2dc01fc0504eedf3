package org.dindex.search;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The threads retrieval runs on ({@code dindex-search-N}, one per core), and those the dense half of a hybrid search
 * runs on beside its BM25 half ({@code dindex-search-dense-N}).
 *
 * <p><b>Why not a Vert.x worker executor.</b> A future from {@code executeBlocking} completes on the caller's event
 * loop, so a search went bridge loop, search verticle loop, worker, back to the verticle loop, and only then to the
 * bridge's loop with its reply. A future completed here runs its continuation (metrics, then the bus reply) on the
 * retrieval thread itself, and the event bus hands the reply straight to the bridge's loop: one thread hand-off
 * fewer per search, each a park and unpark of a thread (docs/benchmarks.md, {@code bench search}). Continuations
 * must therefore be thread-safe and short, as the search verticle's are.
 */
public final class RetrievalPool implements AutoCloseable {
    private final ExecutorService threads;

    private final ExecutorService branches;

    public RetrievalPool(int size) {
        threads = Executors.newFixedThreadPool(size, Thread.ofPlatform().name("dindex-search-", 0).daemon()
                .factory());
        branches = Executors.newFixedThreadPool(size, Thread.ofPlatform().name("dindex-search-dense-", 0).daemon()
                .factory());
    }

    /**
     * Threads for the dense half of hybrid searches ({@link SearchService#denseBranchOn}). Separate from the search
     * threads so that a search waiting for its branch can never hold the thread the branch needs.
     */
    public Executor branches() {
        return branches;
    }

    /** Runs {@code task} on a retrieval thread; the future completes there. */
    <T> Future<T> submit(Callable<T> task) {
        Promise<T> promise = Promise.promise();
        try {
            threads.execute(() -> {
                try {
                    promise.complete(task.call());
                } catch (Throwable e) {
                    promise.fail(e);
                }
            });
        } catch (RejectedExecutionException e) {
            promise.fail(new DindexException(ErrorCode.UNAVAILABLE, "the daemon is stopping"));
        }
        return promise.future();
    }

    /** Lets running searches finish (up to 30 s), takes no new ones. */
    @Override
    public void close() {
        threads.shutdown();
        branches.shutdown();
        try {
            threads.awaitTermination(30, TimeUnit.SECONDS);
            branches.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
