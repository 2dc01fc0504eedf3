package org.dindex.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.client.DindexClient;
import org.dindex.config.ConfigLoader;
import org.dindex.config.Settings;
import org.dindex.embed.HttpEmbedder;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.QueryVectors;
import org.dindex.protocol.SearchQuery;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code dindex bench cluster}: what three members with one replica per shard buy over one daemon, with the same
 * documents and queries in the same run.
 * <ol>
 *   <li><b>Ingest</b> through one member's front door (routed to the shards' primaries, which embed and forward to
 *       their replicas) against a standalone daemon, all embedding through {@link DelayedEmbeddingServer}: each
 *       daemon has one embedding request in flight, answered after a fixed delay, as with one remote GPU per
 *       member.</li>
 *   <li><b>Search</b> latency through one member (one copy of each shard asked) against the standalone daemon
 *       holding everything, interleaved, with the embedding delay off.</li>
 *   <li><b>Re-replication</b>: a collection of one shard with a given number of chunks (vectors given, nothing
 *       embedded) on one member; a second member joins and the time until its copy is started is measured.</li>
 * </ol>
 */
public final class ClusterBenchmark {
    private static final int DIMENSIONS = 384;
    private static final int SENDERS = 32;
    private static final int DOCS_PER_REQUEST = 8;

    /**
     * @param env        the environment daemons start with (the caller's, plus what each phase sets)
     * @param configFile the user's config file, read with that environment
     */
    public record Options(Path corpus, int documents, int queries, long embedDelayMillis, int recoveryChunks,
                          Map<String, String> env, Path configFile) {
    }

    private final Options options;

    public ClusterBenchmark(Options options) {
        this.options = options;
    }

    public JsonObject run() throws Exception {
        List<EuroparlCorpus.Doc> docs = EuroparlCorpus.english(options.corpus(), options.documents());
        JsonObject report = new JsonObject().put("machine", Machine.describe()).put("documents", docs.size())
                .put("members", 3).put("replicas", 1).put("embed_delay_ms", options.embedDelayMillis());
        try (DelayedEmbeddingServer embedder = new DelayedEmbeddingServer(DIMENSIONS, options.embedDelayMillis())) {
            ingestAndSearch(docs, embedder, report);
            embedder.delay(0);
            report.put("recovery", recovery(embedder));
        }
        return report;
    }

    private Map<String, String> env(DelayedEmbeddingServer embedder) {
        Map<String, String> env = new HashMap<>(options.env());
        env.put(Settings.EMBEDDING_BACKEND.envName(), "http");
        env.put(Settings.EMBEDDING_MODEL.envName(), DelayedEmbeddingServer.MODEL);
        env.put(Settings.HTTP_EMBEDDING_URL.envName(), embedder.url());
        env.put(Settings.HTTP_EMBEDDING_DIMENSIONS.envName(), String.valueOf(DIMENSIONS));
        env.put(Settings.EMBEDDING_BATCH_SIZE.envName(), "16");
        env.put(Settings.CLUSTER_ENABLED.envName(), "false");
        return env;
    }

    /** Three members joining each other on free ports, with {@code extra} settings. */
    private List<TemporaryDaemon> cluster(Map<String, String> base, int n, Map<String, String> extra)
            throws IOException {
        int[] ports = new int[n];
        for (int i = 0; i < n; i++) {
            try (ServerSocket s = new ServerSocket(0)) {
                ports[i] = s.getLocalPort();
            }
        }
        List<TemporaryDaemon> out = new ArrayList<>();
        String name = "bench-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        for (int i = 0; i < n; i++) {
            Map<String, String> env = new HashMap<>(base);
            env.putAll(extra);
            env.put(Settings.CLUSTER_ENABLED.envName(), "true");
            env.put(Settings.CLUSTER_NAME.envName(), name);
            env.put(Settings.CLUSTER_PORT.envName(), String.valueOf(ports[i]));
            List<String> others = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    others.add("127.0.0.1:" + ports[j]);
                }
            }
            env.put(Settings.CLUSTER_JOIN.envName(), String.join(",", others));
            out.add(daemon(env));
        }
        return out;
    }

    private TemporaryDaemon daemon(Map<String, String> env) throws IOException {
        return new TemporaryDaemon(new ConfigLoader(env).load(options.configFile(), Map.of()), env, "dindex-bench");
    }

    private void ingestAndSearch(List<EuroparlCorpus.Doc> docs, DelayedEmbeddingServer embedder, JsonObject report)
            throws Exception {
        Map<String, String> env = env(embedder);
        List<TemporaryDaemon> members = cluster(env, 3, Map.of());
        try (TemporaryDaemon single = daemon(env)) {
            for (TemporaryDaemon m : members) {
                m.start();
            }
            single.start();
            awaitSettled(members.getFirst().socket(), 3, "green", Duration.ofMinutes(2));
            JsonObject one = ingest(single.socket(), docs);
            JsonObject three = ingest(members.getFirst().socket(), docs);
            JsonArray embedding = new JsonArray();
            for (TemporaryDaemon m : members) {
                try (DindexClient c = DindexClient.connect(m.socket())) {
                    JsonObject stats = c.request(Addresses.STATS, new JsonObject());
                    embedding.add(stats.getJsonObject("embedding").put("documents", stats.getValue("documents")));
                }
            }
            three.put("members", embedding);
            report.put("ingest", new JsonObject().put("single", one).put("cluster_3_members", three)
                    .put("ratio", three.getDouble("chunks_per_second") / one.getDouble("chunks_per_second")));
            embedder.delay(0);
            report.put("search", search(docs, members.getFirst().socket(), single.socket()));
        } finally {
            for (TemporaryDaemon d : members) {
                d.close();
            }
        }
    }

    /** Submits every document through {@code socket} with several requests in flight, then commits. */
    private static JsonObject ingest(Path socket, List<EuroparlCorpus.Doc> docs) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger chunks = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
        try {
            List<Future<?>> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                senders.add(pool.submit(() -> {
                    // A connection per sender: a DindexClient is one conversation at a time.
                    try (DindexClient c = DindexClient.connect(socket)) {
                        for (int from = next.getAndAdd(DOCS_PER_REQUEST); from < docs.size();
                             from = next.getAndAdd(DOCS_PER_REQUEST)) {
                            JsonArray batch = new JsonArray();
                            for (int i = from; i < Math.min(docs.size(), from + DOCS_PER_REQUEST); i++) {
                                batch.add(new JsonObject().put("source", "bench://europarl/" + i)
                                        .put("title", docs.get(i).title()).put("text", docs.get(i).text()));
                            }
                            JsonObject r = c.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", batch),
                                    Duration.ofMinutes(10));
                            for (Object o : r.getJsonArray("results")) {
                                JsonObject d = (JsonObject) o;
                                chunks.addAndGet(d.getInteger("chunks", 0));
                                failed.addAndGet("failed".equals(d.getString("status")) ? 1 : 0);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : senders) {
                f.get();
            }
            try (DindexClient c = DindexClient.connect(socket)) {
                c.request(Addresses.COMMIT, new JsonObject(), Duration.ofMinutes(10));
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new JsonObject().put("seconds", seconds).put("chunks", chunks.get()).put("failed", failed.get())
                .put("chunks_per_second", chunks.get() / seconds).put("documents_per_second", docs.size() / seconds);
    }

    private JsonObject search(List<EuroparlCorpus.Doc> docs, Path member, Path allInOne) {
        List<JsonObject> queries = new ArrayList<>();
        Random random = new Random(11);
        for (int q = 0; q < options.queries(); q++) {
            String[] words = docs.get(random.nextInt(docs.size())).text().split("\\s+");
            int from = words.length > 10 ? random.nextInt(words.length - 8) : 0;
            queries.add(SearchQuery.of(String.join(" ", Arrays.copyOfRange(words, from,
                    Math.min(words.length, from + 8)))).toJson());
        }
        try (DindexClient cluster = DindexClient.connect(member); DindexClient single = DindexClient.connect(allInOne)) {
            for (JsonObject q : queries.subList(0, Math.min(20, queries.size()))) {
                cluster.request(Addresses.SEARCH, q.copy().put("scope", "cluster"));
                single.request(Addresses.SEARCH, q);
            }
            // Interleaved so that both series see the same machine load.
            long[] federated = new long[queries.size()];
            long[] local = new long[queries.size()];
            int partial = 0;
            for (int i = 0; i < queries.size(); i++) {
                long t0 = System.nanoTime();
                JsonObject r = cluster.request(Addresses.SEARCH, queries.get(i).copy().put("scope", "cluster"),
                        Duration.ofSeconds(30));
                federated[i] = System.nanoTime() - t0;
                partial += r.getBoolean("partial", false) ? 1 : 0;
                t0 = System.nanoTime();
                single.request(Addresses.SEARCH, queries.get(i), Duration.ofSeconds(30));
                local[i] = System.nanoTime() - t0;
            }
            LatencyPercentiles f = LatencyPercentiles.ofNanos(federated);
            LatencyPercentiles l = LatencyPercentiles.ofNanos(local);
            return new JsonObject().put("queries", queries.size()).put("single", stats(l))
                    .put("cluster_3_members", stats(f)).put("p50_ratio", f.p50Micros() / l.p50Micros())
                    .put("p99_ratio", f.p99Micros() / l.p99Micros()).put("partial_answers", partial);
        }
    }

    /**
     * One shard of {@code recoveryChunks} chunks on one member; a second member joins, and its copy of the shard is
     * filled from the first while it is timed.
     */
    private JsonObject recovery(DelayedEmbeddingServer embedder) throws Exception {
        List<TemporaryDaemon> pair = cluster(env(embedder), 2, Map.of(Settings.CLUSTER_SHARDS.envName(), "1",
                Settings.CLUSTER_REPLICAS.envName(), "1"));
        try {
            pair.getFirst().start();
            awaitSettled(pair.getFirst().socket(), 1, "yellow", Duration.ofMinutes(2));
            long b0 = System.nanoTime();
            int documents = build(pair.getFirst().socket(), options.recoveryChunks());
            double buildSeconds = (System.nanoTime() - b0) / 1e9;
            long j0 = System.nanoTime();
            pair.get(1).start();
            double startSeconds = (System.nanoTime() - j0) / 1e9;
            JsonObject green = awaitSettled(pair.getFirst().socket(), 2, "green", Duration.ofMinutes(60));
            double seconds = (System.nanoTime() - j0) / 1e9;
            JsonArray copies = green.getJsonArray("shards").getJsonObject(0).getJsonArray("allocation")
                    .getJsonObject(0).getJsonArray("copies");
            List<Integer> counts = new ArrayList<>();
            copies.forEach(c -> counts.add(((JsonObject) c).getInteger("documents", -1)));
            return new JsonObject().put("chunks", options.recoveryChunks()).put("documents", documents)
                    .put("build_seconds", buildSeconds).put("second_member_start_seconds", startSeconds)
                    .put("seconds_until_replica_started", seconds)
                    .put("chunks_per_second", options.recoveryChunks() / (seconds - startSeconds))
                    .put("copy_documents", new JsonArray(counts));
        } finally {
            for (TemporaryDaemon d : pair) {
                d.close();
            }
        }
    }

    /** Writes {@code chunks} chunks with their vectors (documents of 20), nothing embedded; returns documents. */
    private static int build(Path socket, int chunks) {
        Random random = new Random(5);
        String model = HttpEmbedder.modelName(DelayedEmbeddingServer.MODEL);
        int documents = 0;
        try (DindexClient c = DindexClient.connect(socket)) {
            for (int written = 0; written < chunks; ) {
                JsonArray batch = new JsonArray();
                for (int d = 0; d < 25 && written < chunks; d++) {
                    JsonArray list = new JsonArray();
                    for (int k = 0; k < 20 && written < chunks; k++, written++) {
                        float[] v = new float[DIMENSIONS];
                        double norm = 0;
                        for (int i = 0; i < DIMENSIONS; i++) {
                            v[i] = (float) random.nextGaussian();
                            norm += v[i] * v[i];
                        }
                        for (int i = 0; i < DIMENSIONS; i++) {
                            v[i] /= (float) Math.sqrt(norm);
                        }
                        list.add(new JsonObject().put("text", "passage " + written + " of a generated document with"
                                + " words " + Long.toString(random.nextLong() & Long.MAX_VALUE, 36))
                                .put("vector", QueryVectors.encode(v)));
                    }
                    batch.add(new JsonObject().put("source", "bench://generated/" + documents++).put("chunks", list)
                            .put("model", model));
                }
                c.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", batch), Duration.ofMinutes(10));
            }
            c.request(Addresses.COMMIT, new JsonObject(), Duration.ofMinutes(30));
        }
        return documents;
    }

    /**
     * The cluster status once its health is {@code health} with {@code members} members holding started copies only
     * (a lone member with replicas is yellow: it cannot hold them).
     */
    private static JsonObject awaitSettled(Path socket, int members, String health, Duration timeout)
            throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        JsonObject last = null;
        while (System.nanoTime() < until) {
            try (DindexClient c = DindexClient.connect(socket)) {
                last = c.request(Addresses.CLUSTER_STATUS, new JsonObject());
                if (settled(last, members, health)) {
                    return last;
                }
            } catch (RuntimeException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the cluster did not become " + health + " with " + members
                + " members within " + timeout + ": " + (last == null ? "no answer" : last.encode()));
    }

    private static boolean settled(JsonObject status, int members, String health) {
        if (!health.equals(status.getString("health")) || status.getJsonArray("members").size() != members
                || status.getJsonArray("shards") == null || status.getJsonArray("shards").isEmpty()) {
            return false;
        }
        java.util.Set<String> holders = new java.util.HashSet<>();
        for (Object o : status.getJsonArray("shards").getJsonObject(0).getJsonArray("allocation")) {
            for (Object c : ((JsonObject) o).getJsonArray("copies")) {
                JsonObject copy = (JsonObject) c;
                if (!"started".equals(copy.getString("state"))) {
                    return false;
                }
                holders.add(copy.getString("member"));
            }
        }
        return holders.size() == members;
    }

    private static JsonObject stats(LatencyPercentiles s) {
        return new JsonObject().put("p50_ms", s.p50Micros() / 1000).put("p99_ms", s.p99Micros() / 1000);
    }

    public static String table(JsonObject r) {
        StringBuilder sb = new StringBuilder();
        JsonObject ingest = r.getJsonObject("ingest");
        sb.append(String.format("cluster benchmark: %d documents, %d members, %d replica per shard, embedding"
                        + " answered after %d ms per request%n", r.getInteger("documents"), r.getInteger("members"),
                r.getInteger("replicas"), r.getLong("embed_delay_ms")));
        sb.append(String.format("%-34s %10s %12s %8s%n", "ingest", "seconds", "chunks/s", "failed"));
        for (String k : List.of("single", "cluster_3_members")) {
            JsonObject s = ingest.getJsonObject(k);
            sb.append(String.format("%-34s %10.1f %12.1f %8d%n", k, s.getDouble("seconds"),
                    s.getDouble("chunks_per_second"), s.getInteger("failed")));
        }
        sb.append(String.format("ingest ratio cluster / single: %.2f (target >= 2.5)%n", ingest.getDouble("ratio")));
        JsonObject search = r.getJsonObject("search");
        sb.append(String.format("%-34s %10s %10s%n", "search (" + search.getInteger("queries") + " queries)",
                "p50 ms", "p99 ms"));
        for (String k : List.of("single", "cluster_3_members")) {
            JsonObject s = search.getJsonObject(k);
            sb.append(String.format("%-34s %10.2f %10.2f%n", k, s.getDouble("p50_ms"), s.getDouble("p99_ms")));
        }
        sb.append(String.format("search ratio cluster / single: p50 %.2f, p99 %.2f; partial answers %d%n",
                search.getDouble("p50_ratio"), search.getDouble("p99_ratio"), search.getInteger("partial_answers")));
        JsonObject rec = r.getJsonObject("recovery");
        sb.append(String.format("re-replication of a %d-chunk shard (%d documents): %.1f s after the second member"
                        + " was started (its start %.1f s; %.0f chunks/s), copies %s%n", rec.getInteger("chunks"),
                rec.getInteger("documents"), rec.getDouble("seconds_until_replica_started"),
                rec.getDouble("second_member_start_seconds"), rec.getDouble("chunks_per_second"),
                rec.getJsonArray("copy_documents").encode()));
        return sb.toString();
    }
}
