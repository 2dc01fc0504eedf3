package org.dindex.protocol;

import io.vertx.core.json.JsonObject;

/**
 * A request to {@link Addresses#EXPORT}: one page of chunks in chunk-id order.
 *
 * @param limit       chunks on the page, 1 to the daemon's maximum page
 * @param after       the previous page's {@link ExportPage#next() next} cursor; null for the first page
 * @param withVectors whether each chunk carries its embedding ({@code vector}: base64 of little-endian float32,
 *                    as {@link QueryVectors#encode}), the model that made it and its document's content hash, so
 *                    that {@code dindex.import} of the lines puts them back without embedding anything
 * @param collection  the collection to export; null: the default (or a {@code Dindex} view's)
 */
public record ExportRequest(int limit, String after, boolean withVectors, String collection) {
    public ExportRequest(int limit, String after) {
        this(limit, after, false, null);
    }

    public static ExportRequest first(int limit) {
        return new ExportRequest(limit, null, false, null);
    }

    /** The page after {@code page}, of the same size and kind. */
    public ExportRequest next(ExportPage page) {
        return new ExportRequest(limit, page.next(), withVectors, collection);
    }

    public ExportRequest withVectors(boolean withVectors) {
        return new ExportRequest(limit, after, withVectors, collection);
    }

    public ExportRequest inCollection(String collection) {
        return new ExportRequest(limit, after, withVectors, collection);
    }

    public JsonObject toJson() {
        JsonObject body = new JsonObject().put("limit", limit);
        if (after != null) {
            body.put("after", after);
        }
        if (withVectors) {
            body.put("with_vectors", true);
        }
        return CollectionNames.put(body, collection);
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static ExportRequest fromJson(JsonObject body) {
        return new ExportRequest(body.getInteger("limit", 1000), body.getString("after"),
                body.getBoolean("with_vectors", false), body.getString(CollectionNames.FIELD));
    }
}
