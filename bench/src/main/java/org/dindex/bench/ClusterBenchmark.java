package org.dindex.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.SearchQuery;
import org.dindex.client.DindexClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * {@code dindex bench cluster}: search latency of a search spread over three cluster members, each holding a third
 * of a corpus, against a local search on one daemon holding all of it, with the same queries in the same run
 * (query embedding included in both). The daemons are started by the caller; this class indexes and measures.
 */
public final class ClusterBenchmark {
    /**
     * @param members   sockets of the three cluster members
     * @param allInOne  socket of a standalone daemon that gets every document
     */
    public record Options(Path corpus, int documents, int queries, List<Path> members, Path allInOne) {
    }

    private final Options options;

    public ClusterBenchmark(Options options) {
        this.options = options;
    }

    public JsonObject run() throws Exception {
        List<EuroparlCorpus.Doc> docs = EuroparlCorpus.english(options.corpus(), options.documents());
        int n = options.members().size();
        for (int m = 0; m < n; m++) {
            try (DindexClient c = DindexClient.connect(options.members().get(m))) {
                index(c, docs, m, n);
            }
        }
        try (DindexClient c = DindexClient.connect(options.allInOne())) {
            index(c, docs, 0, 1);
        }
        List<JsonObject> queries = new ArrayList<>();
        Random random = new Random(11);
        for (int q = 0; q < options.queries(); q++) {
            String[] words = docs.get(random.nextInt(docs.size())).text().split("\\s+");
            int from = words.length > 10 ? random.nextInt(words.length - 8) : 0;
            queries.add(SearchQuery.of(String.join(" ", Arrays.copyOfRange(words, from,
                    Math.min(words.length, from + 8)))).toJson());
        }
        JsonObject report = new JsonObject().put("machine", Machine.describe()).put("documents", docs.size())
                .put("members", n).put("queries", queries.size());
        try (DindexClient member = DindexClient.connect(options.members().getFirst());
             DindexClient single = DindexClient.connect(options.allInOne())) {
            for (JsonObject q : queries.subList(0, Math.min(20, queries.size()))) {
                member.request(Addresses.SEARCH, q.copy().put("scope", "cluster"));
                single.request(Addresses.SEARCH, q);
            }
            // Interleaved so that both series see the same machine load.
            long[] federated = new long[queries.size()];
            long[] local = new long[queries.size()];
            int partial = 0;
            for (int i = 0; i < queries.size(); i++) {
                long t0 = System.nanoTime();
                JsonObject r = member.request(Addresses.SEARCH, queries.get(i).copy().put("scope", "cluster"),
                        Duration.ofSeconds(30));
                federated[i] = System.nanoTime() - t0;
                partial += r.getBoolean("partial", false) ? 1 : 0;
                t0 = System.nanoTime();
                single.request(Addresses.SEARCH, queries.get(i), Duration.ofSeconds(30));
                local[i] = System.nanoTime() - t0;
            }
            LatencyPercentiles f = LatencyPercentiles.ofNanos(federated);
            LatencyPercentiles l = LatencyPercentiles.ofNanos(local);
            report.put("local_all_data", stats(l)).put("federated_3_members", stats(f))
                    .put("p50_ratio", f.p50Micros() / l.p50Micros()).put("p99_ratio", f.p99Micros() / l.p99Micros())
                    .put("partial_answers", partial);
        }
        return report;
    }

    private static void index(DindexClient c, List<EuroparlCorpus.Doc> docs, int member, int members) {
        JsonArray batch = new JsonArray();
        for (int i = member; i < docs.size(); i += members) {
            batch.add(new JsonObject().put("source", "bench://europarl/" + i).put("title", docs.get(i).title())
                    .put("text", docs.get(i).text()));
            if (batch.size() == 16) {
                c.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", batch), Duration.ofMinutes(10));
                batch = new JsonArray();
            }
        }
        if (!batch.isEmpty()) {
            c.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", batch), Duration.ofMinutes(10));
        }
        c.request(Addresses.COMMIT, new JsonObject(), Duration.ofMinutes(10));
    }

    private static JsonObject stats(LatencyPercentiles s) {
        return new JsonObject().put("p50_ms", s.p50Micros() / 1000).put("p99_ms", s.p99Micros() / 1000);
    }

    public static String table(JsonObject r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("cluster search benchmark: %d documents over %d members, %d queries%n",
                r.getInteger("documents"), r.getInteger("members"), r.getInteger("queries")));
        sb.append(String.format("%-36s %10s %10s%n", "series", "p50 ms", "p99 ms"));
        for (String k : List.of("local_all_data", "federated_3_members")) {
            JsonObject s = r.getJsonObject(k);
            sb.append(String.format("%-36s %10.2f %10.2f%n", k, s.getDouble("p50_ms"), s.getDouble("p99_ms")));
        }
        sb.append(String.format("ratio federated / local: p50 %.2f, p99 %.2f; partial answers %d%n",
                r.getDouble("p50_ratio"), r.getDouble("p99_ratio"), r.getInteger("partial_answers")));
        return sb.toString();
    }
}
