package org.dindex.ingest;

import io.vertx.core.Future;
import org.dindex.index.DocumentRecord;

import java.util.List;

/**
 * Where documents go after this member has written them, before the write is acknowledged: in a cluster, to the
 * other copies of their shards (the cluster part implements it). Owned here, called by {@link IngestVerticle}, so
 * that ingest never knows about members. The records carry their vectors, so a copy embeds nothing again.
 */
public interface WriteForwarding {
    /** A lone daemon's: nothing to forward. */
    WriteForwarding NONE = (collection, records) -> Future.succeededFuture();

    /**
     * Sends {@code records}, just written durably to the collection named {@code collection} here, on. Succeeds once every copy that
     * must have them has them (or was taken out of the shard's copies for missing them); fails when the write
     * cannot be acknowledged, e.g. this member is no longer the shards' primary.
     */
    Future<Void> forward(String collection, List<DocumentRecord> records);
}
