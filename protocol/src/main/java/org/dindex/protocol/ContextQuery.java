package org.dindex.protocol;

import io.vertx.core.json.JsonObject;

/**
 * A request to {@link Addresses#CONTEXT}: the passages of a search assembled into a prompt-ready block within a
 * token budget.
 *
 * @param query   what the block should answer
 * @param filters applied inside both retrievers
 * @param scope   in a cluster: cluster (the default) or local; null for the default
 * @param topK    passages considered before the budget cuts; null for the daemon's default
 * @param budget  tokens the block may take
 */
public record ContextQuery(String query, SearchFilters filters, String scope, Integer topK, int budget) {
    public ContextQuery {
        filters = filters == null ? SearchFilters.NONE : filters;
    }

    public static ContextQuery of(String query, int budget) {
        return new ContextQuery(query, SearchFilters.NONE, null, null, budget);
    }

    public ContextQuery withFilters(SearchFilters filters) {
        return new ContextQuery(query, filters, scope, topK, budget);
    }

    public ContextQuery withScope(String scope) {
        return new ContextQuery(query, filters, scope, topK, budget);
    }

    public JsonObject toJson() {
        JsonObject body = new JsonObject().put("query", query).put("budget", budget);
        if (!filters.isEmpty()) {
            body.put("filters", filters.toJson());
        }
        if (scope != null) {
            body.put("scope", scope);
        }
        if (topK != null) {
            body.put("top_k", topK);
        }
        return body;
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static ContextQuery fromJson(JsonObject body) {
        return new ContextQuery(body.getString("query"), SearchFilters.fromJson(body.getJsonObject("filters")),
                body.getString("scope"), body.getInteger("top_k"), body.getInteger("budget", 2000));
    }
}
