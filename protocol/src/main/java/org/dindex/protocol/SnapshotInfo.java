package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A snapshot of a collection as {@link Addresses#SNAPSHOT_CREATE} and {@link Addresses#SNAPSHOT_LIST} answer: a
 * copy of one Lucene commit of the collection (every write acknowledged before the snapshot was asked for), with
 * the collection's settings and a manifest of SHA-256 checksums.
 *
 * @param id         its name in the daemon's snapshot folder ({@code <collection>-<UTC time>})
 * @param collection the collection it was taken of
 * @param path       its folder
 * @param documents  documents it holds
 * @param chunks     chunks it holds
 * @param bytes      bytes of its files (hard links to the collection's own files take no new space until those go)
 * @param raw        the whole object (model, files, commit)
 */
public record SnapshotInfo(String id, String collection, String createdAt, String path, long documents,
                           long chunks, long bytes, JsonObject raw) {
    public static SnapshotInfo fromJson(JsonObject s) {
        return new SnapshotInfo(s.getString("id"), s.getString("collection"), s.getString("created_at"),
                s.getString("path"), s.getLong("documents", 0L), s.getLong("chunks", 0L), s.getLong("bytes", 0L), s);
    }

    /** The snapshots of a {@link Addresses#SNAPSHOT_LIST} reply. */
    public static List<SnapshotInfo> listFromJson(JsonObject reply) {
        List<SnapshotInfo> out = new ArrayList<>();
        reply.getJsonArray("snapshots", new JsonArray()).forEach(o -> out.add(fromJson((JsonObject) o)));
        return out;
    }
}
