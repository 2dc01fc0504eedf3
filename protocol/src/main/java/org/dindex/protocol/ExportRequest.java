package org.dindex.protocol;

import io.vertx.core.json.JsonObject;

/**
 * A request to {@link Addresses#EXPORT}: one page of chunks in chunk-id order.
 *
 * @param limit chunks on the page, 1 to the daemon's maximum page
 * @param after the previous page's {@link ExportPage#next() next} cursor; null for the first page
 */
public record ExportRequest(int limit, String after) {
    public static ExportRequest first(int limit) {
        return new ExportRequest(limit, null);
    }

    /** The page after {@code page}, of the same size. */
    public ExportRequest next(ExportPage page) {
        return new ExportRequest(limit, page.next());
    }

    public JsonObject toJson() {
        JsonObject body = new JsonObject().put("limit", limit);
        if (after != null) {
            body.put("after", after);
        }
        return body;
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static ExportRequest fromJson(JsonObject body) {
        return new ExportRequest(body.getInteger("limit", 1000), body.getString("after"));
    }
}
