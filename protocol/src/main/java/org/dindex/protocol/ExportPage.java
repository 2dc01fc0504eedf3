package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The reply of {@link Addresses#EXPORT}: chunks with their metadata, each as the daemon wrote it (what
 * {@code dindex export} prints, one per line).
 *
 * @param next the cursor of the next page ({@link ExportRequest#after()}); null on the last page
 */
public record ExportPage(List<JsonObject> chunks, String next) {
    public ExportPage {
        chunks = List.copyOf(chunks);
    }

    public boolean last() {
        return next == null;
    }

    public JsonObject toJson() {
        return new JsonObject().put("chunks", new JsonArray(new ArrayList<>(chunks))).put("next", next);
    }

    public static ExportPage fromJson(JsonObject page) {
        List<JsonObject> chunks = new ArrayList<>();
        page.getJsonArray("chunks", new JsonArray()).forEach(o -> chunks.add((JsonObject) o));
        return new ExportPage(chunks, page.getString("next"));
    }
}
