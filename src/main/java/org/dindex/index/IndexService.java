package org.dindex.index;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's one {@link ChunkIndex} and the single writer that owns it. Every write, commit and writer-side lookup
 * runs, in order, on the {@code dindex-index-writer} worker (one thread), so the index needs no locks; results come
 * back as Futures. Searches do not go through here: they {@link #acquire() acquire} a snapshot and run on their own
 * pool.
 */
public final class IndexService implements AutoCloseable {
    private final ChunkIndex index;
    private final WorkerExecutor writer;

    public IndexService(Vertx vertx, ChunkIndex index) {
        this.index = index;
        // One thread: writes are serial by design. Commits and graph cleanup may take a while, hence the long limit.
        this.writer = vertx.createSharedWorkerExecutor("dindex-index-writer", 1, 10, TimeUnit.MINUTES);
    }

    public ChunkIndex index() {
        return index;
    }

    public Future<Long> write(List<WriteOp> ops) {
        return onWriter(() -> index.write(ops));
    }

    public Future<ChunkIndex.CommitInfo> commit() {
        return onWriter(index::commit);
    }

    public Future<Optional<ChunkIndex.DocState>> lookup(String docId) {
        return onWriter(() -> index.lookup(docId));
    }

    /** Runs {@code task} on the writer thread, after every write submitted before it. */
    public <T> Future<T> onWriter(Callable<T> task) {
        return writer.executeBlocking(task, true);
    }

    public IndexSnapshot acquire() {
        return index.acquire();
    }

    @Override
    public void close() throws IOException {
        writer.close();
        index.close();
    }
}
