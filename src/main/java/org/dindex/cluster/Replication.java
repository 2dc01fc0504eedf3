package org.dindex.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.index.DocumentRecord;
import org.dindex.index.WalCodec;
import org.dindex.index.WriteOp;
import org.dindex.ingest.WriteForwarding;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * The primary's side of replication: what this member has just written (durably, in its WAL) goes to the other
 * copies of the documents' shards, started and initializing alike, as the stored records with their vectors
 * ({@link WalCodec}), and the write is acknowledged once they have it. A copy that does not confirm is taken out
 * of its shard's copies (no longer in sync, so never searched; a fresh copy is then filled by peer recovery), and
 * the write is still acknowledged, by the copies that remain: as in Elasticsearch, where the primary has the
 * master fail such a replica. Only when that cannot be done (this member is no longer the primary) does the write
 * fail. With {@code cluster.acknowledge: primary} the write is acknowledged without waiting for the copies.
 *
 * <p>Forwards leave in the order the writes completed (they complete in the writer's order on the ingest verticle's
 * event loop), and the clustered event bus keeps one connection per member, so a copy applies them in order.
 */
public final class Replication implements WriteForwarding {
    private static final Logger LOG = Logger.getLogger(Replication.class.getName());
    /**
     * A copy writes a forwarded batch with one fsync, queued behind its own writes and commits: half a minute means
     * it is stuck or gone (the cluster notices a dead member within the heartbeat timeout).
     */
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(30);

    /** {@code update}: changes a collection's allocation by compare-and-set, on the cluster worker. */
    private record Bound(Vertx vertx, ShardTable table,
                         BiFunction<String, UnaryOperator<Shards.Allocation>, Future<Shards.Allocation>> update) {
    }

    private volatile Bound bound;
    private final boolean waitForCopies;

    /**
     * @param waitForCopies whether a write waits for its shard's other copies ({@code cluster.acknowledge: copies})
     *                      or only for the primary ({@code primary}: the forwards complete afterwards)
     */
    public Replication(boolean waitForCopies) {
        this.waitForCopies = waitForCopies;
    }

    /** Called by {@link ClusterVerticle} once the shard table is there; before, writes are this member's alone. */
    void bind(Vertx vertx, ShardTable table,
              BiFunction<String, UnaryOperator<Shards.Allocation>, Future<Shards.Allocation>> update) {
        bound = new Bound(vertx, table, update);
    }

    void unbind() {
        bound = null;
    }

    @Override
    public Future<Void> forward(String collection, List<DocumentRecord> records) {
        Bound b = bound;
        Shards.Allocation a = b == null ? null : b.table().allocation(collection);
        if (a == null || records.isEmpty()) {
            return Future.succeededFuture();
        }
        String self = b.table().memberId();
        // One forward per copy (member and shard), so that a copy refusing one shard's writes (its primary changed
        // meanwhile) does not hold back the writes of the other shards it holds.
        // Records of shards this member is no longer the primary of are not forwarded (the new primary will be
        // sent them again), but the others still are: the router sends the whole request again, and a document
        // already written here then reads as unchanged, so its copies must have it from this attempt.
        Map<String, List<WriteOp>> ops = new LinkedHashMap<>();
        TreeSet<Integer> notPrimary = new TreeSet<>();
        for (DocumentRecord r : records) {
            int s = Shards.of(r.docId(), a.shards());
            Shards.Copy primary = a.primary(s);
            if (primary == null || !primary.member().equals(self)) {
                notPrimary.add(s);
                continue;
            }
            for (Shards.Copy c : a.copies().get(s)) {
                if (!c.member().equals(self)) {
                    ops.computeIfAbsent(c.member() + "/" + s, k -> new ArrayList<>()).add(new WriteOp.Upsert(r));
                }
            }
        }
        List<Future<Void>> sent = new ArrayList<>();
        ops.forEach((copy, list) -> {
            String member = copy.substring(0, copy.lastIndexOf('/'));
            int shard = Integer.parseInt(copy.substring(copy.lastIndexOf('/') + 1));
            JsonObject request = new JsonObject().put("collection", collection).put("from", self)
                    .put("version", a.version()).put("shards", new JsonArray().add(shard))
                    .put("ops", WalCodec.encode(list));
            String node = b.table().nodeOf(member);
            Future<Void> one = node == null ? Future.failedFuture("member " + member + " is not in the cluster")
                    : b.vertx().eventBus().request(ClusterVerticle.memberAddress(node, "replicate"), request,
                    new DeliveryOptions().setSendTimeout(FORWARD_TIMEOUT.toMillis())).mapEmpty();
            sent.add(one.recover(e -> failCopy(b, collection, member, shard, e)));
        });
        Future<Void> all = Future.all(sent).mapEmpty();
        if (!notPrimary.isEmpty()) {
            DindexException stale = new DindexException(ErrorCode.CONFLICT, "this member is no longer the primary of"
                    + " shards " + notPrimary + " of collection '" + collection + "' (allocation version "
                    + a.version() + "): the write was not acknowledged; send it again");
            return Future.join(sent).transform(ar -> Future.failedFuture(stale));
        }
        if (!waitForCopies) {
            all.onFailure(e -> LOG.warning("a write acknowledged by its primary alone did not reach every copy: "
                    + e.getMessage()));
            return Future.succeededFuture();
        }
        return all;
    }

    /** Takes {@code member}'s copy of {@code shard} out of the allocation: it missed a write. */
    private Future<Void> failCopy(Bound b, String collection, String member, int shard, Throwable why) {
        String self = b.table().memberId();
        return b.update().apply(collection, a -> {
            Shards.Copy primary = a.primary(shard);
            if (primary == null || !primary.member().equals(self)) {
                throw new DindexException(ErrorCode.CONFLICT, "this member is no longer the primary of shard "
                        + shard + " of '" + collection + "' and its copy on member " + member + " did not confirm"
                        + " the write: not acknowledged; send it again");
            }
            return a.failed(shard, member);
        }).onSuccess(a -> LOG.warning("the copy on member " + member + " of shard " + shard + " of '" + collection
                + "' missed a write (" + why.getMessage() + "): it is taken out of the shard's copies and filled"
                + " again later")).mapEmpty();
    }
}
