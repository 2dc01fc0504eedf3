package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The reply of {@link Addresses#CONTEXT}: passages marked [n], then the numbered sources, within the budget. */
public record ContextBlock(String text, int tokens, int budget, List<Citation> citations) {
    public JsonObject toJson() {
        JsonArray cites = new JsonArray();
        citations.forEach(c -> cites.add(c.toJson()));
        return new JsonObject().put("context", text).put("tokens", tokens).put("budget", budget)
                .put("citations", cites);
    }

    public static ContextBlock fromJson(JsonObject r) {
        return new ContextBlock(r.getString("context"), r.getInteger("tokens", 0), r.getInteger("budget", 0),
                Citation.listFromJson(r.getJsonArray("citations")));
    }
}
