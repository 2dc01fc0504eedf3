package org.dindex.cluster;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import org.dindex.protocol.Addresses;
import org.dindex.bus.BusHandlers;

import java.util.ArrayList;
import java.util.List;

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

    private final org.dindex.search.SearchService search;

    private final org.dindex.jobs.JobsVerticle jobs;

    public ClusterVerticle(BusHandlers handlers, ClusterManager manager, ClusterOptions options,
                           org.dindex.search.SearchService search, org.dindex.jobs.JobsVerticle jobs) {
        this.jobs = jobs;
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
        consumers.add(vertx.eventBus().<Object>consumer(memberAddress(nodeId(), "info"), m ->
                vertx.eventBus().<JsonObject>request(Addresses.STATS, new JsonObject())
                        .onSuccess(stats -> m.reply(info(stats.body())))
                        .onFailure(e -> m.fail(503, e.getMessage()))));
        // Another member's coordinator asks for this index's candidates.
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "candidates"), m ->
                vertx.eventBus().<JsonObject>request(org.dindex.search.SearchVerticle.CANDIDATES_ADDRESS, m.body())
                        .onSuccess(r -> m.reply(r.body()))
                        .onFailure(e -> BusHandlers.fail(m, e))));
        consumers.add(vertx.eventBus().<JsonObject>consumer(memberAddress(nodeId(), "chunks"), m ->
                vertx.eventBus().<JsonObject>request(org.dindex.search.SearchVerticle.CHUNKS_ADDRESS, m.body())
                        .onSuccess(r -> m.reply(r.body()))
                        .onFailure(e -> BusHandlers.fail(m, e))));
        // This daemon's searches with scope cluster: fan out, gather within the member timeout, fuse once.
        FederatedSearch federated = new FederatedSearch(vertx, search, options.memberTimeout());
        consumers.add(vertx.eventBus().<JsonObject>localConsumer(
                org.dindex.search.SearchVerticle.CLUSTER_SEARCH_ADDRESS, m ->
                        federated.search(manager.getNodes(), nodeId(), m.body()).onSuccess(m::reply)
                                .onFailure(e -> BusHandlers.fail(m, e))));
        handlers.serve(Addresses.CLUSTER_STATUS, body -> status());
        // Jobs: every member's list, and one job wherever it runs.
        consumers.add(forward("jobs", Addresses.JOBS_LIST));
        consumers.add(forward("job", Addresses.JOBS_GET));
        handlers.serve(Addresses.CLUSTER_JOBS, body -> clusterJobs());
        if (jobs != null) {
            jobs.lookElsewhere(this::jobElsewhere);
        }
        return Future.succeededFuture();
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
                .recover(e -> Future.failedFuture(new org.dindex.protocol.DindexException(
                        org.dindex.protocol.ErrorCode.NOT_FOUND, "no job '" + request.getString("id")
                        + "' on any member")));
    }

    private JsonObject info(JsonObject stats) {
        return new JsonObject().put("node_id", nodeId()).put("host", options.host())
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
            return Future.succeededFuture(new JsonObject().put("enabled", true).put("name", options.name())
                    .put("node_id", nodeId()).put("members", members));
        });
    }

    @Override
    public Future<?> stop() {
        return Future.join(consumers.stream().map(MessageConsumer::unregister).toList());
    }
}
