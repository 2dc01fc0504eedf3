package org.dindex.index;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.dindex.platform.BackgroundPriority;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's one {@link ChunkIndex} and the single writer that owns it. Every write, commit and writer-side lookup
 * runs, in order, on the {@code dindex-index-writer} worker (one thread), so the index needs no locks; results come
 * back as Futures. Searches do not go through here: they {@link #acquire() acquire} a snapshot.
 *
 * <p><b>Failures.</b> A write that cannot reach the WAL (a full disk) fails cleanly: nothing was applied. A failed
 * commit may leave Lucene's writer unusable, so the index is then reopened from its last commit plus the WAL (the
 * same recovery as after a crash) before the next write. The failed index lets go of its writer but keeps its last
 * snapshot and vectors, so searches, stats and checks answer from the last commit throughout; the fresh index
 * replaces it only once it is open. Reopening is tried at most every {@link #REOPEN_INTERVAL_NANOS} (a full disk
 * stays full for a while): in between, writes and commits are refused at once with the cause, and the log repeats
 * the failure once a minute, not at every attempt. So writes work again soon after space returns.
 */
public final class IndexService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IndexService.class.getName());

    static final long REOPEN_INTERVAL_NANOS = 5_000_000_000L;
    private static final long LOG_REPEAT_NANOS = 60_000_000_000L;

    private final Path dir;
    private final WorkerExecutor writer;
    private volatile ChunkIndex index;
    private volatile String failure;
    /** Writer thread only: when reopening may be tried next, and the failure-log throttle. */
    private long nextReopenNanos;
    private long lastFailureLogNanos;
    private int failuresSinceLog;

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
        return write(() -> ops);
    }

    /**
     * Writes the ops {@code decide} returns on the writer thread, after every write submitted before: a copy being
     * filled from another member leaves out there the documents that a newer forwarded write replaced meanwhile.
     * Nothing is logged when it returns none.
     */
    public Future<Long> write(Supplier<List<WriteOp>> decide) {
        return onWriter(() -> {
            ensureHealthy();
            List<WriteOp> ops = decide.get();
            if (ops.isEmpty()) {
                return 0L;
            }
            try {
                return index.write(ops);
            } catch (ChunkIndex.WalWriteException e) {
                throw writeFailure(e, "nothing was written and the index is unchanged");
            } catch (IOException | RuntimeException e) {
                // Logged but half-applied: reopen (replaying the WAL) before the next write.
                failed(e, "applying a logged write failed; the index will be reopened");
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
                failed(e, "commit failed; the index will be reopened from its last commit and the write-ahead log");
                throw writeFailure(e, "acknowledged writes are safe in the write-ahead log and will become"
                        + " searchable once the commit succeeds");
            }
        });
    }

    /**
     * Commits every write submitted before, then holds that commit's files on disk for a copy (see
     * {@link ChunkIndex#holdCommit}); {@link #releaseCommit} lets go of it.
     */
    public Future<ChunkIndex.HeldCommit> holdCommit() {
        return onWriter(() -> {
            ensureHealthy();
            try {
                return index.holdCommit();
            } catch (IOException | RuntimeException e) {
                failed(e, "commit failed; the index will be reopened from its last commit and the write-ahead log");
                throw writeFailure(e, "acknowledged writes are safe in the write-ahead log");
            }
        });
    }

    /** Lets go of a held commit (on the index that held it, even if the index was reopened since). */
    public Future<Void> releaseCommit(ChunkIndex.HeldCommit held) {
        return onWriter(() -> {
            held.index().releaseCommit(held);
            return null;
        });
    }

    public Future<Optional<ChunkIndex.DocState>> lookup(String docId) {
        return onWriter(() -> index.lookup(docId));
    }

    /** Runs {@code task} on the writer thread, after every write submitted before it. */
    public <T> Future<T> onWriter(Callable<T> task) {
        return writer.executeBlocking(() -> {
            BackgroundPriority.lower();
            return task.call();
        }, true);
    }

    public IndexSnapshot acquire() {
        return index.acquire();
    }

    /** Records a failure of the writer (writer thread) and logs it, at most once a minute while it repeats. */
    private void failed(Throwable e, String what) {
        failure = describe(e);
        nextReopenNanos = System.nanoTime();  // the first reopen is tried at the next write
        logFailure(Level.SEVERE, what, e);
    }

    private void logFailure(Level level, String what, Throwable e) {
        long now = System.nanoTime();
        failuresSinceLog++;
        if (lastFailureLogNanos != 0 && now - lastFailureLogNanos < LOG_REPEAT_NANOS) {
            LOG.log(Level.FINE, what, e);
            return;
        }
        String repeats = failuresSinceLog > 1 ? " (" + failuresSinceLog + " failures in the last minute)" : "";
        LOG.log(level, what + repeats, lastFailureLogNanos == 0 ? e : null);
        if (lastFailureLogNanos != 0) {
            LOG.log(Level.FINE, what, e);
        }
        lastFailureLogNanos = now;
        failuresSinceLog = 0;
    }

    /**
     * After a failure: reopen (recover) before writing again, at most every {@link #REOPEN_INTERVAL_NANOS}. The
     * failed index keeps serving reads until the fresh one replaces it. Writer thread.
     */
    private void ensureHealthy() {
        if (failure == null) {
            return;
        }
        String cause = failure;
        if (System.nanoTime() < nextReopenNanos) {
            throw new DindexException(ErrorCode.UNAVAILABLE, "the index cannot take writes: " + cause
                    + "; reads still see the last commit");
        }
        nextReopenNanos = System.nanoTime() + REOPEN_INTERVAL_NANOS;
        ChunkIndex old = index;
        old.releaseWriter();
        ChunkIndex fresh;
        try {
            fresh = ChunkIndex.open(dir, old.model(), old.dimensions());
        } catch (IOException | RuntimeException e) {
            logFailure(Level.WARNING, "the index still cannot be reopened: " + describe(e), e);
            throw new DindexException(ErrorCode.UNAVAILABLE, "the index cannot take writes until it can be"
                    + " reopened: " + describe(e) + "; reads still see the last commit");
        }
        index = fresh;
        failure = null;
        lastFailureLogNanos = 0;
        failuresSinceLog = 0;
        LOG.info("index reopened after a failed write or commit; " + fresh.recoveredOps()
                + " operations recovered");
        try {
            old.close();  // searches still holding its snapshot finish on it
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "closing the failed index", e);
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

    /**
     * Closes the index after every write submitted before (on the writer thread, so none is cut off), then lets go
     * of the writer. Searches that hold a snapshot of it finish on that snapshot.
     */
    public Future<Void> closeAfterWrites() {
        return this.<Void>onWriter(() -> {
            index.close();
            return null;
        }).eventually(writer::close);
    }

    @Override
    public void close() throws IOException {
        writer.close();
        index.close();
    }
}
