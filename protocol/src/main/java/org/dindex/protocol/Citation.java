package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** A numbered source of a search result or a context block: what {@code [n]} refers to. */
public record Citation(int number, String documentId, String title, String url, String source) {
    public JsonObject toJson() {
        return new JsonObject().put("number", number).put("document_id", documentId).put("title", title)
                .put("url", url).put("source", source);
    }

    public static Citation fromJson(JsonObject c) {
        return new Citation(c.getInteger("number", 0), c.getString("document_id"), c.getString("title"),
                c.getString("url"), c.getString("source"));
    }

    static List<Citation> listFromJson(JsonArray a) {
        List<Citation> out = new ArrayList<>();
        if (a != null) {
            a.forEach(o -> out.add(fromJson((JsonObject) o)));
        }
        return out;
    }
}
