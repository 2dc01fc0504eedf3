package org.dindex.protocol;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A request to {@link Addresses#SEARCH}: the one place its wire shape is written, for every caller (the CLI, the
 * MCP server, the client library, the benchmarks).
 *
 * @param query       what to search for
 * @param topK        chunks to return (grouped by document in the result)
 * @param mode        hybrid, dense or bm25
 * @param filters     applied inside both retrievers
 * @param scope       in a cluster: cluster (every member, the default) or local; null for the default
 * @param explain     whether each chunk carries its dense, BM25 and fused scores
 * @param collections the collections to search (several are fused into one ranking); null or empty: the default
 *                    collection, or the one a {@code Dindex} view names
 */
public record SearchQuery(String query, int topK, String mode, SearchFilters filters, String scope, boolean explain,
                          List<String> collections) {
    public SearchQuery {
        filters = filters == null ? SearchFilters.NONE : filters;
        mode = mode == null ? "hybrid" : mode;
        collections = collections == null || collections.isEmpty() ? null : List.copyOf(collections);
    }

    /** A query of the default collection (or the one a {@code Dindex} view names). */
    public SearchQuery(String query, int topK, String mode, SearchFilters filters, String scope, boolean explain) {
        this(query, topK, mode, filters, scope, explain, null);
    }

    public static SearchQuery of(String query) {
        return new SearchQuery(query, 10, "hybrid", SearchFilters.NONE, null, false, null);
    }

    public SearchQuery withTopK(int topK) {
        return new SearchQuery(query, topK, mode, filters, scope, explain, collections);
    }

    public SearchQuery withMode(String mode) {
        return new SearchQuery(query, topK, mode, filters, scope, explain, collections);
    }

    public SearchQuery withFilters(SearchFilters filters) {
        return new SearchQuery(query, topK, mode, filters, scope, explain, collections);
    }

    public SearchQuery withScope(String scope) {
        return new SearchQuery(query, topK, mode, filters, scope, explain, collections);
    }

    public SearchQuery withExplain(boolean explain) {
        return new SearchQuery(query, topK, mode, filters, scope, explain, collections);
    }

    /** Searches these collections (one, or several fused into one ranking). */
    public SearchQuery withCollections(List<String> collections) {
        return new SearchQuery(query, topK, mode, filters, scope, explain, collections);
    }

    public SearchQuery withCollection(String collection) {
        return withCollections(collection == null ? null : List.of(collection));
    }

    public JsonObject toJson() {
        JsonObject body = new JsonObject().put("query", query).put("top_k", topK).put("mode", mode);
        if (!filters.isEmpty()) {
            body.put("filters", filters.toJson());
        }
        if (scope != null) {
            body.put("scope", scope);
        }
        if (explain) {
            body.put("explain", true);
        }
        return CollectionNames.putMany(body, collections);
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static SearchQuery fromJson(JsonObject body) {
        return new SearchQuery(body.getString("query"), body.getInteger("top_k", 10), body.getString("mode",
                "hybrid"), SearchFilters.fromJson(body.getJsonObject("filters")), body.getString("scope"),
                body.getBoolean("explain", false), CollectionNames.readMany(body));
    }
}
