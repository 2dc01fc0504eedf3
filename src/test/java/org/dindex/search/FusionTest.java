package org.dindex.search;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FusionTest {
    static final Fusion.Ranked<String> DENSE = new Fusion.Ranked<>(List.of("a", "b", "c"),
            Map.of("a", 0.9f, "b", 0.7f, "c", 0.5f));
    static final Fusion.Ranked<String> BM25 = new Fusion.Ranked<>(List.of("c", "d"), Map.of("c", 12f, "d", 3f));

    @Test
    void reciprocalRankFusionAddsWeightedReciprocalRanks() {
        Map<String, Double> f = new Fusion(Fusion.Method.RRF, 60, 2, 1, 0).fuse(DENSE, BM25);
        assertEquals(2.0 / 61, f.get("a"), 1e-12);
        assertEquals(2.0 / 62, f.get("b"), 1e-12);
        assertEquals(2.0 / 63 + 1.0 / 61, f.get("c"), 1e-12);
        assertEquals(1.0 / 62, f.get("d"), 1e-12);
        assertTrue(f.get("c") > f.get("a"), "found by both beats first in one");
    }

    @Test
    void linearFusionNormalisesEachListBeforeMixing() {
        Map<String, Double> f = new Fusion(Fusion.Method.LINEAR, 60, 1, 1, 0.25).fuse(DENSE, BM25);
        assertEquals(0.25 * 1.0, f.get("a"), 1e-9);
        assertEquals(0.25 * 0.5, f.get("b"), 1e-6);
        assertEquals(0.25 * 0.0 + 0.75 * 1.0, f.get("c"), 1e-9);
        assertEquals(0.75 * 0.0, f.get("d"), 1e-9);
    }

    @Test
    void emptyListsAndSingleCandidatesAreSafe() {
        Fusion linear = new Fusion(Fusion.Method.LINEAR, 60, 1, 1, 0.5);
        Map<String, Double> f = linear.fuse(new Fusion.Ranked<>(List.of(), Map.of()),
                new Fusion.Ranked<>(List.of("x"), Map.of("x", 4f)));
        assertEquals(0.5, f.get("x"), 1e-9);
        assertTrue(new Fusion(Fusion.Method.RRF, 60, 1, 1, 0).fuse(new Fusion.Ranked<>(List.of(), Map.of()),
                new Fusion.Ranked<>(List.of(), Map.of())).isEmpty());
    }
}
