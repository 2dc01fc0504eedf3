package org.dindex.index;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.BusHandlers;
import org.dindex.collections.Collection;
import org.dindex.collections.CollectionRegistry;
import org.dindex.protocol.Addresses;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.dindex.metrics.Metrics;

/**
 * Commit control, per collection: each collection is committed every {@code everyChunks} chunks written to it or
 * every {@code interval} when it has uncommitted writes, on request ({@code dindex.commit}, which replies once the
 * collection's writes are visible to searches), and a last time when the daemon stops. Commits run on the index
 * writer, after every write submitted before them.
 */
public final class CommitVerticle extends VerticleBase implements Commits {
    private static final Logger LOG = Logger.getLogger(CommitVerticle.class.getName());

    private final BusHandlers handlers;
    private final CollectionRegistry collections;
    private final long everyChunks;
    private final long intervalMillis;
    private long timer = -1;
    /** Commits this daemon's collection named by {@code body}. */
    private Future<JsonObject> commit(JsonObject body) {
        return commit(collections.of(body)).map(this::describe);
    }

    private Timer commitTimer;

    /** Records commit latency in {@code dindex.commit} (optional: tests and tools may run without meters). */
    public CommitVerticle meter(Metrics metrics) {
        this.commitTimer = metrics.timer("dindex.commit", "Commits (Lucene commit, vector view, snapshot swap)");
        return this;
    }

    public CommitVerticle(BusHandlers handlers, CollectionRegistry collections, long everyChunks,
                          long intervalMillis) {
        this.handlers = handlers;
        this.collections = collections;
        this.everyChunks = everyChunks;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public Future<?> start() {
        handlers.serve(Addresses.COMMIT, this::commit);
        timer = vertx.setPeriodic(intervalMillis, t -> {
            for (Collection c : collections.all()) {
                if (c.state() == Collection.State.OPEN && c.index().index().pendingOps() > 0) {
                    commit(c);
                }
            }
        });
        return Future.succeededFuture();
    }

    @Override
    public void written(Collection collection, int chunks) {
        if (collection.written(chunks) >= everyChunks) {
            vertx.runOnContext(v -> commit(collection));
        }
    }

    @Override
    public Future<ChunkIndex.CommitInfo> commit(Collection collection) {
        collection.committing();
        long t0 = System.nanoTime();
        return collection.index().commit()
                .onSuccess(info -> {
                    collection.committed();
                    if (commitTimer != null) {
                        commitTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                    }
                })
                // IndexService logs failures of the index (once a minute while they repeat).
                .onFailure(e -> LOG.log(Level.FINE, "commit failed", e));
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
        // The final commits: what was acknowledged becomes searchable without a WAL replay at next start.
        List<Future<?>> finals = new ArrayList<>();
        for (Collection c : collections.all()) {
            if (c.state() != Collection.State.OPEN) {
                continue;
            }
            finals.add(c.index().commit().onSuccess(info -> LOG.info("final commit of " + c.name() + ": "
                            + info.committedOps() + " operations"))
                    .recover(e -> {
                        LOG.log(Level.SEVERE, "final commit of " + c.name() + " failed; the write-ahead log will be"
                                + " replayed at start", e);
                        return Future.succeededFuture();
                    }));
        }
        return Future.join(finals);
    }
}
