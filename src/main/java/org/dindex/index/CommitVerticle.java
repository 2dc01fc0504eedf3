package org.dindex.index;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.bus.BusHandlers;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Commit control: commits every {@code everyChunks} written chunks or every {@code interval}, on request
 * ({@code dindex.commit}, which replies once the writes are visible to searches), and a last time when the daemon
 * stops. Commits run on the index writer, after every write submitted before them.
 */
public final class CommitVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(CommitVerticle.class.getName());

    private final BusHandlers handlers;
    private final IndexService index;
    private final long everyChunks;
    private final long intervalMillis;
    private final AtomicLong writtenSinceCommit = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private long timer = -1;
    private Future<ChunkIndex.CommitInfo> inFlight;

    private io.micrometer.core.instrument.Timer commitTimer;

    /** Records commit latency in {@code dindex.commit} (optional: tests and tools may run without meters). */
    public CommitVerticle meter(org.dindex.metrics.Metrics metrics) {
        this.commitTimer = metrics.timer("dindex.commit", "Commits (Lucene commit, vector view, snapshot swap)");
        return this;
    }

    public CommitVerticle(BusHandlers handlers, IndexService index, long everyChunks, long intervalMillis) {
        this.handlers = handlers;
        this.index = index;
        this.everyChunks = everyChunks;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public Future<?> start() {
        handlers.serve(Addresses.COMMIT, body -> commit().map(this::describe));
        timer = vertx.setPeriodic(intervalMillis, t -> {
            if (index.index().pendingOps() > 0) {
                commit();
            }
        });
        return Future.succeededFuture();
    }

    /** Told by the ingest side after each durable write; commits when enough chunks have piled up. */
    public void written(int chunks) {
        if (writtenSinceCommit.addAndGet(chunks) >= everyChunks) {
            vertx.runOnContext(v -> commit());
        }
    }

    /** Commits now (joining a commit already running only if it started after the caller's writes). */
    public Future<ChunkIndex.CommitInfo> commit() {
        writtenSinceCommit.set(0);
        long t0 = System.nanoTime();
        Future<ChunkIndex.CommitInfo> f = index.commit()
                .onSuccess(info -> {
                    commits.incrementAndGet();
                    if (commitTimer != null) {
                        commitTimer.record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
                    }
                })
                // IndexService logs failures of the index (once a minute while they repeat).
                .onFailure(e -> LOG.log(Level.FINE, "commit failed", e));
        inFlight = f;
        return f;
    }

    public long commits() {
        return commits.get();
    }

    private JsonObject describe(ChunkIndex.CommitInfo info) {
        return new JsonObject().put("committed_ops", info.committedOps()).put("wal_seq", info.walSeq())
                .put("commit_ms", info.millis())
                .put("committed_at", info.at() == null ? null : info.at().toString());
    }

    @Override
    public Future<?> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        // The final commit: what was acknowledged becomes searchable without a WAL replay at next start.
        return index.commit().onSuccess(info -> LOG.info("final commit: " + info.committedOps() + " operations"))
                .recover(e -> {
                    LOG.log(Level.SEVERE, "final commit failed; the write-ahead log will be replayed at start", e);
                    return Future.succeededFuture();
                });
    }
}
