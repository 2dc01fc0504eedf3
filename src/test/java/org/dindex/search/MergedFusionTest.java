package org.dindex.search;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The one fusion of candidates from several indexes (collections of a search, members of a cluster): BM25 min-max
 * normalised per source, dense raw from one model and normalised per source across models, then one fusion.
 */
class MergedFusionTest {
    static Map<String, Float> scores(Object... pairs) {
        Map<String, Float> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], ((Number) pairs[i + 1]).floatValue());
        }
        return m;
    }

    static final List<MergedFusion.Source> SOURCES = List.of(
            new MergedFusion.Source("a", scores("1", 0.9, "2", 0.5), scores("1", 20, "2", 10, "3", 5)),
            new MergedFusion.Source("b", scores("1", 0.3, "2", 0.1), scores("1", 2, "2", 1)));

    @Test
    void bm25IsNormalisedPerSourceAndDenseStaysRawForOneModel() {
        MergedFusion.Result r = MergedFusion.fuse(SearchRequest.Mode.HYBRID, new Fusion(Fusion.Method.RRF, 60, 1, 1,
                0.5), 10, SOURCES, false);
        assertEquals(1f, r.bm25().get("a/1"));
        assertEquals(1f / 3, r.bm25().get("a/2"), 1e-6);
        assertEquals(0f, r.bm25().get("a/3"));
        assertEquals(1f, r.bm25().get("b/1"), "each source's best BM25 is 1, however its raw scale");
        assertEquals(0f, r.bm25().get("b/2"));
        assertEquals(0.9f, r.dense().get("a/1"));
        assertEquals(0.1f, r.dense().get("b/2"), "dense scores of one model are comparable as they are");
        assertEquals(List.of("a/1", "a/2", "b/1", "b/2", "a/3"), r.top().stream().map(Map.Entry::getKey).toList());
    }

    @Test
    void denseIsNormalisedPerSourceAcrossModels() {
        MergedFusion.Result r = MergedFusion.fuse(SearchRequest.Mode.DENSE, new Fusion(Fusion.Method.RRF, 60, 1, 1,
                0.5), 3, SOURCES, true);
        assertEquals(1f, r.dense().get("a/1"));
        assertEquals(1f, r.dense().get("b/1"), "each model's best match is 1");
        assertEquals(0f, r.dense().get("b/2"));
        assertEquals(3, r.top().size(), "cut at top k once");
        assertEquals(List.of("a/1", "b/1"), r.top().subList(0, 2).stream().map(Map.Entry::getKey).sorted().toList());
    }
}
