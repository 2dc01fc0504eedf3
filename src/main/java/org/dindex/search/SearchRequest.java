package org.dindex.search;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.JsonTypes;
import org.dindex.protocol.QueryVectors;
import org.dindex.protocol.SearchFilters;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A validated search request: {@code {query, top_k, mode, filters, explain, collection | collections}}. Every
 * invalid field is refused with a message naming the value and the rule.
 *
 * @param collections the collections searched (one, or several fused into one ranking); never empty
 */
public record SearchRequest(String query, int topK, Mode mode, SearchFilters filters, boolean explain, Fusion fusion,
                            Integer candidates, Float titleWeight, float[] queryVector, List<String> collections) {
    public SearchRequest {
        collections = collections == null || collections.isEmpty()
                ? List.of(CollectionNames.DEFAULT) : List.copyOf(collections);
    }

    /** A request of the default collection. */
    public SearchRequest(String query, int topK, Mode mode, SearchFilters filters, boolean explain, Fusion fusion,
                         Integer candidates, Float titleWeight, float[] queryVector) {
        this(query, topK, mode, filters, explain, fusion, candidates, titleWeight, queryVector, null);
    }

    /** Whether it searches several collections at once. */
    public boolean severalCollections() {
        return collections.size() > 1;
    }

    public static final int MAX_QUERY_BYTES = 10_000;
    public static final int MAX_TOP_K = 1000;

    /** Which retrievers run. */
    public enum Mode { HYBRID, DENSE, BM25 }

    /**
     * Restrictions applied inside both retrievers.
     *
     * @param sourcePrefix     source (path or URL) starts with this
     * @param documentIds      only these documents
     * @param metadataEquals   metadata key equals value, for every entry
     * @param metadataContains metadata key's value contains the text, for every entry
     * @param minTimestamp     document timestamp at or after (epoch ms)
     * @param maxTimestamp     document timestamp at or before (epoch ms)
     * @param metadataOneOf    metadata key's value is one of the list, for every entry: {@code metadata_contains}
     *                         with an array value, as the Rust original's clients send it
     */
    private static final Set<String> FIELDS = Set.of("query", "top_k", "mode", "filters", "explain", "fusion",
            "candidates", "title_weight", "query_vector", "scope", "collection", "collections");

    /** {@code scope}: "cluster" (every member, the default in a cluster), "local", or null when absent. */
    public static String scope(JsonObject body) {
        Object s = body.getValue("scope");
        if (s == null) {
            return null;
        }
        if (!"cluster".equals(s) && !"local".equals(s)) {
            throw DindexException.badRequest("scope must be cluster or local, got '" + s + "'");
        }
        return (String) s;
    }

    /** The request as its JSON body (without a query vector: that travels separately). */
    public JsonObject toJson() {
        JsonObject body = new JsonObject().put("query", query).put("top_k", topK)
                .put("mode", mode.name().toLowerCase(Locale.ROOT)).put("filters", filters.toJson());
        if (candidates != null) {
            body.put("candidates", candidates);
        }
        if (titleWeight != null) {
            body.put("title_weight", titleWeight);
        }
        return CollectionNames.putMany(body, collections);
    }

    public static SearchRequest parse(JsonObject body) {
        for (String key : body.fieldNames()) {
            if (!FIELDS.contains(key)) {
                throw DindexException.badRequest("unknown field '" + key + "' (known: query, top_k, mode, filters,"
                        + " explain, fusion, candidates, title_weight, query_vector, scope, collection, collections)");
            }
        }
        Object q = body.getValue("query");
        if (!(q instanceof String query) || query.isBlank()) {
            throw DindexException.badRequest("query must be a non-empty string, got " + JsonTypes.describe(q));
        }
        int bytes = query.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_QUERY_BYTES) {
            throw DindexException.badRequest("query is " + bytes + " bytes, the limit is " + MAX_QUERY_BYTES);
        }
        Object k = body.getValue("top_k", 10);
        if (!(k instanceof Number n) || n.doubleValue() != n.intValue()) {
            throw DindexException.badRequest("top_k must be an integer between 1 and " + MAX_TOP_K + ", got "
                    + JsonTypes.describe(k));
        }
        int topK = n.intValue();
        if (topK < 1 || topK > MAX_TOP_K) {
            throw DindexException.badRequest("top_k must be between 1 and " + MAX_TOP_K + ", got " + topK);
        }
        Object m = body.getValue("mode", "hybrid");
        if (!(m instanceof String)) {
            throw DindexException.badRequest("mode must be hybrid, dense or bm25, got " + JsonTypes.describe(m));
        }
        Mode mode;
        try {
            mode = Mode.valueOf(String.valueOf(m).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw DindexException.badRequest("mode must be hybrid, dense or bm25, got '" + m + "'");
        }
        Object f = body.getValue("filters");
        SearchFilters filters = SearchFilters.NONE;
        if (f != null) {
            if (!(f instanceof JsonObject fj)) {
                throw DindexException.badRequest("filters must be an object");
            }
            filters = parseFilters(fj);
        }
        Integer candidates = null;
        if (body.getValue("candidates") != null) {
            if (!(body.getValue("candidates") instanceof Number c) || c.intValue() < 1 || c.intValue() > 10_000) {
                throw DindexException.badRequest("candidates must be between 1 and 10000, got "
                        + JsonTypes.describe(body.getValue("candidates")));
            }
            candidates = c.intValue();
        }
        Float titleWeight = null;
        if (body.getValue("title_weight") != null) {
            if (!(body.getValue("title_weight") instanceof Number t) || t.doubleValue() < 0 || t.doubleValue() > 10) {
                throw DindexException.badRequest("title_weight must be between 0 and 10, got "
                        + JsonTypes.describe(body.getValue("title_weight")));
            }
            titleWeight = t.floatValue();
        }
        float[] vector = null;
        if (body.getValue("query_vector") != null) {
            try {
                vector = QueryVectors.decode(body.getValue("query_vector"));
            } catch (IllegalArgumentException e) {
                throw DindexException.badRequest(e.getMessage());
            }
        }
        Object explain = body.getValue("explain", false);
        if (!(explain instanceof Boolean)) {
            throw DindexException.badRequest("explain must be true or false, got " + JsonTypes.describe(explain));
        }
        return new SearchRequest(query.strip(), topK, mode, filters, (Boolean) explain,
                parseFusion(body.getValue("fusion")), candidates, titleWeight, vector,
                CollectionNames.many(body));
    }

    /**
     * An optional per-request fusion override (evaluation uses it to compare settings on one index):
     * {@code {"method": "rrf"|"linear", "rrf_k", "dense_weight", "bm25_weight", "alpha"}}; missing fields take
     * RRF k=60, weights 1, alpha 0.5.
     */
    private static Fusion parseFusion(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject f)) {
            throw DindexException.badRequest("fusion must be an object");
        }
        Fusion.Method method;
        try {
            method = Fusion.Method.valueOf(f.getString("method", "rrf").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | ClassCastException e) {
            throw DindexException.badRequest("fusion.method must be rrf or linear, got '" + f.getValue("method")
                    + "'");
        }
        double k = number(f, "rrf_k", 60, 1, 10_000);
        return new Fusion(method, k, number(f, "dense_weight", 1, 0, 100), number(f, "bm25_weight", 1, 0, 100),
                number(f, "alpha", 0.5, 0, 1));
    }

    private static double number(JsonObject f, String key, double dflt, double min, double max) {
        Object v = f.getValue(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Number n) || n.doubleValue() < min || n.doubleValue() > max) {
            throw DindexException.badRequest("fusion." + key + " must be a number between " + min + " and " + max
                    + ", got " + JsonTypes.describe(v));
        }
        return n.doubleValue();
    }

    /** The filters' rules are the protocol's ({@link SearchFilters#parse}), shared with the MCP tools. */
    private static SearchFilters parseFilters(JsonObject f) {
        return SearchFilters.parse(f);
    }
}
