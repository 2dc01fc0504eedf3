package org.dindex.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.SearchQuery;
import org.dindex.client.DindexClient;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.concurrent.atomic.LongAdder;

/**
 * Retrieval quality on a BEIR-format folder ({@code corpus.jsonl}, {@code queries.jsonl}, {@code qrels/<split>.tsv}
 * with CRLF line ends): indexes the corpus into a daemon, runs every query of the split in each mode, and computes
 * nDCG@10 (graded gains, the BEIR/pytrec_eval definition), Recall@100 and MRR@10 over documents (a document ranks
 * where its best chunk ranks).
 */
public final class BeirEvaluation {
    /** A named search configuration to evaluate: mode plus optional fusion override. */
    public record Variant(String name, String mode, JsonObject fusion, Double titleWeight, Integer candidates) {
        public Variant(String name, String mode, JsonObject fusion) {
            this(name, mode, fusion, null, null);
        }

        public Variant(String name, String mode, JsonObject fusion, Double titleWeight) {
            this(name, mode, fusion, titleWeight, null);
        }
    }

    private static final String PREFIX = "beir://";
    private final Path dir;
    private final String split;

    public BeirEvaluation(Path dir, String split) {
        this.dir = dir;
        this.split = split;
    }

    /** Indexes the corpus; returns the number of chunks. Progress goes to {@code progress} (documents done). */
    public long index(Path socket, IntConsumer progress) throws Exception {
        List<JsonObject> docs = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(dir.resolve("corpus.jsonl"))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject d = new JsonObject(line);
                String text = d.getString("text", "");
                String title = d.getString("title", "");
                docs.add(new JsonObject().put("source", PREFIX + d.getString("_id"))
                        .put("title", title.isBlank() ? null : title)
                        .put("text", text.isBlank() ? title : text));
            }
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        LongAdder chunks = new LongAdder();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            senders.add(Thread.ofPlatform().start(() -> {
                try (DindexClient c = DindexClient.connect(socket)) {
                    for (int i = next.getAndAdd(16); i < docs.size(); i = next.getAndAdd(16)) {
                        JsonObject reply = c.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents",
                                new JsonArray(new ArrayList<>(docs.subList(i, Math.min(docs.size(), i + 16))))),
                                Duration.ofMinutes(30));
                        for (Object o : reply.getJsonArray("results")) {
                            chunks.add(((JsonObject) o).getInteger("chunks", 0));
                        }
                        progress.accept(done.addAndGet(reply.getJsonArray("results").size()));
                    }
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : senders) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("indexing the corpus failed: " + failures.peek().getMessage());
        }
        try (DindexClient c = DindexClient.connect(socket)) {
            c.request(Addresses.COMMIT, new JsonObject(), Duration.ofMinutes(30));
        }
        return chunks.sum();
    }

    /** Runs every query of the split in each variant; returns one JSON row per variant. */
    public JsonArray evaluate(Path socket, List<Variant> variants) throws IOException {
        Map<String, String> queries = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(dir.resolve("queries.jsonl"))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    JsonObject q = new JsonObject(line);
                    queries.put(q.getString("_id"), q.getString("text"));
                }
            }
        }
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("qrels").resolve(split + ".tsv"))) {
            String[] parts = line.strip().split("\t");
            if (parts.length < 3 || parts[0].equals("query-id")) {
                continue;
            }
            qrels.computeIfAbsent(parts[0], k -> new HashMap<>()).put(parts[1], Integer.parseInt(parts[2].strip()));
        }
        JsonArray rows = new JsonArray();
        try (DindexClient c = DindexClient.connect(socket)) {
            for (Variant v : variants) {
                double ndcg = 0;
                double recall = 0;
                double mrr = 0;
                int n = 0;
                long t0 = System.nanoTime();
                for (var e : qrels.entrySet()) {
                    String text = queries.get(e.getKey());
                    if (text == null || text.isBlank()) {
                        continue;
                    }
                    // Depth is max(candidates, top_k): a candidate-depth variant asks for no more chunks than its
                    // depth, so the depth is what is measured (its Recall@100 is then capped by that depth).
                    int depth = v.candidates() != null ? v.candidates() : 300;
                    JsonObject req = SearchQuery.of(text).withTopK(depth).withMode(v.mode()).toJson()
                            .put("candidates", depth);
                    if (v.fusion() != null) {
                        req.put("fusion", v.fusion());
                    }
                    if (v.titleWeight() != null) {
                        req.put("title_weight", v.titleWeight());
                    }
                    List<String> ranking = new ArrayList<>();
                    for (Object o : c.request(Addresses.SEARCH, req, Duration.ofMinutes(5)).getJsonArray("results")) {
                        ranking.add(((JsonObject) o).getString("source").substring(PREFIX.length()));
                    }
                    Map<String, Integer> rel = e.getValue();
                    ndcg += ndcg(ranking, rel, 10);
                    recall += recall(ranking, rel, 100);
                    mrr += mrr(ranking, rel, 10);
                    n++;
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                JsonObject row = new JsonObject().put("variant", v.name()).put("mode", v.mode())
                        .put("fusion", v.fusion()).put("queries", n)
                        .put("ndcg_at_10", ndcg / n).put("recall_at_100", recall / n).put("mrr_at_10", mrr / n)
                        .put("seconds", seconds);
                rows.add(row);
                System.err.printf("dindex: %-34s nDCG@10 %.4f  Recall@100 %.4f  MRR@10 %.4f%n", v.name(),
                        row.getDouble("ndcg_at_10"), row.getDouble("recall_at_100"), row.getDouble("mrr_at_10"));
            }
        }
        return rows;
    }

    static double ndcg(List<String> ranking, Map<String, Integer> rel, int k) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            int g = rel.getOrDefault(ranking.get(i), 0);
            dcg += g / (Math.log(i + 2) / Math.log(2));
        }
        List<Integer> ideal = rel.values().stream().filter(g -> g > 0).sorted((a, b) -> b - a).toList();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) {
            idcg += ideal.get(i) / (Math.log(i + 2) / Math.log(2));
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    static double recall(List<String> ranking, Map<String, Integer> rel, int k) {
        long relevant = rel.values().stream().filter(g -> g > 0).count();
        if (relevant == 0) {
            return 0;
        }
        long found = ranking.subList(0, Math.min(k, ranking.size())).stream()
                .filter(d -> rel.getOrDefault(d, 0) > 0).count();
        return (double) found / relevant;
    }

    static double mrr(List<String> ranking, Map<String, Integer> rel, int k) {
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            if (rel.getOrDefault(ranking.get(i), 0) > 0) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }

    public static String table(JsonObject result) {
        StringBuilder sb = new StringBuilder(String.format("model %s, %s split, %d documents, %d chunks (indexed in"
                        + " %.0f s)%n", result.getString("model"), result.getString("split"),
                result.getInteger("documents"), result.getLong("chunks"), result.getDouble("index_seconds")));
        sb.append(String.format("%-34s %9s %11s %8s %8s%n", "variant", "nDCG@10", "Recall@100", "MRR@10", "time s"));
        for (Object o : result.getJsonArray("rows")) {
            JsonObject r = (JsonObject) o;
            sb.append(String.format("%-34s %9.4f %11.4f %8.4f %8.1f%n", r.getString("variant"),
                    r.getDouble("ndcg_at_10"), r.getDouble("recall_at_100"), r.getDouble("mrr_at_10"),
                    r.getDouble("seconds")));
        }
        return sb.toString();
    }
}
