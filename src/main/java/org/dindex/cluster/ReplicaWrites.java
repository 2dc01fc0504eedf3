package org.dindex.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.dindex.collections.Collection;
import org.dindex.collections.CollectionRegistry;
import org.dindex.index.Commits;
import org.dindex.index.WalCodec;
import org.dindex.index.WriteOp;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.util.List;

/**
 * A copy's side of replication: applies the writes a primary forwards ({@link Replication}) to this member's index,
 * with its own WAL and fsync, before confirming.
 *
 * <p>Fencing: a forward names the allocation version it was sent under. This member applies it only when, as far as
 * it knows, the sender is the primary of the shards and this member holds a copy of them, or when the sender knows
 * a newer allocation than this member does (it will catch up within a second). A primary that was deposed while
 * it was cut off, and still forwards under its old version, is refused, so its writes are never acknowledged.
 */
final class ReplicaWrites {
    private final ShardTable table;
    private final CollectionRegistry collections;
    private final Commits commits;
    private final PeerRecovery recovery;

    ReplicaWrites(ShardTable table, CollectionRegistry collections, Commits commits, PeerRecovery recovery) {
        this.table = table;
        this.collections = collections;
        this.commits = commits;
        this.recovery = recovery;
    }

    Future<JsonObject> apply(JsonObject forward) {
        String name = forward.getString("collection");
        String from = forward.getString("from");
        long version = forward.getLong("version");
        Shards.Allocation a = table.allocation(name);
        if (a == null) {
            return Future.failedFuture(new DindexException(ErrorCode.UNAVAILABLE, "no allocation of '" + name
                    + "' on this member yet"));
        }
        if (version <= a.version()) {
            for (Object o : forward.getJsonArray("shards")) {
                int s = (Integer) o;
                Shards.Copy primary = a.primary(s);
                if (primary == null || !primary.member().equals(from)) {
                    return Future.failedFuture(new DindexException(ErrorCode.CONFLICT, "member " + from + " is not"
                            + " the primary of shard " + s + " of '" + name + "' as of allocation version "
                            + a.version() + " (it sent version " + version + ")"));
                }
                if (a.copyOn(s, table.memberId()) == null) {
                    return Future.failedFuture(new DindexException(ErrorCode.CONFLICT, "this member holds no copy of"
                            + " shard " + s + " of '" + name + "' as of allocation version " + a.version()));
                }
            }
        }
        Collection c = collections.require(name);
        c.ensureOpen();
        List<WriteOp> ops = WalCodec.decode(forward.getBinary("ops"));
        int chunks = 0;
        for (WriteOp op : ops) {
            if (op instanceof WriteOp.Upsert u) {
                // Before the write is queued: a recovery's later write of an older copy then leaves it alone.
                recovery.written(name, Shards.of(u.doc().docId(), a.shards()), u.doc().docId());
                chunks += u.doc().chunks().size();
            }
        }
        int written = chunks;
        return c.index().write(ops).map(seq -> {
            commits.written(c, written);
            return new JsonObject().put("applied", ops.size());
        });
    }
}
