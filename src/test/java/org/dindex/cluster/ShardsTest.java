package org.dindex.cluster;

import org.dindex.index.BucketRanges;
import org.dindex.index.DocumentIds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shard of a document, its bucket ranges, and the allocation of shard copies to members over seeded random
 * membership changes, with copies being filled (started) in between.
 */
class ShardsTest {
    @Test
    void aDocumentsShardIsStableSpreadAndInsideItsShardsBuckets() {
        int[] counts = new int[6];
        for (int i = 0; i < 6000; i++) {
            String id = DocumentIds.forSource("/corpus/file-" + i + ".md");
            int s = Shards.of(id, 6);
            assertEquals(s, Shards.of(id, 6));
            counts[s]++;
            for (int n = 1; n <= 13; n++) {
                int shard = Shards.of(id, n);
                for (int t = 0; t < n; t++) {
                    assertEquals(t == shard, Shards.buckets(n, List.of(t)).contains(DocumentIds.bucket(id)));
                }
            }
        }
        for (int c : counts) {
            assertTrue(c > 800 && c < 1200, java.util.Arrays.toString(counts));
        }
        assertEquals(Shards.of("abc", 6), Shards.of(new String("abc"), 6));
        BucketRanges all = Shards.buckets(7, List.of(0, 1, 2, 3, 4, 5, 6));
        int covered = 0;
        for (BucketRanges.Range r : all.ranges()) {
            covered += r.to() - r.from();
        }
        assertEquals(DocumentIds.BUCKETS, covered);
    }

    @Test
    void copiesAreSpreadPromotedRefilledAndNeverDroppedWhileTheyAreTheLastOnes() {
        Random random = new Random(23);
        for (int round = 0; round < 300; round++) {
            int shards = 1 + random.nextInt(12);
            int replicas = random.nextInt(3);
            List<String> all = new ArrayList<>();
            for (int m = 0; m < 1 + random.nextInt(5); m++) {
                all.add("member-" + random.nextInt(1000) + "-" + m);
            }
            Set<String> live = new TreeSet<>(all);
            Shards.Allocation a = Shards.Allocation.initial("default", shards, replicas, live);
            assertEquals(a, Shards.Allocation.initial("default", shards, replicas, new TreeSet<>(live)));
            assertConverged(a, live);
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
                assertTrue(b == a || b.version() == a.version() + 1);
                assertWellFormed(b);
                for (int s = 0; s < shards; s++) {
                    Set<String> startedLive = started(a, s, next);
                    if (startedLive.isEmpty()) {
                        assertEquals(a.copies().get(s), b.copies().get(s), "a shard with no live copy keeps its"
                                + " copies until one of their members is back");
                    } else {
                        assertTrue(started(b, s, next).containsAll(startedLive), "live started copies stay");
                        assertTrue(next.contains(b.primary(s).member()) && b.primary(s).started());
                    }
                }
                // Copies being filled finish in a random order, one at a time, until nothing changes.
                a = settle(b, next, random);
                assertConverged(a, next);
                assertSame(a, a.next(next), "stable once settled");
            }
        }
    }

    @Test
    void aJoiningMemberTakesItsShareAndHealthFollowsTheCopies() {
        Set<String> two = new TreeSet<>(List.of("a", "b"));
        Shards.Allocation a = Shards.Allocation.initial("default", 6, 1, two);
        assertEquals("green", a.health(two));
        Set<String> three = new TreeSet<>(List.of("a", "b", "c"));
        Shards.Allocation grown = settle(a, three, new Random(1));
        assertConverged(grown, three);
        Map<String, Integer> load = load(grown);
        assertEquals(Map.of("a", 4, "b", 4, "c", 4), load);
        Map<String, Integer> primaries = new HashMap<>();
        grown.copies().forEach(list -> list.stream().filter(Shards.Copy::primary).forEach(c -> primaries.merge(
                c.member(), 1, Integer::sum)));
        assertEquals(Map.of("a", 2, "b", 2, "c", 2), primaries, "every member embeds for two shards");
        Set<String> lost = new TreeSet<>(List.of("a", "b"));
        assertEquals("yellow", grown.health(lost));
        Shards.Allocation after = grown.next(lost);
        assertEquals("yellow", after.health(lost), "replicas are being filled");
        assertEquals("green", settle(after, lost, new Random(2)).health(lost));
        Set<String> alone = Set.of("a");
        assertEquals("red", grown.health(alone));
        assertEquals("yellow", Shards.Allocation.initial("default", 6, 1, alone).health(alone),
                "one member cannot hold a replica");
        assertEquals("green", Shards.Allocation.initial("default", 6, 0, alone).health(alone));
        assertFalse(grown.missing(alone).isEmpty());
        Set<String> answering = new HashSet<>();
        for (long turn = 0; turn < 30; turn++) {
            Map<String, List<Integer>> plan = grown.searchPlan(three, turn);
            List<Integer> covered = new ArrayList<>();
            plan.values().forEach(covered::addAll);
            covered.sort(null);
            assertEquals(List.of(0, 1, 2, 3, 4, 5), covered);
            assertEquals(three, plan.keySet(), "every member answers for two shards: " + plan);
            plan.forEach((member, list) -> {
                assertEquals(2, list.size(), plan.toString());
                list.forEach(s -> assertTrue(grown.copyOn(s, member).started()));
                list.forEach(s -> answering.add(member + "/" + s));
            });
        }
        assertEquals(12, answering.size(), "over searches, every copy answers");
        assertEquals(grown, Shards.Allocation.fromJson(grown.toJson(), 0));
    }

    /** Applies next(live) and starts one initializing copy at a time until nothing changes. */
    private static Shards.Allocation settle(Shards.Allocation a, Set<String> live, Random random) {
        for (int i = 0; i < 1000; i++) {
            Shards.Allocation b = a.next(live);
            List<int[]> pending = new ArrayList<>();
            List<String> who = new ArrayList<>();
            for (int s = 0; s < b.shards(); s++) {
                for (Shards.Copy c : b.copies().get(s)) {
                    if (!c.started()) {
                        pending.add(new int[] {s});
                        who.add(c.member());
                    }
                }
            }
            if (pending.isEmpty()) {
                if (b == a) {
                    return a;
                }
                a = b;
                continue;
            }
            int pick = random.nextInt(pending.size());
            a = b.started(pending.get(pick)[0], who.get(pick));
            assertWellFormed(a);
        }
        throw new AssertionError("the allocation did not settle: " + a);
    }

    private static Set<String> started(Shards.Allocation a, int s, Set<String> live) {
        Set<String> out = new HashSet<>();
        a.copies().get(s).stream().filter(c -> c.started() && live.contains(c.member())).forEach(c -> out.add(
                c.member()));
        return out;
    }

    private static void assertWellFormed(Shards.Allocation a) {
        for (int s = 0; s < a.shards(); s++) {
            List<Shards.Copy> list = a.copies().get(s);
            assertEquals(list.size(), new HashSet<>(list.stream().map(Shards.Copy::member).toList()).size(),
                    "one copy per member: " + a);
            assertTrue(list.stream().filter(Shards.Copy::primary).count() <= 1, a.toString());
            list.stream().filter(Shards.Copy::primary).forEach(p -> assertTrue(p.started(), a.toString()));
        }
    }

    private static void assertConverged(Shards.Allocation a, Set<String> live) {
        int want = Math.min(1 + a.replicas(), live.size());
        for (int s = 0; s < a.shards(); s++) {
            if (a.copies().get(s).stream().noneMatch(c -> c.started() && live.contains(c.member()))) {
                continue;  // unassigned while its members are away
            }
            assertEquals(want, started(a, s, live).size(), a.toString());
            assertEquals(want, a.copies().get(s).size(), a.toString());
        }
        if (a.missing(live).isEmpty()) {
            assertEquals(live.size() > a.replicas() ? "green" : "yellow", a.health(live), a.toString());
            Map<String, Integer> load = load(a);
            int min = live.stream().mapToInt(m -> load.getOrDefault(m, 0)).min().orElse(0);
            int max = live.stream().mapToInt(m -> load.getOrDefault(m, 0)).max().orElse(0);
            assertTrue(max - min <= 1 || !rebalanceable(a, live), "balanced: " + a);
            Map<String, Integer> primaries = new HashMap<>();
            a.copies().forEach(list -> list.stream().filter(Shards.Copy::primary).forEach(c -> primaries.merge(
                    c.member(), 1, Integer::sum)));
            int fewest = live.stream().mapToInt(m -> primaries.getOrDefault(m, 0)).min().orElse(0);
            int most = live.stream().mapToInt(m -> primaries.getOrDefault(m, 0)).max().orElse(0);
            assertTrue(most - fewest <= 1 || !primaryMovable(a, live, primaries), "primaries balanced: " + a);
        }
    }

    /** Whether some copy could move from a most to a least loaded member (it cannot when both hold every shard). */
    private static boolean rebalanceable(Shards.Allocation a, Set<String> live) {
        Map<String, Integer> load = load(a);
        for (String most : live) {
            for (String least : live) {
                if (load.getOrDefault(most, 0) - load.getOrDefault(least, 0) >= 2) {
                    for (int s = 0; s < a.shards(); s++) {
                        if (a.copyOn(s, most) != null && a.copyOn(s, least) == null) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    /** Whether a primary role could pass from a member with two more primaries to one of its replicas' members. */
    private static boolean primaryMovable(Shards.Allocation a, Set<String> live, Map<String, Integer> primaries) {
        for (String most : live) {
            for (String least : live) {
                if (primaries.getOrDefault(most, 0) - primaries.getOrDefault(least, 0) >= 2) {
                    for (int s = 0; s < a.shards(); s++) {
                        if (a.primary(s) != null && a.primary(s).member().equals(most) && a.copyOn(s, least) != null) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    private static Map<String, Integer> load(Shards.Allocation a) {
        Map<String, Integer> load = new HashMap<>();
        a.copies().forEach(list -> list.forEach(c -> load.merge(c.member(), 1, Integer::sum)));
        return load;
    }
}
