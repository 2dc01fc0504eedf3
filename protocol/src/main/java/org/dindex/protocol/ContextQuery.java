package org.dindex.protocol;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A request to {@link Addresses#CONTEXT}: the passages of a search assembled into a prompt-ready block within a
 * token budget.
 *
 * @param query       what the block should answer
 * @param filters     applied inside both retrievers
 * @param scope       in a cluster: cluster (the default) or local; null for the default
 * @param topK        passages considered before the budget cuts; null for the daemon's default
 * @param budget      tokens the block may take
 * @param collections the collections to draw from (several are fused into one ranking); null or empty: the default
 *                    collection, or the one a {@code Dindex} view names
 */
public record ContextQuery(String query, SearchFilters filters, String scope, Integer topK, int budget,
                           List<String> collections) {
    public ContextQuery {
        filters = filters == null ? SearchFilters.NONE : filters;
        collections = collections == null || collections.isEmpty() ? null : List.copyOf(collections);
    }

    /** A request to the default collection (or the one a {@code Dindex} view names). */
    public ContextQuery(String query, SearchFilters filters, String scope, Integer topK, int budget) {
        this(query, filters, scope, topK, budget, null);
    }

    public static ContextQuery of(String query, int budget) {
        return new ContextQuery(query, SearchFilters.NONE, null, null, budget, null);
    }

    public ContextQuery withFilters(SearchFilters filters) {
        return new ContextQuery(query, filters, scope, topK, budget, collections);
    }

    public ContextQuery withScope(String scope) {
        return new ContextQuery(query, filters, scope, topK, budget, collections);
    }

    public ContextQuery withCollections(List<String> collections) {
        return new ContextQuery(query, filters, scope, topK, budget, collections);
    }

    public ContextQuery withCollection(String collection) {
        return withCollections(collection == null ? null : List.of(collection));
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
        return CollectionNames.putMany(body, collections);
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static ContextQuery fromJson(JsonObject body) {
        return new ContextQuery(body.getString("query"), SearchFilters.fromJson(body.getJsonObject("filters")),
                body.getString("scope"), body.getInteger("top_k"), body.getInteger("budget", 2000),
                CollectionNames.readMany(body));
    }
}
