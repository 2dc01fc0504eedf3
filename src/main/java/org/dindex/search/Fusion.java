package org.dindex.search;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Combines the dense and BM25 candidate lists into one score per chunk.
 *
 * <p>RRF: {@code w_d / (k + rank_d) + w_b / (k + rank_b)} (ranks from 1; a list that misses the chunk adds 0).
 * Linear: min-max-normalise each list's raw scores to 0..1 over its candidates, then
 * {@code alpha * dense + (1 - alpha) * bm25} (a missing score counts as 0). Raw scores differ in scale between
 * retrievers (BM25 is unbounded, cosine is -1..1), which is why they are never added directly.
 */
public record Fusion(Method method, double rrfK, double denseWeight, double bm25Weight, double alpha) {
    public enum Method { RRF, LINEAR }

    /** One retriever's candidates in rank order (best first) with their raw scores, keyed by any chunk key. */
    public record Ranked<K>(List<K> ids, Map<K, Float> scores) {
        /** The candidates of a map in its iteration order (best first, as the retrievers return them). */
        public static <K> Ranked<K> of(Map<K, Float> scores) {
            return new Ranked<>(List.copyOf(scores.keySet()), scores);
        }
    }

    public <K> Map<K, Double> fuse(Ranked<K> dense, Ranked<K> bm25) {
        Map<K, Double> fused = new HashMap<>();
        if (method == Method.RRF) {
            add(fused, dense, denseWeight);
            add(fused, bm25, bm25Weight);
        } else {
            addNormalized(fused, dense, alpha);
            addNormalized(fused, bm25, 1 - alpha);
        }
        return fused;
    }

    private <K> void add(Map<K, Double> fused, Ranked<K> list, double weight) {
        for (int i = 0; i < list.ids().size(); i++) {
            fused.merge(list.ids().get(i), weight / (rrfK + i + 1), Double::sum);
        }
    }

    private static <K> void addNormalized(Map<K, Double> fused, Ranked<K> list, double weight) {
        if (list.ids().isEmpty()) {
            return;
        }
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (K id : list.ids()) {
            double s = list.scores().get(id);
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        double range = max - min;
        for (K id : list.ids()) {
            double norm = range == 0 ? 1.0 : (list.scores().get(id) - min) / range;
            fused.merge(id, weight * norm, Double::sum);
        }
    }
}
