package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One document's fate in the reply of {@link Addresses#INDEX_SUBMIT} ({@code {"results": [...]}}, in the order the
 * documents were sent).
 *
 * @param documentId the document's id; null when it failed before one was known
 * @param status     indexed, replaced, unchanged or failed
 * @param chunks     chunks the document has in the index
 * @param error      why it failed; null otherwise
 */
public record IndexOutcome(String source, String documentId, String status, int chunks, String error) {
    public boolean failed() {
        return "failed".equals(status);
    }

    public JsonObject toJson() {
        JsonObject r = new JsonObject().put("source", source).put("doc_id", documentId).put("status", status)
                .put("chunks", chunks);
        if (error != null) {
            r.put("error", error);
        }
        return r;
    }

    public static IndexOutcome fromJson(JsonObject r) {
        return new IndexOutcome(r.getString("source"), r.getString("doc_id"), r.getString("status"),
                r.getInteger("chunks", 0), r.getString("error"));
    }

    /** The outcomes of a whole reply. */
    public static List<IndexOutcome> listFromJson(JsonObject reply) {
        List<IndexOutcome> out = new ArrayList<>();
        reply.getJsonArray("results", new JsonArray()).forEach(o -> out.add(fromJson((JsonObject) o)));
        return out;
    }

    /** A whole reply of {@code outcomes}. */
    public static JsonObject listToJson(List<IndexOutcome> outcomes) {
        JsonArray results = new JsonArray();
        outcomes.forEach(o -> results.add(o.toJson()));
        return new JsonObject().put("results", results);
    }
}
