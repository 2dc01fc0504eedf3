package org.dindex.cluster;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.dindex.collections.CollectionRegistry;
import org.dindex.protocol.Addresses;
import org.dindex.bus.BusHandlers;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.search.SearchRequest;
import org.dindex.search.SearchService;
import org.dindex.search.SearchVerticle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * This daemon as a cluster member. It answers other members on {@code dindex.member.<nodeId>.*} (clustered
 * consumers, deliberately not exposed through the socket or HTTP: only daemons talk on them), and serves
 * {@code dindex.cluster.status} locally: this node's id and every member with its index size, asked with the
 * member timeout so a member that is down shows as unreachable instead of holding the answer up.
 *
 * <p>Every other handler is a local consumer ({@link BusHandlers}), so a request never wanders to another member's
 * handler by accident: crossing the cluster is always an explicit member address.
 */
public final class ClusterVerticle extends VerticleBase {
    /** A member's own addresses: {@code dindex.member.<nodeId>.<verb>}. */
    public static String memberAddress(String nodeId, String verb) {
        return "dindex.member." + nodeId + "." + verb;
    }

    private final BusHandlers handlers;
    private final ClusterManager manager;
    private final ClusterOptions options;
    private final List<MessageConsumer<?>> consumers = new ArrayList<>();

    private final SearchService search;

    /**
     * Where this member keeps its member id and shard table, its shard count, and its collections. Its own writes,
     * deletes and commits it reaches through {@link BusHandlers#local}, and routes every member's through
     * {@link BusHandlers#route}: the writing parts do not know they are in a cluster.
     */
    public record Local(Path dataDir, int shards,
                        CollectionRegistry collections) {
    }

    /** The addresses this member routes by shard. */
    private static final List<String> ROUTED = List.of(Addresses.INDEX_SUBMIT, Addresses.DELETE, Addresses.COMMIT,
            Addresses.JOBS_GET);

    private final Local local;
    private ShardTable table;
    private WorkerExecutor worker;
    private long timer = -1;
    private boolean refreshing;

    public ClusterVerticle(BusHandlers handlers, ClusterManager manager, ClusterOptions options,
                           SearchService search, Local local) {
        this.local = local;
        this.search = search;
        this.handlers = handlers;
        this.manager = manager;
        this.options = options;
    }

    public String nodeId() {
        return manager.getNodeId();
    }

    @Override
    public Future<?> start() {
        worker = vertx.createSharedWorkerExecutor("dindex-cluster", 1, 1, TimeUnit.MINUTES);
        return worker.executeBlocking(() -> new ShardTable(((HazelcastClusterManager)
                manager).getHazelcastInstance(), local.dataDir(), local.shards()), true).compose(t -> {
            table = t;
            return serve();
        });
    }

    private Future<?> serve() {
        // This member's part of the writes other members route to it by shard.
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "index"), m ->
                handlers.local(Addresses.INDEX_SUBMIT).apply(m.body()).onSuccess(m::reply)
                        .onFailure(e -> BusHandlers.fail(m, e))));
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "delete"), m ->
                handlers.local(Addresses.DELETE).apply(m.body()).onSuccess(m::reply)
                        .onFailure(e -> BusHandlers.fail(m, e))));
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "commit"), m ->
                handlers.local(Addresses.COMMIT).apply(m.body()).onSuccess(m::reply)
                        .onFailure(e -> BusHandlers.fail(m, e))));
        ShardRouter router = new ShardRouter(vertx, table, this::allocation, handlers.local(Addresses.INDEX_SUBMIT),
                handlers.local(Addresses.DELETE), handlers.local(Addresses.COMMIT), local.collections());
        consumers.add(vertx.eventBus().<Object>consumer(memberAddress(nodeId(), "info"), m ->
                vertx.eventBus().<JsonObject>request(Addresses.STATS, new JsonObject())
                        .onSuccess(stats -> m.reply(info(stats.body())))
                        .onFailure(e -> m.fail(503, e.getMessage()))));
        // Another member's coordinator asks for this index's candidates.
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "candidates"), m ->
                vertx.eventBus().<JsonObject>request(SearchVerticle.CANDIDATES_ADDRESS, m.body())
                        .onSuccess(r -> m.reply(r.body()))
                        .onFailure(e -> BusHandlers.fail(m, e))));
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "chunks"), m ->
                vertx.eventBus().<JsonObject>request(SearchVerticle.CHUNKS_ADDRESS, m.body())
                        .onSuccess(r -> m.reply(r.body()))
                        .onFailure(e -> BusHandlers.fail(m, e))));
        // This daemon's searches with scope cluster: fan out, gather within the member timeout, fuse once.
        FederatedSearch federated = new FederatedSearch(vertx, search, options.memberTimeout());
        consumers.add(vertx.eventBus().<JsonObject>localConsumer(
                SearchVerticle.CLUSTER_SEARCH_ADDRESS, m ->
                        federated.search(manager.getNodes(), nodeId(), m.body())
                                .map(r -> markMissing(r, m.body())).onSuccess(m::reply)
                                .onFailure(e -> BusHandlers.fail(m, e))));
        handlers.serve(Addresses.CLUSTER_STATUS, body -> status());
        handlers.serve(Addresses.CLUSTER_SHARDS, body -> Future.succeededFuture(shards()));
        // Jobs: every member's list, and one job wherever it runs.
        consumers.add(forward("jobs", Addresses.JOBS_LIST));
        consumers.add(forward("job", Addresses.JOBS_GET));
        handlers.serve(Addresses.CLUSTER_JOBS, body -> clusterJobs());
        // Announce this member (its shard addresses are served now), allocate the default collection, then keep the
        // allocation in step with the members: every second, and whenever a write meets a collection not seen yet.
        return worker.executeBlocking(() -> {
            table.register(nodeId());
            table.refresh(manager.getNodes(), List.of(CollectionNames.DEFAULT));
            return null;
        }, true).onSuccess(v -> {
            handlers.route(Addresses.INDEX_SUBMIT, router::submit);
            handlers.route(Addresses.DELETE, router::delete);
            handlers.route(Addresses.COMMIT, router::commit);
            handlers.route(Addresses.JOBS_GET, this::job);
            timer = vertx.setPeriodic(1000, id -> refresh());
        });
    }

    /** Re-reads the members and reconciles the allocations (skipped while one is still running). */
    private void refresh() {
        if (refreshing) {
            return;
        }
        refreshing = true;
        worker.executeBlocking(() -> {
            table.refresh(manager.getNodes(), List.of());
            return null;
        }, true).onComplete(ar -> {
            refreshing = false;
            if (ar.failed()) {
                Logger.getLogger(ClusterVerticle.class.getName()).warning(
                        "cannot refresh the shard allocation: " + ar.cause());
            }
        });
    }

    /** The collection's allocation, made (over the live members) when it has none yet. */
    private Future<Shards.Allocation> allocation(String collection) {
        Shards.Allocation a = table.allocation(collection);
        if (a != null) {
            return Future.succeededFuture(a);
        }
        return worker.executeBlocking(() -> {
            table.refresh(manager.getNodes(), List.of(collection));
            Shards.Allocation made = table.allocation(collection);
            if (made == null) {
                throw new DindexException(ErrorCode.UNAVAILABLE,
                        "no shard allocation for collection '" + collection + "' yet");
            }
            return made;
        }, true);
    }

    /**
     * A cluster search's answer with the shards whose owner did not answer: {@code missing_shards} (always there, empty
     * when none) and {@code partial: true} when there are any. This holds for as long as the owner is gone, not only
     * until the cluster notices it left: a shard stays with its owner until that member comes back.
     */
    private JsonObject markMissing(JsonObject result, JsonObject body) {
        String collection = SearchRequest.parse(body.getJsonObject("request")).collections().get(0);
        Shards.Allocation a = table.allocation(collection);
        Set<String> answered = new HashSet<>();
        for (Object o : result.getJsonArray("members", new JsonArray())) {
            JsonObject m = (JsonObject) o;
            String member = table.memberOf(m.getString("node_id"));
            if ("ok".equals(m.getString("status")) && member != null) {
                answered.add(member);
            }
        }
        List<Integer> missing = a == null ? List.of() : a.missing(answered);
        result.put("missing_shards", new JsonArray(new ArrayList<>(missing)));
        if (!missing.isEmpty()) {
            result.put("partial", true);
        }
        return result;
    }

    /** Every collection's shards with owner and state, and the cluster's health (green, or red: a shard is down). */
    public JsonObject shards() {
        JsonArray collections = new JsonArray();
        boolean red = false;
        for (Shards.Allocation a : table.allocations().values()) {
            JsonArray list = new JsonArray();
            boolean down = false;
            for (int s = 0; s < a.shards(); s++) {
                String owner = a.owners().get(s);
                String node = table.nodeOf(owner);
                down |= node == null;
                list.add(new JsonObject().put("shard", s).put("owner", owner).put("node_id", node)
                        .put("state", node == null ? "unassigned" : "started")
                        .put("self", owner.equals(table.memberId())));
            }
            red |= down;
            collections.add(new JsonObject().put("collection", a.collection()).put("shards", a.shards())
                    .put("version", a.version()).put("health", down ? "red" : "green").put("allocation", list));
        }
        JsonArray members = new JsonArray();
        table.live().forEach((member, node) -> members.add(new JsonObject().put("member_id", member)
                .put("node_id", node)));
        return new JsonObject().put("enabled", true).put("node_id", nodeId()).put("member_id", table.memberId())
                .put("health", red ? "red" : "green").put("members", members).put("collections", collections);
    }

    /** A member address answered by a local address of this daemon. */
    private MessageConsumer<JsonObject> forward(String verb, String localAddress) {
        return vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), verb), m ->
                vertx.eventBus().<JsonObject>request(localAddress, m.body() == null ? new JsonObject() : m.body())
                        .onSuccess(r -> m.reply(r.body()))
                        .onFailure(e -> BusHandlers.fail(m, e)));
    }

    private DeliveryOptions memberDelivery() {
        return new DeliveryOptions().setSendTimeout(options.memberTimeout().toMillis());
    }

    /** Every member's jobs, each tagged with its member; members that do not answer are listed as such. */
    private Future<JsonObject> clusterJobs() {
        List<String> nodes = manager.getNodes();
        List<Future<JsonObject>> answers = new ArrayList<>();
        for (String node : nodes) {
            answers.add(vertx.eventBus().<JsonObject>request(memberAddress(node, "jobs"), new JsonObject(),
                    memberDelivery()).map(m -> m.body().put("node_id", node))
                    .otherwise(e -> new JsonObject().put("node_id", node).put("error", e.getMessage())));
        }
        return Future.join(answers).transform(ar -> {
            JsonArray all = new JsonArray();
            JsonArray unreachable = new JsonArray();
            for (Future<JsonObject> f : answers) {
                JsonObject r = f.result();
                if (r.getJsonArray("jobs") == null) {
                    unreachable.add(r.getString("node_id"));
                    continue;
                }
                r.getJsonArray("jobs").forEach(j -> all.add(((JsonObject) j).put("member", r.getString("node_id"))));
            }
            return Future.succeededFuture(new JsonObject().put("jobs", all).put("unreachable", unreachable));
        });
    }

    /** A job this daemon does not know: the first other member that knows it answers. */
    /**
     * One job, wherever it runs: this daemon's, else (unless the request says {@code local_only}) the first member
     * that knows it, so that any member's job can be shown and followed from any member.
     */
    private Future<JsonObject> job(JsonObject request) {
        Future<JsonObject> here = handlers.local(Addresses.JOBS_GET).apply(request);
        if (Boolean.TRUE.equals(request.getValue("local_only"))) {
            return here;
        }
        return here.recover(e -> e instanceof DindexException de
                && de.code() == ErrorCode.NOT_FOUND
                ? jobElsewhere(request.copy().put("local_only", true)) : Future.failedFuture(e));
    }

    private Future<JsonObject> jobElsewhere(JsonObject request) {
        List<Future<JsonObject>> answers = new ArrayList<>();
        for (String node : manager.getNodes()) {
            if (!node.equals(nodeId())) {
                answers.add(vertx.eventBus().<JsonObject>request(memberAddress(node, "job"), request,
                        memberDelivery()).map(m -> m.body().put("member", node)));
            }
        }
        return Future.any(answers).map(f -> answers.stream().filter(Future::succeeded).findFirst().orElseThrow()
                        .result())
                .recover(e -> Future.failedFuture(new DindexException(
                        ErrorCode.NOT_FOUND, "no job '" + request.getString("id")
                        + "' on any member")));
    }

    private JsonObject info(JsonObject stats) {
        return new JsonObject().put("node_id", nodeId()).put("member_id", table.memberId())
                .put("host", options.host())
                .put("documents", stats.getValue("documents")).put("chunks", stats.getValue("chunks"));
    }

    /** This node and every member, each asked for its index size within the member timeout. */
    public Future<JsonObject> status() {
        List<String> nodes = manager.getNodes();
        List<Future<JsonObject>> answers = new ArrayList<>();
        for (String node : nodes) {
            answers.add(vertx.eventBus().<JsonObject>request(memberAddress(node, "info"), new JsonObject(),
                            new DeliveryOptions().setSendTimeout(options.memberTimeout().toMillis()))
                    .map(m -> m.body().put("reachable", true))
                    .otherwise(e -> new JsonObject().put("node_id", node).put("reachable", false)
                            .put("error", e.getMessage())));
        }
        return Future.join(answers).transform(ar -> {
            JsonArray members = new JsonArray();
            for (Future<JsonObject> f : answers) {
                JsonObject m = f.result();
                members.add(m.put("self", nodeId().equals(m.getString("node_id"))));
            }
            JsonObject shards = shards();
            return Future.succeededFuture(new JsonObject().put("enabled", true).put("name", options.name())
                    .put("node_id", nodeId()).put("member_id", table.memberId()).put("members", members)
                    .put("health", shards.getString("health")).put("shards", shards.getJsonArray("collections")));
        });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        ROUTED.forEach(handlers::unroute);
        Future<?> unregistered = table == null ? Future.succeededFuture()
                : worker.executeBlocking(() -> {
                    table.unregister(nodeId());
                    return null;
                }, true).otherwiseEmpty();
        return unregistered.eventually(() -> Future.join(consumers.stream().map(MessageConsumer::unregister)
                .toList())).eventually(() -> worker.close());
    }
}
