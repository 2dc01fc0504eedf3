package org.dindex.search;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.Addresses;
import org.dindex.bus.BusHandlers;
import org.dindex.bus.DindexException;
import org.dindex.embed.EmbeddingService;
import org.dindex.index.IndexService;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Serves {@code dindex.search} and {@code dindex.context}. The query is embedded by the daemon's one model (its own
 * query lane, so searches do not queue behind ingest batches); retrieval runs on the {@code dindex-search} pool on
 * one consistent snapshot. If the query cannot be embedded the search still answers, BM25 only, marked degraded.
 */
public final class SearchVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(SearchVerticle.class.getName());
    static final int MAX_BUDGET = 1_000_000;

    private final BusHandlers handlers;
    private final IndexService index;
    private final EmbeddingService embeddings;
    private final SearchService search;
    private final ContextAssembler context;
    private WorkerExecutor pool;

    private final org.dindex.metrics.Metrics metrics;

    public SearchVerticle(BusHandlers handlers, IndexService index, EmbeddingService embeddings,
                          SearchOptions options, org.dindex.metrics.Metrics metrics) {
        this.metrics = metrics;
        this.handlers = handlers;
        this.index = index;
        this.embeddings = embeddings;
        this.search = new SearchService(index.index(), options);
        this.context = new ContextAssembler(embeddings.embedder().tokenizer());
    }

    @Override
    public Future<?> start() {
        pool = vertx.createSharedWorkerExecutor("dindex-search", Runtime.getRuntime().availableProcessors(), 60,
                TimeUnit.SECONDS);
        handlers.serve(Addresses.SEARCH, body -> timed(SearchRequest.parse(body)));
        handlers.serve(Addresses.CONTEXT, this::context);
        handlers.serve(Addresses.CLUSTER, body -> pool.executeBlocking(() -> DocumentClusters.cluster(index.index(),
                body), false));
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        return pool.close();
    }

    /** Searches, recording the latency by mode and whether the answer was degraded. */
    private Future<JsonObject> timed(SearchRequest req) {
        long t0 = System.nanoTime();
        return search(req).onComplete(ar -> metrics.timer("dindex.search", "Searches by mode and outcome", "mode",
                req.mode().name().toLowerCase(java.util.Locale.ROOT), "outcome", ar.failed() ? "error"
                        : ar.result().getBoolean("degraded", false) ? "degraded" : "ok")
                .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS));
    }

    private Future<JsonObject> search(SearchRequest req) {
        if (req.queryVector() != null && req.queryVector().length != embeddings.embedder().dimensions()) {
            return Future.failedFuture(DindexException.badRequest("query_vector has " + req.queryVector().length
                    + " dimensions, the index uses " + embeddings.embedder().dimensions()));
        }
        Future<float[]> vector = req.mode() == SearchRequest.Mode.BM25 ? Future.succeededFuture(null)
                : req.queryVector() != null ? Future.succeededFuture(org.dindex.embed.Embedder.normalize(
                        req.queryVector().clone()))
                : embeddings.embedQuery(req.query());
        return vector.map(v -> new Embedded(v, null))
                .recover(e -> {
                    LOG.warning("query embedding failed, answering with BM25 only: " + e.getMessage());
                    return Future.succeededFuture(new Embedded(null, e.getMessage()));
                })
                .compose(emb -> pool.executeBlocking(() -> search.search(index.index(), req, emb.vector(),
                        emb.error()), false));
    }

    private record Embedded(float[] vector, String error) {
    }

    private Future<JsonObject> context(JsonObject body) {
        Object b = body.getValue("budget", 2000);
        if (!(b instanceof Number n) || n.intValue() < 50 || n.intValue() > MAX_BUDGET) {
            return Future.failedFuture(DindexException.badRequest("budget must be a number of tokens between 50"
                    + " and " + MAX_BUDGET + ", got " + b));
        }
        JsonObject request = body.copy();
        request.remove("budget");
        if (!request.containsKey("top_k")) {
            request.put("top_k", 30);
        }
        return search(SearchRequest.parse(request)).compose(result -> pool.executeBlocking(() -> {
            JsonObject assembled = context.assemble(result, n.intValue());
            if (result.getBoolean("degraded", false)) {
                assembled.put("degraded", true).put("warning", result.getString("warning"));
            }
            return assembled;
        }, false));
    }
}
