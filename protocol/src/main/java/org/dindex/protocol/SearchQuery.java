package org.dindex.protocol;

import io.vertx.core.json.JsonObject;

/**
 * A request to {@link Addresses#SEARCH}: the one place its wire shape is written, for every caller (the CLI, the
 * MCP server, the client library, the benchmarks).
 *
 * @param query   what to search for
 * @param topK    chunks to return (grouped by document in the result)
 * @param mode    hybrid, dense or bm25
 * @param filters applied inside both retrievers
 * @param scope   in a cluster: cluster (every member, the default) or local; null for the default
 * @param explain whether each chunk carries its dense, BM25 and fused scores
 */
public record SearchQuery(String query, int topK, String mode, SearchFilters filters, String scope, boolean explain) {
    public SearchQuery {
        filters = filters == null ? SearchFilters.NONE : filters;
        mode = mode == null ? "hybrid" : mode;
    }

    public static SearchQuery of(String query) {
        return new SearchQuery(query, 10, "hybrid", SearchFilters.NONE, null, false);
    }

    public SearchQuery withTopK(int topK) {
        return new SearchQuery(query, topK, mode, filters, scope, explain);
    }

    public SearchQuery withMode(String mode) {
        return new SearchQuery(query, topK, mode, filters, scope, explain);
    }

    public SearchQuery withFilters(SearchFilters filters) {
        return new SearchQuery(query, topK, mode, filters, scope, explain);
    }

    public SearchQuery withScope(String scope) {
        return new SearchQuery(query, topK, mode, filters, scope, explain);
    }

    public SearchQuery withExplain(boolean explain) {
        return new SearchQuery(query, topK, mode, filters, scope, explain);
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
        return body;
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static SearchQuery fromJson(JsonObject body) {
        return new SearchQuery(body.getString("query"), body.getInteger("top_k", 10), body.getString("mode",
                "hybrid"), SearchFilters.fromJson(body.getJsonObject("filters")), body.getString("scope"),
                body.getBoolean("explain", false));
    }
}
