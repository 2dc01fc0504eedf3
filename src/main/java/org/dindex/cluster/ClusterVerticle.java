package org.dindex.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
import org.dindex.index.Commits;
import org.dindex.index.IndexSnapshot;
import org.dindex.index.StoredDocuments;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;
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
     * Where this member keeps its member id and shard table, the shard and replica counts of new allocations, its
     * collections with their commit control, and the forwarding of its writes to other copies. Its own writes,
     * deletes and commits it reaches through {@link BusHandlers#local}, and routes every member's through
     * {@link BusHandlers#route}: the writing parts do not know they are in a cluster.
     */
    public record Local(Path dataDir, int shards, int replicas, CollectionRegistry collections, Commits commits,
                        Replication replication) {
    }

    /** The addresses this member routes by shard. */
    private static final List<String> ROUTED = List.of(Addresses.INDEX_SUBMIT, Addresses.DELETE, Addresses.CLEAR,
            Addresses.COMMIT, Addresses.JOBS_GET);

    private final Local local;
    private ShardTable table;
    private PeerRecovery recovery;
    private WorkerExecutor worker;
    private long searches;
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

    /**
     * Binds the cluster gauges: {@code dindex.cluster.health} (0 green, 1 yellow, 2 red) and
     * {@code dindex.cluster.copies} by state (started, initializing, unassigned), over every collection.
     */
    public ClusterVerticle meter(MeterRegistry registry) {
        Gauge.builder("dindex.cluster.health", this, ClusterVerticle::healthLevel)
                .description("Cluster health: 0 green, 1 yellow (a shard lacks a replica), 2 red (a shard has no"
                        + " live copy)").register(registry);
        for (String state : List.of("started", "initializing", "unassigned")) {
            Gauge.builder("dindex.cluster.copies", this, v -> v.copies(state))
                    .description("Shard copies by state").tag("state", state).register(registry);
        }
        return this;
    }

    private double copies(String state) {
        if (table == null) {
            return 0;
        }
        Set<String> live = table.live().keySet();
        return table.allocations().values().stream().flatMap(a -> a.copies().stream()).flatMap(List::stream)
                .filter(c -> state.equals(!live.contains(c.member()) ? "unassigned" : c.state().wire())).count();
    }

    public String nodeId() {
        return manager.getNodeId();
    }

    @Override
    public Future<?> start() {
        worker = vertx.createSharedWorkerExecutor("dindex-cluster", 1, 1, TimeUnit.MINUTES);
        return worker.executeBlocking(() -> new ShardTable(((HazelcastClusterManager)
                manager).getHazelcastInstance(), local.dataDir(), local.shards(), local.replicas()), true)
                .compose(t -> {
            table = t;
            recovery = new PeerRecovery(vertx, table, local.collections(), local.commits(), this::update);
            return serve();
        });
    }

    private Future<?> serve() {
        // This member's part of the writes other members route to it by shard, as those shards' primary.
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "index"), m ->
                ShardRouter.asPrimary(table, m.body()).compose(v -> handlers.local(Addresses.INDEX_SUBMIT)
                                .apply(m.body()))
                        .onSuccess(m::reply).onFailure(e -> BusHandlers.fail(m, e))));
        // Copies: writes forwarded by primaries, and the recovery of copies on other members from this one's.
        ReplicaWrites replica = new ReplicaWrites(table, local.collections(), local.commits(), recovery);
        answer("replicate", replica::apply);
        answer("shard_list", recovery::list);
        answer("shard_docs", recovery::documents);
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "delete"), m ->
                handlers.local(Addresses.DELETE).apply(m.body()).onSuccess(m::reply)
                        .onFailure(e -> BusHandlers.fail(m, e))));
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "clear"), m ->
                handlers.local(Addresses.CLEAR).apply(m.body()).onSuccess(m::reply)
                        .onFailure(e -> BusHandlers.fail(m, e))));
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "commit"), m ->
                handlers.local(Addresses.COMMIT).apply(m.body()).onSuccess(m::reply)
                        .onFailure(e -> BusHandlers.fail(m, e))));
        local.replication().bind(vertx, table, this::update);
        ShardRouter router = new ShardRouter(vertx, table, this::allocation, handlers.local(Addresses.INDEX_SUBMIT),
                handlers.local(Addresses.DELETE), handlers.local(Addresses.CLEAR), handlers.local(Addresses.COMMIT),
                local.collections());
        consumers.add(vertx.eventBus().<Object>consumer(memberAddress(nodeId(), "info"), m ->
                vertx.eventBus().<JsonObject>request(Addresses.STATS, new JsonObject())
                        .compose(stats -> shardDocuments().map(counts -> info(stats.body()).put("shard_documents",
                                counts)))
                        .onSuccess(m::reply)
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
                SearchVerticle.CLUSTER_SEARCH_ADDRESS, m -> clusterSearch(federated, m.body())
                        .onSuccess(m::reply).onFailure(e -> BusHandlers.fail(m, e))));
        handlers.serve(Addresses.CLUSTER_STATUS, body -> status());
        handlers.serve(Addresses.CLUSTER_SHARDS, body -> status().map(st -> shards(st.getJsonArray("members"))));
        // Jobs: every member's list, and one job wherever it runs.
        consumers.add(forward("jobs", Addresses.JOBS_LIST));
        consumers.add(forward("job", Addresses.JOBS_GET));
        handlers.serve(Addresses.CLUSTER_JOBS, body -> clusterJobs());
        // Announce this member (its shard addresses are served now), allocate the default collection, then keep the
        // allocation in step with the members: every second, and whenever a write meets a collection not seen yet.
        return worker.executeBlocking(() -> {
            table.register(nodeId());
            table.refresh(manager.getNodes(), List.of(CollectionNames.DEFAULT), nodeId());
            return null;
        }, true).onSuccess(v -> {
            handlers.route(Addresses.INDEX_SUBMIT, router::submit);
            handlers.route(Addresses.DELETE, router::delete);
            handlers.route(Addresses.CLEAR, router::clear);
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
            table.refresh(manager.getNodes(), List.of(), nodeId());
            return null;
        }, true).onComplete(ar -> {
            refreshing = false;
            if (ar.succeeded()) {
                recovery.startPending();
                recovery.dropUnheld();
            } else {
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
            table.refresh(manager.getNodes(), List.of(collection), nodeId());
            Shards.Allocation made = table.allocation(collection);
            if (made == null) {
                throw new DindexException(ErrorCode.UNAVAILABLE,
                        "no shard allocation for collection '" + collection + "' yet");
            }
            return made;
        }, true);
    }

    /**
     * A search over the cluster: one started copy of every shard answers for it (copies take turns), each member
     * reading only the shards it answers for. The answer names the shards no copy answered for, in
     * {@code missing_shards} (always there, empty when none), with {@code partial: true}: for as long as a shard has
     * no live copy, not only until the cluster notices a member left.
     */
    private Future<JsonObject> clusterSearch(FederatedSearch federated, JsonObject body) {
        String collection = SearchRequest.parse(body.getJsonObject("request")).collections().get(0);
        long turn = searches++;
        return allocation(collection).compose(a -> federated.search(new FederatedSearch.Plan() {
            @Override
            public Map<String, List<Integer>> first() {
                Map<String, List<Integer>> plan = new LinkedHashMap<>();
                a.searchPlan(table.live().keySet(), turn).forEach((member, list) ->
                        plan.put(table.nodeOf(member), list));
                return plan;
            }

            @Override
            public Map<String, List<Integer>> instead(Set<Integer> shards, Set<String> failed) {
                Map<String, List<Integer>> plan = new LinkedHashMap<>();
                for (int s : shards) {
                    a.copies().get(s).stream().filter(Shards.Copy::started).map(c -> table.nodeOf(c.member()))
                            .filter(node -> node != null && !failed.contains(node)).findFirst()
                            .ifPresent(node -> plan.computeIfAbsent(node, k -> new ArrayList<>()).add(s));
                }
                return plan;
            }
        }, a.shards(), body));
    }

    /** Changes a collection's allocation by compare-and-set, on the cluster worker. */
    private Future<Shards.Allocation> update(String collection, UnaryOperator<Shards.Allocation> change) {
        return worker.executeBlocking(() -> table.update(collection, change), true);
    }

    /** Answers a member address with {@code handler}. */
    private void answer(String verb, Function<JsonObject, Future<JsonObject>> handler) {
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), verb), m -> {
            Future<JsonObject> reply;
            try {
                reply = handler.apply(m.body());
            } catch (RuntimeException e) {
                reply = Future.failedFuture(e);
            }
            reply.onSuccess(m::reply).onFailure(e -> BusHandlers.fail(m, e));
        }));
    }

    /** Documents of each shard this member holds a copy of: {@code {collection: {shard: count}}}. */
    private Future<JsonObject> shardDocuments() {
        Map<String, Shards.Allocation> all = table.allocations();
        return vertx.executeBlocking(() -> {
            JsonObject out = new JsonObject();
            for (Shards.Allocation a : all.values()) {
                if (!local.collections().exists(a.collection())) {
                    continue;
                }
                JsonObject counts = new JsonObject();
                try (IndexSnapshot snap = local.collections().require(a.collection()).index().acquire()) {
                    for (int s = 0; s < a.shards(); s++) {
                        if (a.copyOn(s, table.memberId()) != null) {
                            counts.put(String.valueOf(s), StoredDocuments.count(snap,
                                    Shards.buckets(a.shards(), List.of(s))));
                        }
                    }
                }
                out.put(a.collection(), counts);
            }
            return out;
        }, false);
    }

    /**
     * Every collection's shards with each copy's member, role, state and (from {@code members}' answers, when given)
     * document count, and the cluster's health: green, yellow (a shard lacks a replica) or red (a shard has no live
     * copy). A copy on a member that is gone shows as {@code unassigned}.
     */
    public JsonObject shards(JsonArray members) {
        Map<String, JsonObject> counts = new HashMap<>();
        if (members != null) {
            members.forEach(o -> {
                JsonObject m = (JsonObject) o;
                if (m.getString("member_id") != null && m.getJsonObject("shard_documents") != null) {
                    counts.put(m.getString("member_id"), m.getJsonObject("shard_documents"));
                }
            });
        }
        Set<String> live = table.live().keySet();
        JsonArray collections = new JsonArray();
        String worst = "green";
        for (Shards.Allocation a : table.allocations().values()) {
            JsonArray list = new JsonArray();
            for (int s = 0; s < a.shards(); s++) {
                JsonArray copies = new JsonArray();
                for (Shards.Copy c : a.copies().get(s)) {
                    String node = table.nodeOf(c.member());
                    JsonObject perShard = counts.getOrDefault(c.member(), new JsonObject())
                            .getJsonObject(a.collection(), new JsonObject());
                    copies.add(new JsonObject().put("member", c.member()).put("node_id", node)
                            .put("role", c.primary() ? "primary" : "replica")
                            .put("state", node == null ? "unassigned" : c.state().wire())
                            .put("documents", perShard.getInteger(String.valueOf(s)))
                            .put("self", c.member().equals(table.memberId())));
                }
                Shards.Copy primary = a.primary(s);
                boolean up = a.copies().get(s).stream().anyMatch(c -> c.started() && live.contains(c.member()));
                list.add(new JsonObject().put("shard", s).put("owner", primary == null ? null : primary.member())
                        .put("state", up ? "started" : "unassigned").put("copies", copies));
            }
            String health = a.health(live);
            worst = worse(worst, health);
            collections.add(new JsonObject().put("collection", a.collection()).put("shards", a.shards())
                    .put("replicas", a.replicas()).put("version", a.version()).put("health", health)
                    .put("missing_shards", new JsonArray(a.missing(live)))
                    .put("under_replicated_shards", new JsonArray(a.underReplicated(live)))
                    .put("allocation", list));
        }
        JsonArray liveMembers = new JsonArray();
        table.live().forEach((member, node) -> liveMembers.add(new JsonObject().put("member_id", member)
                .put("node_id", node)));
        return new JsonObject().put("enabled", true).put("node_id", nodeId()).put("member_id", table.memberId())
                .put("health", worst).put("members", liveMembers).put("collections", collections);
    }

    private static String worse(String a, String b) {
        List<String> order = List.of("green", "yellow", "red");
        return order.indexOf(a) >= order.indexOf(b) ? a : b;
    }

    /** The cluster's health now, from the shard table alone (for gauges): 0 green, 1 yellow, 2 red. */
    public int healthLevel() {
        if (table == null) {
            return 0;
        }
        Set<String> live = table.live().keySet();
        int worst = 0;
        for (Shards.Allocation a : table.allocations().values()) {
            worst = Math.max(worst, List.of("green", "yellow", "red").indexOf(a.health(live)));
        }
        return worst;
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
            JsonObject shards = shards(members);
            return Future.succeededFuture(new JsonObject().put("enabled", true).put("name", options.name())
                    .put("node_id", nodeId()).put("member_id", table.memberId()).put("members", members)
                    .put("health", shards.getString("health")).put("shards", shards.getJsonArray("collections")));
        });
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        ROUTED.forEach(handlers::unroute);
        local.replication().unbind();
        Future<?> unregistered = table == null ? Future.succeededFuture()
                : worker.executeBlocking(() -> {
                    table.unregister(nodeId());
                    return null;
                }, true).otherwiseEmpty();
        return unregistered.eventually(() -> Future.join(consumers.stream().map(MessageConsumer::unregister)
                .toList())).eventually(() -> worker.close());
    }
}
