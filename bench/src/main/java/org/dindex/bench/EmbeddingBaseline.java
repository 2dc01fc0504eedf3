package org.dindex.bench;

import io.vertx.core.json.JsonObject;
import org.dindex.config.Settings;
import org.dindex.embed.EmbeddingService;
import org.dindex.embed.ModelSpec;
import org.dindex.embed.OnnxEmbedder;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedding rates an ingest is judged against, measured in the benchmark's own process on the very chunks the
 * daemon is given: the naive loop (batches of 16 in arrival order: no grouping by length), the length-sorted loop at several batch sizes (the best of which is the strong baseline: what an offline
 * encoder with the whole corpus in hand would reach), two sessions of one thread each sharing the sorted batches, and
 * the daemon's own grouping with its queue always full (windows of the chunks in arrival order, each sorted by
 * length, in the daemon's batch size): the most a streaming ingest with that policy can reach, which the strong
 * baseline's global sort is not.
 */
record EmbeddingBaseline(double naive, Map<Integer, Double> sortedByBatch, int bestBatch, double strong,
                         double twoSessions, int windowChunks, int windowBatch, double windowed) {
    /** Batch sizes the length-sorted loop tries. */
    static final List<Integer> BATCH_SIZES = List.of(4, 8, 16, 32);
    /** The daemon's arrival-order batch size before length grouping. */
    static final int NAIVE_BATCH = 16;

    /** Measures every loop on {@code texts}, with {@code threads} ONNX threads for the single-session loops. */
    static EmbeddingBaseline measure(ModelSpec spec, int threads, List<String> texts) throws InterruptedException {
        List<String> sorted = new ArrayList<>(texts);
        sorted.sort(Comparator.comparingInt(String::length));
        int windowBatch = ((Number) Settings.EMBEDDING_BATCH_SIZE.defaultValue()).intValue();
        int window = windowBatch * EmbeddingService.SORT_WINDOW_BATCHES;
        List<String> windowed = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i += window) {
            List<String> part = new ArrayList<>(texts.subList(i, Math.min(texts.size(), i + window)));
            part.sort(Comparator.comparingInt(String::length));
            windowed.addAll(part);
        }
        double windowedRate;
        double naive;
        Map<Integer, Double> byBatch = new LinkedHashMap<>();
        int best = BATCH_SIZES.getFirst();
        try (OnnxEmbedder embedder = OnnxEmbedder.load(spec, threads)) {
            // Every loop is warmed alike (the first inferences of a session are slow), then timed.
            naive = texts.size() / seconds(List.of(embedder), texts, NAIVE_BATCH);
            windowedRate = texts.size() / seconds(List.of(embedder), windowed, windowBatch);
            for (int size : BATCH_SIZES) {
                byBatch.put(size, texts.size() / seconds(List.of(embedder), sorted, size));
                if (byBatch.get(size) > byBatch.get(best)) {
                    best = size;
                }
            }
        }
        double two;
        try (OnnxEmbedder one = OnnxEmbedder.load(spec, 1); OnnxEmbedder other = OnnxEmbedder.load(spec, 1)) {
            two = texts.size() / seconds(List.of(one, other), sorted, best);
        }
        return new EmbeddingBaseline(naive, byBatch, best, byBatch.get(best), two, window, windowBatch, windowedRate);
    }

    /** Seconds to embed {@code texts} in batches of {@code size}, the batches shared out over {@code embedders}. */
    private static double seconds(List<OnnxEmbedder> embedders, List<String> texts, int size)
            throws InterruptedException {
        for (OnnxEmbedder e : embedders) {
            for (int i = 0; i < Math.min(texts.size(), 4 * size); i += size) {  // warm-up
                e.embedPassages(texts.subList(i, Math.min(texts.size(), i + size)));
            }
        }
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (OnnxEmbedder e : embedders) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = next.getAndAdd(size); i < texts.size(); i = next.getAndAdd(size)) {
                    e.embedPassages(texts.subList(i, Math.min(texts.size(), i + size)));
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    JsonObject toJson() {
        JsonObject byBatch = new JsonObject();
        sortedByBatch.forEach((size, rate) -> byBatch.put(String.valueOf(size), rate));
        return new JsonObject().put("naive_chunks_per_s", naive).put("sorted_chunks_per_s_by_batch", byBatch)
                .put("best_batch_size", bestBatch).put("strong_chunks_per_s", strong)
                .put("two_sessions_one_thread_chunks_per_s", twoSessions)
                .put("daemon_windows", new JsonObject().put("window_chunks", windowChunks).put("batch", windowBatch)
                        .put("chunks_per_s", windowed));
    }

    /** The table rows of these rates. */
    String table() {
        StringBuilder rows = new StringBuilder();
        rows.append(String.format("%-44s %10.1f chunks/s%n", "raw embedding, naive (16, arrival order)", naive));
        sortedByBatch.forEach((size, rate) -> rows.append(String.format("%-44s %10.1f chunks/s%n",
                "  length-sorted, batches of " + size, rate)));
        rows.append(String.format("%-44s %10.1f chunks/s%n", "strong baseline (sorted, batches of " + bestBatch + ")",
                strong));
        rows.append(String.format("%-44s %10.1f chunks/s%n", "two sessions of one thread, sorted", twoSessions));
        rows.append(String.format("%-44s %10.1f chunks/s%n", "daemon's windows (" + windowChunks + " sorted, batches of "
                + windowBatch + ")", windowed));
        return rows.toString();
    }

    static EmbeddingBaseline fromJson(JsonObject json) {
        Map<Integer, Double> byBatch = new LinkedHashMap<>();
        json.getJsonObject("sorted_chunks_per_s_by_batch").forEach(e -> byBatch.put(Integer.parseInt(e.getKey()),
                ((Number) e.getValue()).doubleValue()));
        JsonObject windows = json.getJsonObject("daemon_windows");
        return new EmbeddingBaseline(json.getDouble("naive_chunks_per_s"), byBatch, json.getInteger("best_batch_size"),
                json.getDouble("strong_chunks_per_s"), json.getDouble("two_sessions_one_thread_chunks_per_s"),
                windows.getInteger("window_chunks"), windows.getInteger("batch"), windows.getDouble("chunks_per_s"));
    }
}
