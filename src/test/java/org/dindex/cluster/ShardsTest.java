package org.dindex.cluster;

import org.dindex.index.DocumentIds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shard of a document and the allocation of shards to members, over seeded random membership changes. */
class ShardsTest {
    @Test
    void aDocumentsShardIsStableAndSpread() {
        int[] counts = new int[6];
        for (int i = 0; i < 6000; i++) {
            String id = DocumentIds.forSource("/corpus/file-" + i + ".md");
            int s = Shards.of(id, 6);
            assertEquals(s, Shards.of(id, 6));
            counts[s]++;
        }
        for (int c : counts) {
            assertTrue(c > 800 && c < 1200, java.util.Arrays.toString(counts));
        }
        assertEquals(Shards.of("abc", 6), Shards.of(new String("abc"), 6));
    }

    @Test
    void allocationIsBalancedDeterministicAndStickyWhileAnOwnerIsDown() {
        Random random = new Random(23);
        for (int round = 0; round < 300; round++) {
            int shards = 1 + random.nextInt(12);
            List<String> all = new ArrayList<>();
            for (int m = 0; m < 1 + random.nextInt(5); m++) {
                all.add("member-" + random.nextInt(1000) + "-" + m);
            }
            Set<String> live = new TreeSet<>(all);
            Shards.Allocation a = Shards.Allocation.initial("default", shards, live);
            assertBalanced(a, live, shards);
            assertEquals(a, Shards.Allocation.initial("default", shards, new TreeSet<>(live)));
            for (int step = 0; step < 10; step++) {
                Set<String> next = new TreeSet<>();
                for (String m : all) {
                    if (random.nextInt(3) > 0) {
                        next.add(m);
                    }
                }
                if (next.isEmpty()) {
                    continue;
                }
                Shards.Allocation b = a.next(next);
                assertEquals(b, a.next(new TreeSet<>(next)), "every member computes the same");
                for (int s = 0; s < shards; s++) {
                    if (!next.contains(a.owners().get(s))) {
                        assertEquals(a.owners().get(s), b.owners().get(s), "a shard stays with its owner while"
                                + " the owner is down");
                    } else {
                        assertTrue(next.contains(b.owners().get(s)));
                    }
                }
                assertTrue(b == a || b.version() == a.version() + 1);
                assertSame(b, b.next(next), "stable once reconciled");
                a = b;
            }
        }
    }

    private static void assertBalanced(Shards.Allocation a, Set<String> live, int shards) {
        Map<String, Integer> count = new HashMap<>();
        a.owners().forEach(o -> count.merge(o, 1, Integer::sum));
        int cap = (shards + live.size() - 1) / live.size();
        count.forEach((m, c) -> assertTrue(live.contains(m) && c <= cap, a + " over " + live));
        assertTrue(a.missing(live).isEmpty());
    }
}
