package org.dindex.search;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.BusHandlers;
import org.dindex.collections.Collection;
import org.dindex.index.BucketRanges;
import org.dindex.collections.CollectionRegistry;
import org.dindex.embed.Embedder;
import org.dindex.embed.EmbeddingService;
import org.dindex.metrics.Metrics;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.JsonTypes;
import org.dindex.protocol.QueryVectors;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Serves {@code dindex.search} and {@code dindex.context} on the collection a request names, or on several
 * ({@code collections}), fused into one ranking. The query is embedded by the collection's model (its own query
 * lane, so searches do not queue behind ingest batches; once per distinct model for several collections);
 * retrieval runs on the {@link RetrievalPool} on one consistent snapshot per collection. If the query cannot be
 * embedded the search still answers, BM25 only, marked degraded.
 */
public final class SearchVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(SearchVerticle.class.getName());
    static final int MAX_BUDGET = 1_000_000;

    private final BusHandlers handlers;
    private final CollectionRegistry collections;
    private final SearchService search;
    /** One context assembler per model: passages are counted with the tokenizer of the model that chunked them. */
    private final Map<String, ContextAssembler> contexts = new ConcurrentHashMap<>();
    private RetrievalPool pool;

    /**
     * Daemon-internal addresses (local consumers, never exposed to clients): this index's candidates for a search
     * spread over a cluster, and the cluster coordinator that fans a search out to every member.
     */
    public static final String CANDIDATES_ADDRESS = "dindex.internal.search.candidates";
    public static final String CLUSTER_SEARCH_ADDRESS = "dindex.internal.cluster.search";
    public static final String CHUNKS_ADDRESS = "dindex.internal.search.chunks";

    private final Metrics metrics;
    private final boolean clustered;

    public SearchVerticle(BusHandlers handlers, CollectionRegistry collections, SearchOptions options,
                          Metrics metrics, boolean clustered) {
        this.metrics = metrics;
        this.clustered = clustered;
        this.handlers = handlers;
        this.collections = collections;
        this.search = new SearchService(options);
    }

    @Override
    public Future<?> start() {
        pool = new RetrievalPool(Runtime.getRuntime().availableProcessors());
        search.denseBranchOn(pool.branches());
        // Both are safe on any thread, so the socket bridge calls them directly (BusHandlers.serveDirect).
        handlers.serveDirect(Addresses.SEARCH, body -> {
            String scope = SearchRequest.scope(body);
            SearchRequest req = SearchRequest.parse(body);
            return timed(req, cluster(req, scope) ? this::clusterSearch : this::search);
        });
        vertx.eventBus().<JsonObject>localConsumer(CANDIDATES_ADDRESS, m -> candidates(m.body())
                .onSuccess(m::reply).onFailure(e -> BusHandlers.fail(m, e)));
        vertx.eventBus().<JsonObject>localConsumer(CHUNKS_ADDRESS, m -> {
            Collection c;
            try {
                c = collections.of(m.body());
            } catch (RuntimeException e) {
                BusHandlers.fail(m, e);
                return;
            }
            pool.submit(() -> search.chunks(c.index().index(), m.body().getJsonArray("chunk_ids").stream()
                    .map(String::valueOf).toList())).onSuccess(m::reply).onFailure(e -> BusHandlers.fail(m, e));
        });
        handlers.serveDirect(Addresses.CONTEXT, this::context);
        for (String topics : List.of(Addresses.TOPICS, Addresses.TOPICS_OLD_NAME)) {
            handlers.serve(topics, this::topics);
        }
        return Future.succeededFuture();
    }

    /** Whether a search goes to every cluster member: in a cluster, unless local; never for several collections. */
    private boolean cluster(SearchRequest req, String scope) {
        if (!clustered || "local".equals(scope)) {
            return false;
        }
        if (req.severalCollections()) {
            if ("cluster".equals(scope)) {
                throw DindexException.badRequest("several collections are searched on this daemon only: use scope"
                        + " local (or search one collection across the cluster)");
            }
            return false;
        }
        return true;
    }

    @Override
    public Future<?> stop() {
        return vertx.executeBlocking(() -> {
            pool.close();
            return null;
        });
    }

    /** Searches, recording the latency by mode and whether the answer was degraded. */
    private Future<JsonObject> timed(SearchRequest req,
                                    Function<SearchRequest, Future<JsonObject>> how) {
        long t0 = System.nanoTime();
        return how.apply(req).onComplete(ar -> metrics.timer("dindex.search", "Searches by mode and outcome", "mode",
                req.mode().name().toLowerCase(Locale.ROOT), "outcome", ar.failed() ? "error"
                        : ar.result().getBoolean("degraded", false) ? "degraded" : "ok")
                .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS));
    }

    /** The collections a request names, each open (a clear not_found naming the ones there are otherwise). */
    private List<Collection> targets(SearchRequest req) {
        List<Collection> out = new ArrayList<>();
        for (String name : req.collections()) {
            out.add(collections.require(name));
        }
        return out;
    }

    private Future<JsonObject> search(SearchRequest req) {
        List<Collection> targets = targets(req);
        if (req.severalCollections()) {
            return searchMany(req, targets);
        }
        Collection c = targets.get(0);
        return embed(req, c.embeddings()).compose(emb -> pool.submit(() -> search.search(c.index().index(), req,
                emb.vector(), emb.error())));
    }

    /** Several collections: the query embedded once per distinct model, then one fused ranking. */
    private Future<JsonObject> searchMany(SearchRequest req, List<Collection> targets) {
        Map<String, Future<Embedded>> byModel = new LinkedHashMap<>();
        for (Collection c : targets) {
            byModel.computeIfAbsent(c.model().name(), m -> embed(req, c.embeddings()));
        }
        return Future.all(new ArrayList<>(byModel.values())).compose(all -> {
            List<SearchService.Target> list = new ArrayList<>();
            String degraded = null;
            for (Collection c : targets) {
                Embedded emb = byModel.get(c.model().name()).result();
                degraded = degraded != null ? degraded : emb.error();
                list.add(new SearchService.Target(c.name(), c.index().index(), c.model().name(), emb.vector()));
            }
            String why = degraded;
            return pool.submit(() -> search.searchMany(list, req, why));
        });
    }

    private record Embedded(float[] vector, String error) {
    }

    /** The query as {@code embeddings}' model embeds it (or the request's own vector); a failure degrades to BM25. */
    private Future<Embedded> embed(SearchRequest req, EmbeddingService embeddings) {
        if (req.queryVector() != null && req.queryVector().length != embeddings.embedder().dimensions()) {
            return Future.failedFuture(DindexException.badRequest("query_vector has " + req.queryVector().length
                    + " dimensions, the index uses " + embeddings.embedder().dimensions()));
        }
        Future<float[]> vector = req.mode() == SearchRequest.Mode.BM25 ? Future.succeededFuture(null)
                : req.queryVector() != null ? Future.succeededFuture(Embedder.normalize(
                        req.queryVector().clone()))
                : embeddings.embedQuery(req.query());
        return vector.map(v -> new Embedded(v, null)).recover(e -> {
            LOG.warning("query embedding failed, answering with BM25 only: " + e.getMessage());
            return Future.succeededFuture(new Embedded(null, e.getMessage()));
        });
    }

    /**
     * A search over every cluster member: the query is embedded once here and the coordinator
     * ({@link #CLUSTER_SEARCH_ADDRESS}) gathers each member's candidates (from its collection of the same name) and
     * fuses them once.
     */
    private Future<JsonObject> clusterSearch(SearchRequest req) {
        Collection c = collections.require(req.collections().get(0));
        return embed(req, c.embeddings()).compose(emb -> {
            JsonObject body = new JsonObject().put("request", req.toJson()).put("degraded", emb.error())
                    .put("model", c.model().name());
            if (emb.vector() != null) {
                body.put("query_vector", QueryVectors.encode(emb.vector()));
            }
            return vertx.eventBus().<JsonObject>request(CLUSTER_SEARCH_ADDRESS, body,
                    new DeliveryOptions().setSendTimeout(120_000)).map(m -> m.body());
        });
    }

    /** This index's candidates for a coordinator: {@code {request, query_vector?}}. */
    private Future<JsonObject> candidates(JsonObject body) {
        SearchRequest req;
        Collection c;
        try {
            req = SearchRequest.parse(body.getJsonObject("request"));
            c = collections.require(req.collections().get(0));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        float[] v = body.getValue("query_vector") == null ? null
                : QueryVectors.decode(body.getValue("query_vector"));
        BucketRanges only = BucketRanges.fromJson(body.getJsonArray("buckets"));
        return pool.submit(() -> search.candidates(c.index().index(), req, v, only));
    }

    /** The retrieval service (the cluster coordinator assembles fused answers with it). */
    public SearchService service() {
        return search;
    }

    /** Groups the request's documents into topics (k-means over their mean chunk vectors) on the retrieval pool. */
    private Future<JsonObject> topics(JsonObject body) {
        Collection c = collections.of(body);
        JsonObject request = body.copy();
        request.remove("collection");
        return pool.submit(() -> DocumentTopics.group(c.index().index(), request));
    }

    private Future<JsonObject> context(JsonObject body) {
        Object b = body.getValue("budget", 2000);
        if (!(b instanceof Number n) || n.intValue() < 50 || n.intValue() > MAX_BUDGET) {
            return Future.failedFuture(DindexException.badRequest("budget must be a number of tokens between 50"
                    + " and " + MAX_BUDGET + ", got " + JsonTypes.describe(b)));
        }
        JsonObject request = body.copy();
        request.remove("budget");
        if (!request.containsKey("top_k")) {
            request.put("top_k", 30);
        }
        SearchRequest req = SearchRequest.parse(request);
        boolean cluster = cluster(req, SearchRequest.scope(request));
        Collection first = collections.require(req.collections().get(0));
        ContextAssembler assembler = contexts.computeIfAbsent(first.model().name(),
                m -> new ContextAssembler(first.embeddings().embedder().tokenizer()));
        return (cluster ? clusterSearch(req) : search(req)).compose(result -> pool.submit(() -> {
            JsonObject assembled = assembler.assemble(result, n.intValue());
            if (result.getBoolean("degraded", false)) {
                assembled.put("degraded", true).put("warning", result.getString("warning"));
            }
            return assembled;
        }));
    }
}
