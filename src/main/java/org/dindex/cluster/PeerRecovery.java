package org.dindex.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.collections.Collection;
import org.dindex.collections.CollectionRegistry;
import org.dindex.index.BucketRanges;
import org.dindex.index.Commits;
import org.dindex.index.DocumentRecord;
import org.dindex.index.IndexSnapshot;
import org.dindex.index.StoredDocuments;
import org.dindex.index.WalCodec;
import org.dindex.index.WriteOp;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Fills this member's initializing copies of shards from a started copy while writes go on, and serves other members'
 * recoveries from this member's copies.
 *
 * <p>A copy is filled document by document, not file by file: the members of a cluster keep every shard they hold in
 * one index per collection, so a shard is a bucket range of that index, not a set of segment files. A pass lists the
 * source's documents of the shard (id, content hash, indexing time, in id order, page by page) against this copy's
 * own, fetches the documents that differ as the source stores them (vectors included: nothing is embedded again),
 * and deletes those the source no longer has. A copy that comes back with an old disk therefore fetches only what
 * changed while it was away, which is what Elasticsearch's file-based recovery plus translog replay achieves.
 *
 * <p>Writes do not stop meanwhile. The primary forwards them to initializing copies too (the source answers only once
 * its allocation shows this copy, so no write slips between), and a document written by a forward during the
 * recovery is never overwritten or deleted by it (the check runs on the writer thread, after every write before).
 * A pass that changed something is followed by another (a delete that crossed a fetch is caught there), and the copy
 * is marked started once a pass finds nothing to do, or after a last pass.
 */
final class PeerRecovery {
    private static final Logger LOG = Logger.getLogger(PeerRecovery.class.getName());
    static final int LIST_PAGE = 2000;
    static final int FETCH_BATCH = 64;
    private static final int MAX_PASSES = 4;
    private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(120_000);

    private final Vertx vertx;
    private final ShardTable table;
    private final CollectionRegistry collections;
    private final Commits commits;
    private final BiFunction<String, UnaryOperator<Shards.Allocation>, Future<Shards.Allocation>> update;
    /** "collection/shard" of the copies being filled here, to the documents forwarded to them since it began. */
    private final Map<String, Set<String>> running = new ConcurrentHashMap<>();

    PeerRecovery(Vertx vertx, ShardTable table, CollectionRegistry collections, Commits commits,
                 BiFunction<String, UnaryOperator<Shards.Allocation>, Future<Shards.Allocation>> update) {
        this.vertx = vertx;
        this.table = table;
        this.collections = collections;
        this.commits = commits;
        this.update = update;
    }

    private static String key(String collection, int shard) {
        return collection + "/" + shard;
    }

    /** Whether any copy is being filled here now. */
    boolean busy() {
        return !running.isEmpty();
    }

    /** A forward to this member wrote {@code docId}: a recovery of its shard must leave it as it is. */
    void written(String collection, int shard, String docId) {
        Set<String> touched = running.get(key(collection, shard));
        if (touched != null) {
            touched.add(docId);
        }
    }

    /** Starts filling every initializing copy on this member that is not being filled yet, one at a time. */
    void startPending() {
        if (!running.isEmpty()) {
            return;
        }
        String self = table.memberId();
        for (Shards.Allocation a : table.allocations().values()) {
            for (int s = 0; s < a.shards(); s++) {
                Shards.Copy mine = a.copyOn(s, self);
                Shards.Copy primary = a.primary(s);
                if (mine != null && !mine.started() && primary != null && primary.started()
                        && table.nodeOf(primary.member()) != null && collections.exists(a.collection())) {
                    recover(a, s, primary.member());
                    return;
                }
            }
        }
    }

    private void recover(Shards.Allocation a, int s, String source) {
        String k = key(a.collection(), s);
        Set<String> touched = ConcurrentHashMap.newKeySet();
        running.put(k, touched);
        long t0 = System.nanoTime();
        Collection c = collections.require(a.collection());
        LOG.info("filling the copy of shard " + s + " of '" + a.collection() + "' from member " + source);
        Counts counts = new Counts();
        passes(c, a, s, source, touched, counts, 1)
                .compose(v -> commits.commit(c))
                .compose(v -> update.apply(a.collection(), now -> now.started(s, table.memberId())))
                .onComplete(ar -> {
                    running.remove(k);
                    if (ar.succeeded()) {
                        LOG.info("copy of shard " + s + " of '" + a.collection() + "' started: " + counts.fetched
                                + " documents copied, " + counts.deleted + " deleted, in "
                                + (System.nanoTime() - t0) / 1_000_000 + " ms");
                    } else {
                        LOG.warning("filling the copy of shard " + s + " of '" + a.collection() + "' from member "
                                + source + " failed (tried again shortly): " + ar.cause().getMessage());
                    }
                });
    }

    private static final class Counts {
        long fetched;
        long deleted;
    }

    private Future<Void> passes(Collection c, Shards.Allocation a, int s, String source, Set<String> touched,
                                Counts counts, int pass) {
        return pass(c, a, s, source, touched, counts).compose(changes -> changes == 0 || pass >= MAX_PASSES
                ? Future.succeededFuture() : passes(c, a, s, source, touched, counts, pass + 1));
    }

    /** One comparison of this copy with the source's; returns how many documents it fetched or deleted. */
    private Future<Integer> pass(Collection c, Shards.Allocation a, int s, String source, Set<String> touched,
                                 Counts counts) {
        BucketRanges range = Shards.buckets(a.shards(), List.of(s));
        Map<String, StoredDocuments.Entry> theirs = new HashMap<>();
        return listSource(a, s, source, null, theirs)
                .compose(v -> commits.commit(c))
                .compose(v -> vertx.executeBlocking(() -> listLocal(c, range), false))
                .compose(ours -> {
                    List<String> fetch = new ArrayList<>();
                    theirs.forEach((id, e) -> {
                        if (!e.equals(ours.get(id)) && !touched.contains(id)) {
                            fetch.add(id);
                        }
                    });
                    List<String> delete = new ArrayList<>();
                    ours.keySet().forEach(id -> {
                        if (!theirs.containsKey(id) && !touched.contains(id)) {
                            delete.add(id);
                        }
                    });
                    counts.fetched += fetch.size();
                    counts.deleted += delete.size();
                    return fetch(c, source, fetch, 0, touched)
                            .compose(v -> delete.isEmpty() ? Future.succeededFuture() : c.index().write(() ->
                                    List.<WriteOp>of(new WriteOp.DeleteDocuments(delete.stream()
                                            .filter(id -> !touched.contains(id)).toList()))).mapEmpty())
                            .map(v -> fetch.size() + delete.size());
                });
    }

    private Future<Void> listSource(Shards.Allocation a, int s, String source, String after,
                                    Map<String, StoredDocuments.Entry> into) {
        String node = table.nodeOf(source);
        if (node == null) {
            return Future.failedFuture("member " + source + " left");
        }
        JsonObject ask = new JsonObject().put("collection", a.collection()).put("shards", a.shards()).put("shard", s)
                .put("version", a.version()).put("after", after).put("limit", LIST_PAGE);
        return vertx.eventBus().<JsonObject>request(ClusterVerticle.memberAddress(node, "shard_list"), ask, ASK)
                .compose(m -> {
                    JsonArray entries = m.body().getJsonArray("documents");
                    String last = null;
                    for (Object o : entries) {
                        JsonArray e = (JsonArray) o;
                        last = e.getString(0);
                        into.put(last, new StoredDocuments.Entry(last, e.getString(1), e.getLong(2)));
                    }
                    return entries.size() < LIST_PAGE ? Future.succeededFuture()
                            : listSource(a, s, source, last, into);
                });
    }

    private static Map<String, StoredDocuments.Entry> listLocal(Collection c, BucketRanges range) throws Exception {
        Map<String, StoredDocuments.Entry> out = new HashMap<>();
        try (IndexSnapshot snap = c.index().acquire()) {
            String after = null;
            while (true) {
                List<StoredDocuments.Entry> page = StoredDocuments.list(snap, range, after, LIST_PAGE);
                page.forEach(e -> out.put(e.docId(), e));
                if (page.size() < LIST_PAGE) {
                    return out;
                }
                after = page.get(page.size() - 1).docId();
            }
        }
    }

    private Future<Void> fetch(Collection c, String source, List<String> ids, int from, Set<String> touched) {
        if (from >= ids.size()) {
            return Future.succeededFuture();
        }
        String node = table.nodeOf(source);
        if (node == null) {
            return Future.failedFuture("member " + source + " left");
        }
        List<String> batch = ids.subList(from, Math.min(ids.size(), from + FETCH_BATCH));
        JsonObject ask = new JsonObject().put("collection", c.name()).put("doc_ids", new JsonArray(batch));
        return vertx.eventBus().<JsonObject>request(ClusterVerticle.memberAddress(node, "shard_docs"), ask, ASK)
                .compose(m -> {
                    List<WriteOp> ops = WalCodec.decode(m.body().getBinary("ops"));
                    int[] chunks = {0};
                    return c.index().write(() -> {
                        List<WriteOp> fresh = new ArrayList<>();
                        for (WriteOp op : ops) {
                            if (op instanceof WriteOp.Upsert u && !touched.contains(u.doc().docId())) {
                                fresh.add(op);
                                chunks[0] += u.doc().chunks().size();
                            }
                        }
                        return fresh;
                    }).onSuccess(seq -> commits.written(c, chunks[0]));
                })
                .compose(v -> fetch(c, source, ids, from + FETCH_BATCH, touched));
    }

    private boolean dropping;
    private long lastDropNanos;

    /**
     * Deletes documents of shards this member holds no copy of: a copy that moved away, or what a member that was
     * replaced while it was gone still had on its disk. Only once the collection's health is green (every shard has
     * all its started copies elsewhere) and nothing is being filled here, and at most every ten seconds.
     */
    void dropUnheld() {
        if (dropping || busy() || System.nanoTime() - lastDropNanos < 10_000_000_000L) {
            return;
        }
        lastDropNanos = System.nanoTime();
        String self = table.memberId();
        for (Shards.Allocation a : table.allocations().values()) {
            if (!collections.exists(a.collection()) || !"green".equals(a.health(table.live().keySet()))) {
                continue;
            }
            List<Integer> unheld = new ArrayList<>();
            for (int s = 0; s < a.shards(); s++) {
                if (a.copyOn(s, self) == null) {
                    unheld.add(s);
                }
            }
            if (unheld.isEmpty()) {
                continue;
            }
            Collection c = collections.require(a.collection());
            BucketRanges range = Shards.buckets(a.shards(), unheld);
            dropping = true;
            vertx.executeBlocking(() -> listLocal(c, range).keySet().stream().toList(), false)
                    .compose(ids -> ids.isEmpty() ? Future.succeededFuture() : c.index().write(List.of(
                            new WriteOp.DeleteDocuments(ids))).compose(seq -> commits.commit(c)).onSuccess(v ->
                            LOG.info("dropped " + ids.size() + " documents of shards " + unheld + " of '"
                                    + a.collection() + "': this member holds no copy of them")))
                    .onComplete(ar -> dropping = false);
            return;
        }
    }

    // The source's side.

    /**
     * A page of this member's documents of a shard, for a copy being filled elsewhere. Refused while this member's
     * allocation is older than the asker's: until it knows the new copy, its forwards would not reach it.
     */
    Future<JsonObject> list(JsonObject ask) {
        Shards.Allocation a = table.allocation(ask.getString("collection"));
        if (a == null || a.version() < ask.getLong("version")) {
            return Future.failedFuture(new DindexException(ErrorCode.UNAVAILABLE, "this member has not seen"
                    + " allocation version " + ask.getLong("version") + " yet"));
        }
        Collection c = collections.require(ask.getString("collection"));
        BucketRanges range = Shards.buckets(ask.getInteger("shards"), List.of(ask.getInteger("shard")));
        String after = ask.getString("after");
        int limit = Math.min(LIST_PAGE, ask.getInteger("limit", LIST_PAGE));
        // The first page reads a fresh commit, so that it shows every write acknowledged before.
        Future<?> fresh = after == null ? commits.commit(c) : Future.succeededFuture();
        return fresh.compose(v -> vertx.executeBlocking(() -> {
            try (IndexSnapshot snap = c.index().acquire()) {
                JsonArray out = new JsonArray();
                for (StoredDocuments.Entry e : StoredDocuments.list(snap, range, after, limit)) {
                    out.add(new JsonArray().add(e.docId()).add(e.contentHash()).add(e.indexedAt()));
                }
                return new JsonObject().put("documents", out);
            }
        }, false));
    }

    /** Documents as stored here, for a copy being filled elsewhere. */
    Future<JsonObject> documents(JsonObject ask) {
        Collection c = collections.require(ask.getString("collection"));
        List<String> ids = ask.getJsonArray("doc_ids").stream().map(String::valueOf).toList();
        return vertx.executeBlocking(() -> {
            try (IndexSnapshot snap = c.index().acquire()) {
                List<WriteOp> ops = new ArrayList<>();
                for (DocumentRecord r : StoredDocuments.read(snap, ids)) {
                    ops.add(new WriteOp.Upsert(r));
                }
                return new JsonObject().put("ops", WalCodec.encode(ops));
            }
        }, false);
    }
}
