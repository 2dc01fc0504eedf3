package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The reply of {@link Addresses#CONTEXT}: passages marked [n], then the numbered sources, within the budget.
 * {@code raw} keeps the whole reply (the passages, and {@code degraded} with its {@code warning} when BM25 alone
 * answered).
 */
public record ContextBlock(String text, int tokens, int budget, List<Citation> citations, JsonObject raw) {
    public ContextBlock {
        citations = List.copyOf(citations);
        raw = raw == null ? wire(text, tokens, budget, citations) : raw;
    }

    /** A block of just these fields (its {@code raw} is its wire form). */
    public ContextBlock(String text, int tokens, int budget, List<Citation> citations) {
        this(text, tokens, budget, citations, null);
    }

    /** True when the query could not be embedded and BM25 alone chose the passages. */
    public boolean degraded() {
        return raw.getBoolean("degraded", false);
    }

    /** The fields this record names (the daemon's reply holds more; see {@code raw}). */
    public JsonObject toJson() {
        return wire(text, tokens, budget, citations);
    }

    public static ContextBlock fromJson(JsonObject r) {
        return new ContextBlock(r.getString("context"), r.getInteger("tokens", 0), r.getInteger("budget", 0),
                Citation.listFromJson(r.getJsonArray("citations")), r);
    }

    private static JsonObject wire(String text, int tokens, int budget, List<Citation> citations) {
        JsonArray cites = new JsonArray();
        citations.forEach(c -> cites.add(c.toJson()));
        return new JsonObject().put("context", text).put("tokens", tokens).put("budget", budget)
                .put("citations", cites);
    }
}
