package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One collection as {@link Addresses#COLLECTIONS_LIST} and {@link Addresses#COLLECTIONS_CREATE} answer: a named
 * index in the daemon with its own embedding model.
 *
 * @param documents documents as of its last commit
 * @param chunks    chunks as of its last commit
 * @param createdAt ISO-8601 instant it was created (for {@code default}: when the daemon first saw it)
 * @param raw       the whole object (pending writes, last commit, ...)
 */
public record CollectionInfo(String name, String model, int dimensions, long documents, long chunks,
                             String createdAt, JsonObject raw) {
    public static CollectionInfo fromJson(JsonObject c) {
        return new CollectionInfo(c.getString("name"), c.getString("model"), c.getInteger("dimensions", 0),
                c.getLong("documents", 0L), c.getLong("chunks", 0L), c.getString("created_at"), c);
    }

    /** The collections of a {@link Addresses#COLLECTIONS_LIST} reply. */
    public static List<CollectionInfo> listFromJson(JsonObject reply) {
        List<CollectionInfo> out = new ArrayList<>();
        reply.getJsonArray("collections", new JsonArray()).forEach(o -> out.add(fromJson((JsonObject) o)));
        return out;
    }
}
