package org.dindex.search;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Candidates from several indexes fused once: the members of a cluster ({@code cluster.FederatedSearch}) and the
 * collections of one search ({@code collections: [...]}) share this.
 *
 * <p>Each source gives its dense and BM25 candidates with <em>raw</em> scores, never a fused list (fused scores of
 * different indexes are not comparable: a fused 1.0 only means "best here"). Then:
 * <ul>
 *   <li>BM25 scores depend on each index's statistics (IDF, length norms), so each source's BM25 list is min-max
 *       normalised to [0, 1] on its own ({@code (s - min) / (max - min)}, 1 when all are equal) before the lists are
 *       merged; the merged BM25 ranking orders by that value.</li>
 *   <li>Dense scores are dot products of unit vectors. From the same model and query vector they are comparable as
 *       they are and are merged raw. Sources embedding with different models ({@code normaliseDense}) have scales
 *       of their own, so their dense lists are min-max normalised per source like BM25.</li>
 *   <li>The merged lists go through the request's fusion once (RRF on the merged ranks, or linear over min-max
 *       normalised scores of the union).</li>
 * </ul>
 * Keys in the result are {@code <source>/<id>}.
 */
public final class MergedFusion {
    private MergedFusion() {
    }

    /** One source's candidates by id (unique within the source) with raw scores. */
    public record Source(String name, Map<String, Float> dense, Map<String, Float> bm25) {
    }

    /**
     * The fused top k ({@code <source>/<id>} with its fused score, best first) and the merged lists' scores by key
     * (dense raw, or normalised when the sources' models differ; BM25 normalised per source).
     */
    public record Result(List<Map.Entry<String, Double>> top, Map<String, Float> dense, Map<String, Float> bm25) {
    }

    public static Result fuse(SearchRequest.Mode mode, Fusion fusion, int topK, List<Source> sources,
                              boolean normaliseDense) {
        Map<String, Float> dense = new LinkedHashMap<>();
        Map<String, Float> bm25 = new LinkedHashMap<>();
        for (Source s : sources) {
            String prefix = s.name() + "/";
            putAll(dense, prefix, normaliseDense ? minMax(s.dense()) : s.dense());
            putAll(bm25, prefix, minMax(s.bm25()));
        }
        boolean hasDense = !dense.isEmpty();
        Map<String, Double> fused = new HashMap<>();
        if (mode == SearchRequest.Mode.HYBRID && hasDense) {
            fused.putAll(fusion.fuse(ranked(dense), ranked(bm25)));
        } else {
            (mode == SearchRequest.Mode.DENSE && hasDense ? dense : bm25)
                    .forEach((k, v) -> fused.put(k, v.doubleValue()));
        }
        List<Map.Entry<String, Double>> order = new ArrayList<>(fused.entrySet());
        order.sort(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry::getKey));
        return new Result(new ArrayList<>(order.subList(0, Math.min(topK, order.size()))), dense, bm25);
    }

    private static void putAll(Map<String, Float> into, String prefix, Map<String, Float> scores) {
        scores.forEach((id, score) -> into.put(prefix + id, score));
    }

    /** Scores mapped to [0, 1] over their own range (all 1 when they are equal). */
    static Map<String, Float> minMax(Map<String, Float> scores) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float s : scores.values()) {
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        Map<String, Float> out = new LinkedHashMap<>();
        for (var e : scores.entrySet()) {
            out.put(e.getKey(), max > min ? (e.getValue() - min) / (max - min) : 1f);
        }
        return out;
    }

    /** Candidates in descending score order (the rank RRF uses). */
    static Fusion.Ranked<String> ranked(Map<String, Float> scores) {
        List<Map.Entry<String, Float>> order = new ArrayList<>(scores.entrySet());
        order.sort(Map.Entry.<String, Float>comparingByValue().reversed());
        List<String> ids = order.stream().map(Map.Entry::getKey).toList();
        return new Fusion.Ranked<>(ids, scores);
    }
}
