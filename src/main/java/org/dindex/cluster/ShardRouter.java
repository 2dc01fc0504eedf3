package org.dindex.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.collections.CollectionRegistry;
import org.dindex.index.DocumentIds;
import org.dindex.ingest.DocumentRequest;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Makes any member a front door for writes. A submit is split by the primary of each document's shard: the primary's
 * part goes to it over the clustered event bus ({@link ClusterVerticle#memberAddress} {@code index}), where that
 * member embeds and stores it and forwards it to the shard's other copies ({@link Replication}); this member's own
 * part is stored here. The reply has one result per document in the request's order, as a lone daemon's does. A
 * document whose shard has no live copy is not stored anywhere else (storing it here would make a second, diverging
 * one): its result is {@code failed} and says why.
 *
 * <p>Deletes go to every live member: a document is deleted wherever a copy of it is.
 */
final class ShardRouter {
    /** Embedding a large request on the owner may take a while; the owner's own limits still apply. */
    private static final Duration WRITE_TIMEOUT = Duration.ofMinutes(30);
    /** Routing again after a primary changed: the allocation is reconciled every second. */
    private static final Duration RETRY_DELAY = Duration.ofMillis(500);
    private static final int ATTEMPTS = 5;

    private final Vertx vertx;
    private final ShardTable table;
    private final Function<String, Future<Shards.Allocation>> allocation;
    private final Function<JsonObject, Future<JsonObject>> localSubmit;
    private final Function<JsonObject, Future<JsonObject>> localDelete;
    private final Function<JsonObject, Future<JsonObject>> localClear;
    private final Function<JsonObject, Future<JsonObject>> localCommit;
    private final CollectionRegistry collections;

    ShardRouter(Vertx vertx, ShardTable table, Function<String, Future<Shards.Allocation>> allocation,
                Function<JsonObject, Future<JsonObject>> localSubmit,
                Function<JsonObject, Future<JsonObject>> localDelete,
                Function<JsonObject, Future<JsonObject>> localClear,
                Function<JsonObject, Future<JsonObject>> localCommit,
                CollectionRegistry collections) {
        this.collections = collections;
        this.localCommit = localCommit;
        this.vertx = vertx;
        this.table = table;
        this.allocation = allocation;
        this.localSubmit = localSubmit;
        this.localDelete = localDelete;
        this.localClear = localClear;
    }

    static String collectionOf(JsonObject body) {
        return body.getValue("collection") instanceof String c ? c : CollectionNames.DEFAULT;
    }

    Future<JsonObject> submit(JsonObject body) {
        if (!(body.getValue("documents") instanceof JsonArray docs) || docs.isEmpty()) {
            return localSubmit.apply(body);  // its own answer to a malformed or empty request
        }
        try {
            collections.of(body);
        } catch (RuntimeException e) {
            return localSubmit.apply(body);  // its own answer to an unknown collection (no allocation is made for it)
        }
        JsonObject[] results = new JsonObject[docs.size()];
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            all.add(i);
        }
        return attempt(body, docs, all, results, 1)
                .map(v -> new JsonObject().put("results", new JsonArray(List.of(results))));
    }

    /**
     * Routes the documents in {@code slots} by the current allocation and fills their results. Documents whose primary
     * turned out not to be the primary any more (a role handed over or a member lost while the write was on its way:
     * the member refuses, or its copy refuses its forward) are routed again by the newer allocation, a few times,
     * {@link #RETRY_DELAY} apart: the new primary writes and forwards them, so every copy ends up with the write.
     */
    private Future<Void> attempt(JsonObject body, JsonArray docs, List<Integer> slots, JsonObject[] results,
                                 int attempt) {
        return allocation.apply(collectionOf(body)).compose(a -> route(body, docs, slots, a, results))
                .compose(stale -> {
                    if (stale.isEmpty()) {
                        return Future.succeededFuture();
                    }
                    if (attempt >= ATTEMPTS) {
                        return Future.succeededFuture();  // their results say why they were not stored
                    }
                    return vertx.timer(RETRY_DELAY.toMillis())
                            .compose(t -> attempt(body, docs, stale, results, attempt + 1));
                });
    }

    /** Routes {@code slots} once; returns those to route again (stale routing), their results filled meanwhile. */
    private Future<List<Integer>> route(JsonObject body, JsonArray docs, List<Integer> slots, Shards.Allocation a,
                                        JsonObject[] results) {
        // Member id (this member's id for documents it stores or that only it can judge) -> slots of documents.
        Map<String, List<Integer>> byOwner = new LinkedHashMap<>();
        for (int i : slots) {
            String source = docs.getValue(i) instanceof JsonObject d ? DocumentRequest.sourceOf(d) : null;
            if (source == null) {
                byOwner.computeIfAbsent(table.memberId(), k -> new ArrayList<>()).add(i);
                continue;
            }
            String docId = DocumentIds.forSource(source);
            int shard = Shards.of(docId, a.shards());
            Shards.Copy primary = a.primary(shard);
            String owner = primary == null ? "" : primary.member();
            if (!owner.equals(table.memberId()) && table.nodeOf(owner) == null) {
                results[i] = failed(source, docId, "shard " + shard + " of collection '" + a.collection()
                        + "' has no live copy (its primary, member " + owner + ", is not in the cluster and no"
                        + " replica could take over): not stored; index it again when that member is back");
                continue;
            }
            byOwner.computeIfAbsent(owner, k -> new ArrayList<>()).add(i);
        }
        List<Integer> stale = new ArrayList<>();
        List<Future<?>> parts = new ArrayList<>();
        List<String> owners = new ArrayList<>(byOwner.keySet());
        byOwner.forEach((owner, part) -> {
            JsonArray subset = new JsonArray();
            part.forEach(i -> subset.add(docs.getValue(i)));
            JsonObject request = body.copy().put("documents", subset);
            Future<JsonObject> reply;
            if (owner.equals(table.memberId())) {
                reply = asPrimary(table, request).compose(v -> localSubmit.apply(request));
            } else {
                String node = table.nodeOf(owner);
                reply = vertx.eventBus().<JsonObject>request(ClusterVerticle.memberAddress(node, "index"), request,
                        new DeliveryOptions().setSendTimeout(WRITE_TIMEOUT.toMillis())).map(m -> m.body());
            }
            parts.add(reply.andThen(ar -> {
                boolean retry = ar.failed() && staleRouting(ar.cause());
                JsonArray got = ar.succeeded() ? ar.result().getJsonArray("results") : null;
                for (int k = 0; k < part.size(); k++) {
                    int i = part.get(k);
                    if (got != null && k < got.size()) {
                        results[i] = got.getJsonObject(k);
                        continue;
                    }
                    if (retry) {
                        stale.add(i);
                    } else if (owner.equals(table.memberId()) && ar.failed()) {
                        continue;  // a failure of the whole local request fails the request (below)
                    }
                    JsonObject d = docs.getValue(i) instanceof JsonObject j ? j : new JsonObject();
                    String source = DocumentRequest.sourceOf(d);
                    results[i] = failed(source, source == null ? null : DocumentIds.forSource(source),
                            "the shard's primary (member " + owner + ") did not store it: "
                                    + (ar.failed() ? ar.cause().getMessage() : "no result"));
                }
            }));
        });
        return Future.join(parts).transform(ar -> {
            for (int i = 0; i < parts.size(); i++) {
                // The local part failing as a whole (a bad request, an unknown collection) fails the request as a
                // lone daemon's would.
                if (owners.get(i).equals(table.memberId()) && parts.get(i).failed()
                        && !staleRouting(parts.get(i).cause())) {
                    return Future.failedFuture(parts.get(i).cause());
                }
            }
            return Future.succeededFuture(stale);
        });
    }

    /**
     * Refuses a write whose documents are not all in shards this member is the primary of as far as it knows now
     * (the router's allocation was older or newer): it is routed again rather than written here, where a document
     * already written by an earlier attempt would read as unchanged and never reach the shard's new primary.
     */
    static Future<Void> asPrimary(ShardTable table, JsonObject body) {
        if (!(body.getValue("documents") instanceof JsonArray docs)) {
            return Future.succeededFuture();
        }
        Shards.Allocation a = table.allocation(collectionOf(body));
        if (a == null) {
            return Future.succeededFuture();
        }
        for (Object o : docs) {
            String source = o instanceof JsonObject d ? DocumentRequest.sourceOf(d) : null;
            if (source != null) {
                int s = Shards.of(DocumentIds.forSource(source), a.shards());
                Shards.Copy primary = a.primary(s);
                if (primary == null || !primary.member().equals(table.memberId())) {
                    return Future.failedFuture(new DindexException(ErrorCode.CONFLICT, "member " + table.memberId()
                            + " is not the primary of shard " + s + " (allocation version " + a.version() + ")"));
                }
            }
        }
        return Future.succeededFuture();
    }

    /** Whether a part failed because it went to a member that is not (or no longer) its shard's primary. */
    static boolean staleRouting(Throwable e) {
        return e instanceof DindexException de && de.code() == ErrorCode.CONFLICT
                || e instanceof ReplyException re && re.failureCode() == ErrorCode.CONFLICT.failureCode();
    }

    /**
     * The delete request for {@code member}: every copy deletes, but only a shard's primary counts, so that the
     * summed counts are per document, not per copy.
     */
    private static JsonObject counting(JsonObject body, Shards.Allocation a, String member) {
        if (a == null) {
            return body;
        }
        List<Integer> primaryOf = new ArrayList<>();
        for (int s = 0; s < a.shards(); s++) {
            Shards.Copy p = a.primary(s);
            if (p != null && p.member().equals(member)) {
                primaryOf.add(s);
            }
        }
        return body.copy().put("count_buckets", Shards.buckets(a.shards(), primaryOf).toJson());
    }

    private static JsonObject failed(String source, String docId, String error) {
        return new JsonObject().put("source", source).put("doc_id", docId).put("status", "failed").put("chunks", 0)
                .put("error", error);
    }

    /**
     * A clear here (which checks the request's confirmation and answers a bad one as a lone daemon does) and on every
     * other live member, so that no copy of any shard keeps a document. A member that does not answer is named in
     * {@code failed_members} with {@code partial}: clearing again finishes the job.
     */
    Future<JsonObject> clear(JsonObject body) {
        return localClear.apply(body).compose(local -> {
            List<Future<?>> others = new ArrayList<>();
            List<String> nodes = new ArrayList<>();
            table.live().forEach((member, node) -> {
                if (!member.equals(table.memberId())) {
                    nodes.add(node);
                    others.add(vertx.eventBus().request(ClusterVerticle.memberAddress(node, "clear"), body,
                            new DeliveryOptions().setSendTimeout(WRITE_TIMEOUT.toMillis())));
                }
            });
            return Future.join(others).transform(ar -> {
                JsonArray failed = new JsonArray();
                for (int i = 0; i < others.size(); i++) {
                    if (others.get(i).failed()) {
                        failed.add(nodes.get(i));
                    }
                }
                JsonObject reply = local.copy();
                if (!failed.isEmpty()) {
                    reply.put("partial", true).put("failed_members", failed);
                }
                return Future.succeededFuture(reply);
            });
        });
    }

    /**
     * A commit here and on every other live member, so that what was routed to other members is searchable when the
     * reply comes, as on a lone daemon. The reply is this member's commit; a member that does not answer still
     * commits within its {@code index.commit_interval_ms}.
     */
    Future<JsonObject> commit(JsonObject body) {
        List<Future<?>> all = new ArrayList<>();
        Future<JsonObject> own = localCommit.apply(body);
        all.add(own);
        table.live().forEach((member, node) -> {
            if (!member.equals(table.memberId())) {
                all.add(vertx.eventBus().request(ClusterVerticle.memberAddress(node, "commit"), body,
                        new DeliveryOptions().setSendTimeout(WRITE_TIMEOUT.toMillis())));
            }
        });
        return Future.join(all).transform(ar -> own);
    }

    /**
     * A delete on this member (which checks the request and answers a bad one as a lone daemon does) and on every
     * other live member; the counts, taken on each shard's primary only, are summed. When some shard has no live
     * copy, documents on it could not be deleted: the reply says {@code partial} with those {@code missing_shards}.
     */
    Future<JsonObject> delete(JsonObject body) {
        Shards.Allocation known = table.allocation(collectionOf(body));
        return localDelete.apply(counting(body, known, table.memberId())).compose(local -> {
            List<Future<JsonObject>> others = new ArrayList<>();
            table.live().forEach((member, node) -> {
                if (!member.equals(table.memberId())) {
                    others.add(vertx.eventBus().<JsonObject>request(ClusterVerticle.memberAddress(node, "delete"),
                            counting(body, known, member), new DeliveryOptions().setSendTimeout(
                                    WRITE_TIMEOUT.toMillis())).map(m -> m.body()));
                }
            });
            return Future.join(others).transform(ar -> allocation.apply(collectionOf(body)).map(a -> {
                JsonObject reply = local.copy();
                Set<Integer> missing = new LinkedHashSet<>(a.missing(table.live().keySet()));
                for (Future<JsonObject> f : others) {
                    if (f.succeeded()) {
                        reply.put("deleted_documents", reply.getInteger("deleted_documents", 0)
                                + f.result().getInteger("deleted_documents", 0));
                        reply.put("deleted_chunks", reply.getInteger("deleted_chunks", 0)
                                + f.result().getInteger("deleted_chunks", 0));
                    }
                }
                if (others.stream().anyMatch(Future::failed)) {
                    reply.put("partial", true);
                }
                if (!missing.isEmpty()) {
                    reply.put("partial", true).put("missing_shards", new JsonArray(new ArrayList<>(missing)));
                }
                return reply;
            }));
        });
    }
}
