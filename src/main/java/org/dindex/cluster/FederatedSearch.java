package org.dindex.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.search.MergedFusion;
import org.dindex.search.SearchRequest;
import org.dindex.search.SearchService;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A search over the cluster's shards, one copy of each, fused once at the coordinator.
 *
 * <p>Each member returns its candidates per retriever with raw scores (not a fused list: fusing per member and
 * then comparing fused scores from different indexes would mix incomparable scales). The math:
 * The fusion itself is {@link MergedFusion}, shared with searches over several collections:
 * <ul>
 *   <li>Dense scores are dot products of unit vectors from the same model on every member (the coordinator embeds
 *       the query once and refuses members with another model), so they are comparable as they are.</li>
 *   <li>BM25 scores are not: IDF and length norms depend on each member's corpus. Each member's BM25 list is
 *       min-max normalised to [0, 1] on its own before the lists are merged; merged rank order is by that value.</li>
 *   <li>The merged lists are fused once with the configured fusion: RRF on the merged ranks, or linear over
 *       min-max normalised scores (for dense, over the union of all members' candidates).</li>
 * </ul>
 * A member that does not answer within the member timeout is left out; other copies of its shards are asked
 * instead, and the answer is {@code partial} only when some shard had no copy that answered.
 */
final class FederatedSearch {
    private final Vertx vertx;
    private final SearchService service;
    private final Duration memberTimeout;

    FederatedSearch(Vertx vertx, SearchService service, Duration memberTimeout) {
        this.vertx = vertx;
        this.service = service;
        this.memberTimeout = memberTimeout;
    }

    private record Answer(String node, List<Integer> shards, JsonObject candidates, String problem, double millis) {
        /** Whether it counts: candidates came, made with the coordinator's model. */
        boolean usable(String model) {
            return candidates != null && (model == null || model.equals(candidates.getString("model")));
        }
    }

    /** Who answers for which shards of a search (node id to shards). */
    interface Plan {
        /** One started copy of each shard that has a live one. */
        Map<String, List<Integer>> first();

        /** Other started copies of {@code shards}, on nodes other than {@code failed}. */
        Map<String, List<Integer>> instead(Set<Integer> shards, Set<String> failed);
    }

    /**
     * Asks each node of the plan for its candidates in the shards the plan gives it (of {@code shards}), asks other
     * copies for the shards of nodes that did not answer in time (a member that just died: the cluster has not
     * noticed yet), and fuses everything once. Shards no copy answered for are named in {@code missing_shards}.
     */
    Future<JsonObject> search(Plan plan, int shards, JsonObject body) {
        long t0 = System.nanoTime();
        SearchRequest req = SearchRequest.parse(body.getJsonObject("request"));
        String model = body.getString("model");
        return ask(plan.first(), shards, body).compose(first -> {
            Set<Integer> retry = new TreeSet<>();
            Set<String> failed = new HashSet<>();
            for (Answer a : first) {
                if (!a.usable(model)) {
                    retry.addAll(a.shards());
                    failed.add(a.node());
                }
            }
            if (retry.isEmpty()) {
                return Future.succeededFuture(first);
            }
            return ask(plan.instead(retry, failed), shards, body).map(second -> {
                List<Answer> all = new ArrayList<>(first);
                all.addAll(second);
                return all;
            });
        }).compose(all -> {
            Fused fused = fuse(req, all, model);
            Set<Integer> missing = new TreeSet<>();
            for (int s = 0; s < shards; s++) {
                missing.add(s);
            }
            for (Answer a : all) {
                if (a.usable(model)) {
                    missing.removeAll(a.shards());
                }
            }
            return fetchMissing(fused, req.collections().get(0)).map(v -> {
                JsonObject result = assemble(req, fused);
                result.put("missing_shards", new JsonArray(new ArrayList<>(missing)))
                        .put("partial", !missing.isEmpty() || result.getBoolean("partial"));
                result.put("query_time_ms", (System.nanoTime() - t0) / 1e6);
                if (body.getString("degraded") != null) {
                    result.put("degraded", true).put("warning", "dense retrieval unavailable (" + body.getString(
                            "degraded") + "); results are BM25 only");
                }
                return result;
            });
        });
    }

    private Future<List<Answer>> ask(Map<String, List<Integer>> plan, int shards, JsonObject body) {
        List<Future<Answer>> answers = new ArrayList<>();
        plan.forEach((node, list) -> {
            JsonObject ask = new JsonObject().put("request", body.getJsonObject("request"))
                    .put("query_vector", body.getValue("query_vector"))
                    .put("buckets", Shards.buckets(shards, list).toJson());
            long start = System.nanoTime();
            answers.add(vertx.eventBus().<JsonObject>request(ClusterVerticle.memberAddress(node, "candidates"), ask,
                            new DeliveryOptions().setSendTimeout(memberTimeout.toMillis()))
                    .map(m -> new Answer(node, list, m.body(), null, (System.nanoTime() - start) / 1e6))
                    .otherwise(e -> new Answer(node, list, null, e.getMessage(),
                            (System.nanoTime() - start) / 1e6)));
        });
        return Future.join(answers).transform(ar -> Future.succeededFuture(answers.stream().map(Future::result)
                .toList()));
    }

    /** The fused top k (keys {@code node/chunkId}) with their scores, and what is known so far. */
    private record Fused(List<Map.Entry<String, Double>> top, Map<String, Float> dense, Map<String, Float> bm25,
                         Map<String, JsonObject> chunks, JsonArray members) {
    }

    /** Fetches the stored chunks of picked candidates whose payload a member did not send (rare). */
    private Future<Void> fetchMissing(Fused f, String collection) {
        Map<String, List<String>> missing = new LinkedHashMap<>();
        for (var e : f.top()) {
            if (!f.chunks().containsKey(e.getKey())) {
                int slash = e.getKey().indexOf('/');
                missing.computeIfAbsent(e.getKey().substring(0, slash), k -> new ArrayList<>())
                        .add(e.getKey().substring(slash + 1));
            }
        }
        List<Future<?>> fetches = new ArrayList<>();
        missing.forEach((node, ids) -> fetches.add(vertx.eventBus().<JsonObject>request(
                        ClusterVerticle.memberAddress(node, "chunks"), new JsonObject().put("chunk_ids",
                                new JsonArray(ids)).put("collection", collection), new DeliveryOptions().setSendTimeout(memberTimeout.toMillis()))
                .onSuccess(m -> m.body().forEach(c -> f.chunks().put(node + "/" + c.getKey(),
                        ((JsonObject) c.getValue()).put("member", node))))));
        return Future.join(fetches).otherwiseEmpty().mapEmpty();
    }

    private Fused fuse(SearchRequest req, List<Answer> answers, String model) {
        Map<String, JsonObject> chunks = new HashMap<>();
        JsonArray members = new JsonArray();
        List<MergedFusion.Source> sources = new ArrayList<>();
        for (Answer a : answers) {
            JsonObject c = a.candidates();
            String problem = a.problem();
            if (c != null && model != null && !model.equals(c.getString("model"))) {
                problem = "embeds with " + c.getString("model") + ", not " + model;
                c = null;
            }
            if (c == null) {
                members.add(new JsonObject().put("node_id", a.node()).put("shards", new JsonArray(a.shards()))
                        .put("status", problem != null
                        && problem.contains("Timed out") ? "timeout" : "failed").put("error", problem));
                continue;
            }
            members.add(new JsonObject().put("node_id", a.node()).put("shards", new JsonArray(a.shards()))
                    .put("status", "ok")
                    .put("candidates", c.getJsonArray("dense").size() + c.getJsonArray("bm25").size()).put("time_ms", a.millis()));
            sources.add(new MergedFusion.Source(a.node(), scores(c.getJsonArray("dense")),
                    scores(c.getJsonArray("bm25"))));
            String node = a.node();
            String prefix = node + "/";
            c.getJsonObject("chunks").forEach(e -> chunks.put(prefix + e.getKey(),
                    ((JsonObject) e.getValue()).put("member", node)));
        }
        // Every member embeds with the coordinator's model (others are refused above): dense scores stay raw.
        MergedFusion.Result r = MergedFusion.fuse(req.mode(), req.fusion() != null ? req.fusion()
                : service.options().fusion(), req.topK(), sources, false);
        return new Fused(r.top(), r.dense(), r.bm25(), chunks, members);
    }

    /** A member's {@code [[chunk_id, score], ...]} list as a map, in its order. */
    private static Map<String, Float> scores(JsonArray pairs) {
        Map<String, Float> out = new LinkedHashMap<>();
        for (Object o : pairs) {
            JsonArray pair = (JsonArray) o;
            out.put(pair.getString(0), pair.getNumber(1).floatValue());
        }
        return out;
    }

    private JsonObject assemble(SearchRequest req, Fused f) {
        List<SearchService.Hit> hits = new ArrayList<>();
        for (var e : f.top()) {
            JsonObject chunk = f.chunks().get(e.getKey());
            if (chunk != null) {  // null only when its member died between the two rounds
                hits.add(new SearchService.Hit(-1, f.dense().get(e.getKey()), f.bm25().get(e.getKey()),
                        e.getValue(), chunk));
            }
        }
        JsonArray members = f.members();
        // Partial here when a picked chunk's member died between the two rounds; missing shards are added later.
        boolean partial = hits.size() < f.top().size();
        JsonObject result = service.assembleHits(req, hits);
        Map<String, String> memberOfDoc = new HashMap<>();
        hits.forEach(h -> memberOfDoc.putIfAbsent(h.chunk().getString("document_id"), h.chunk().getString("member")));
        for (Object o : result.getJsonArray("results")) {
            JsonObject doc = (JsonObject) o;
            doc.put("member", memberOfDoc.get(doc.getString("document_id")));
        }
        return result.put("mode", req.mode().name().toLowerCase(Locale.ROOT)).put("scope", "cluster")
                .put("members", members).put("partial", partial);
    }
}
