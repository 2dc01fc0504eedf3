package org.dindex.index;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.dindex.bus.DindexException;
import org.dindex.bus.ErrorCode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's one {@link ChunkIndex} and the single writer that owns it. Every write, commit and writer-side lookup
 * runs, in order, on the {@code dindex-index-writer} worker (one thread), so the index needs no locks; results come
 * back as Futures. Searches do not go through here: they {@link #acquire() acquire} a snapshot.
 *
 * <p><b>Failures.</b> A write that cannot reach the WAL (a full disk) fails cleanly: nothing was applied. A failed
 * commit may leave Lucene's writer unusable, so the index is then reopened from its last commit plus the WAL (the
 * same recovery as after a crash) before the next write; until that succeeds, writes are refused with the cause and
 * readers keep the last committed snapshot. So writes work again as soon as space returns.
 */
public final class IndexService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IndexService.class.getName());

    private final Path dir;
    private final WorkerExecutor writer;
    private volatile ChunkIndex index;
    private volatile String failure;

    public IndexService(Vertx vertx, ChunkIndex index, Path dir) {
        this.index = index;
        this.dir = dir;
        // One thread: writes are serial by design. Commits and graph cleanup may take a while, hence the long limit.
        this.writer = vertx.createSharedWorkerExecutor("dindex-index-writer", 1, 10, TimeUnit.MINUTES);
    }

    public ChunkIndex index() {
        return index;
    }

    public Future<Long> write(List<WriteOp> ops) {
        return onWriter(() -> {
            ensureHealthy();
            try {
                return index.write(ops);
            } catch (ChunkIndex.WalWriteException e) {
                throw writeFailure(e, "nothing was written and the index is unchanged");
            } catch (IOException | RuntimeException e) {
                // Logged but half-applied: reopen (replaying the WAL) before the next write.
                failure = describe(e);
                LOG.log(Level.SEVERE, "applying a logged write failed; the index will be reopened", e);
                throw writeFailure(e, "the write is in the write-ahead log and will be applied when the index is"
                        + " reopened");
            }
        });
    }

    public Future<ChunkIndex.CommitInfo> commit() {
        return onWriter(() -> {
            ensureHealthy();
            try {
                return index.commit();
            } catch (IOException | RuntimeException e) {
                failure = describe(e);
                LOG.log(Level.SEVERE, "commit failed; the index will be reopened from its last commit and the"
                        + " write-ahead log", e);
                throw writeFailure(e, "acknowledged writes are safe in the write-ahead log and will become"
                        + " searchable once the commit succeeds");
            }
        });
    }

    public Future<Optional<ChunkIndex.DocState>> lookup(String docId) {
        return onWriter(() -> index.lookup(docId));
    }

    /** Runs {@code task} on the writer thread, after every write submitted before it. */
    public <T> Future<T> onWriter(Callable<T> task) {
        return writer.executeBlocking(() -> {
            org.dindex.platform.BackgroundPriority.lower();
            return task.call();
        }, true);
    }

    public IndexSnapshot acquire() {
        return index.acquire();
    }

    /** After a failed commit: reopen (recover) before writing again. Writer thread. */
    private void ensureHealthy() {
        if (failure == null) {
            return;
        }
        ChunkIndex old = index;
        try {
            try {
                old.close();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "closing the failed index", e);
            }
            index = ChunkIndex.open(dir, old.model(), old.dimensions());
            failure = null;
            LOG.info("index reopened after a failed commit; " + index.recoveredOps() + " operations recovered");
        } catch (IOException | RuntimeException e) {
            throw new DindexException(ErrorCode.UNAVAILABLE, "the index cannot take writes until it can be"
                    + " reopened: " + describe(e) + "; reads still see the last commit");
        }
    }

    private static DindexException writeFailure(Exception e, String consequence) {
        return new DindexException(ErrorCode.UNAVAILABLE, "cannot write to the index: " + describe(e) + "; "
                + consequence);
    }

    static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("No space left on device")) {
                return "no space left on device (the disk holding the data dir is full)";
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public void close() throws IOException {
        writer.close();
        index.close();
    }
}
