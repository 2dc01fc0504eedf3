package org.dindex.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.index.BucketRanges;
import org.dindex.index.DocumentIds;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Shards of a collection in a cluster, and where their copies live, as pure functions that every member computes
 * alike.
 *
 * <p>A document's shard follows from its hash bucket ({@link DocumentIds#bucket}, stored with every chunk): shard
 * {@code s} of {@code n} is the contiguous bucket range {@code [ceil(s * B / n), ceil((s + 1) * B / n))}. So a member
 * holding copies of several shards keeps them in one index and still serves, lists or copies any one of them by a
 * range query. Copies are named by stable member ids (kept in each member's data dir), so a member restarted with its
 * disk is recognised.
 */
public final class Shards {
    private Shards() {
    }

    /** The shard of the document with id {@code docId} among {@code shards}. */
    public static int of(String docId, int shards) {
        return (int) ((long) DocumentIds.bucket(docId) * shards / DocumentIds.BUCKETS);
    }

    /** The buckets of {@code shardList} among {@code shards}. */
    public static BucketRanges buckets(int shards, Collection<Integer> shardList) {
        List<BucketRanges.Range> out = new ArrayList<>();
        for (int s : new TreeSet<>(shardList)) {
            out.add(new BucketRanges.Range(start(s, shards), start(s + 1, shards)));
        }
        return new BucketRanges(out);
    }

    private static int start(int shard, int shards) {
        return (int) (((long) shard * DocumentIds.BUCKETS + shards - 1) / shards);
    }

    /** A copy's state: started copies hold the shard's documents; an initializing one is being filled. */
    public enum CopyState {
        STARTED, INITIALIZING;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One copy of a shard: on {@code member}, the shard's primary or a replica. */
    public record Copy(String member, boolean primary, CopyState state) {
        boolean started() {
            return state == CopyState.STARTED;
        }

        JsonObject toJson() {
            return new JsonObject().put("member", member).put("role", primary ? "primary" : "replica")
                    .put("state", state.wire());
        }

        static Copy fromJson(JsonObject j) {
            return new Copy(j.getString("member"), "primary".equals(j.getString("role")),
                    CopyState.valueOf(j.getString("state").toUpperCase(Locale.ROOT)));
        }
    }

    /**
     * A collection's shards and their copies: {@code copies.get(s)} lists shard {@code s}'s copies, at most one per
     * member and at most one primary. {@code version} grows by one with every change; members replace an allocation
     * only by compare-and-set on the version they read, and a copy obeys a primary only as of a version it knows
     * (fencing: a deposed primary's late writes are refused).
     *
     * @param replicas copies of each shard besides its primary, where there are members enough to hold them
     */
    public record Allocation(String collection, long version, int shards, int replicas, List<List<Copy>> copies) {
        public Allocation {
            List<List<Copy>> frozen = new ArrayList<>();
            copies.forEach(c -> frozen.add(List.copyOf(c)));
            copies = List.copyOf(frozen);
            if (copies.size() != shards) {
                throw new IllegalArgumentException(shards + " shards but " + copies.size() + " copy lists");
            }
        }

        /** A first allocation over the live members: every copy started (there is nothing to fill yet). */
        public static Allocation initial(String collection, int shards, int replicas, Set<String> live) {
            List<List<Copy>> none = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                none.add(List.of());
            }
            Allocation a = new Allocation(collection, 0, shards, replicas, none).next(live);
            List<List<Copy>> started = new ArrayList<>();
            for (List<Copy> list : a.copies) {
                started.add(list.stream().map(c -> new Copy(c.member(), c.primary(), CopyState.STARTED)).toList());
            }
            Allocation out = new Allocation(collection, 0, shards, replicas, started);
            // Primaries spread too (one move per step), before anything is written.
            for (Allocation next = out.next(live); next != out; next = out.next(live)) {
                out = next;
            }
            return new Allocation(collection, 0, shards, replicas, out.copies);
        }

        /** How many copies each shard should have with {@code live} members. */
        int wanted(int live) {
            return Math.min(1 + replicas, Math.max(1, live));
        }

        /** Shard {@code s}'s primary copy, or null (none yet). */
        public Copy primary(int s) {
            return copies.get(s).stream().filter(Copy::primary).findFirst().orElse(null);
        }

        /** Shard {@code s}'s copy on {@code member}, or null. */
        public Copy copyOn(int s, String member) {
            return copies.get(s).stream().filter(c -> c.member().equals(member)).findFirst().orElse(null);
        }

        /**
         * The allocation after a membership change, deterministic in (this, live). Per shard:
         * <ol>
         *   <li>a shard with no started copy on a live member keeps its copies: its documents exist only on those
         *       members' disks, so it is unassigned (answers name it as missing) until one of them comes back;</li>
         *   <li>otherwise copies on members that left are dropped, a started replica is promoted when the primary
         *       was among them, and new replicas (initializing: to be filled from a started copy) go to the least
         *       loaded live members until the shard has {@code 1 + replicas} copies, or one per member;</li>
         *   <li>a shard with more started copies than that (a move finished) drops a replica on its most loaded
         *       member.</li>
         * </ol>
         * Then, when no copy anywhere is being filled, one copy moves from the most to the least loaded member if
         * they differ by two or more (an initializing copy is added; step 3 drops the old one once it has started),
         * and likewise one primary role moves between started copies when the primaries per member differ by two or
         * more. Returns {@code this} when nothing changes.
         */
        public Allocation next(Set<String> live) {
            if (live.isEmpty()) {
                return this;
            }
            List<List<Copy>> out = new ArrayList<>();
            copies.forEach(c -> out.add(new ArrayList<>(c)));
            int want = wanted(live.size());
            for (int s = 0; s < shards; s++) {
                List<Copy> list = out.get(s);
                boolean anyStarted = list.stream().anyMatch(c -> c.started() && live.contains(c.member()));
                if (!anyStarted && !list.isEmpty()) {
                    continue;  // unassigned: wait for a member that has it
                }
                list.removeIf(c -> !live.contains(c.member()));
                if (list.isEmpty()) {
                    list.add(new Copy(byLoad(s, live, load(out, live), List.of()).get(0), true, CopyState.STARTED));
                }
                if (list.stream().noneMatch(Copy::primary)) {
                    Copy promoted = list.stream().filter(Copy::started).findFirst().orElseThrow();
                    list.set(list.indexOf(promoted), new Copy(promoted.member(), true, CopyState.STARTED));
                }
                while (list.size() < want) {
                    List<String> holders = list.stream().map(Copy::member).toList();
                    list.add(new Copy(byLoad(s, live, load(out, live), holders).get(0), false,
                            CopyState.INITIALIZING));
                }
                dropExtra(s, list, want, load(out, live));
            }
            rebalance(out, live, want);
            balancePrimaries(out, live);
            return out.equals(copies) ? this : new Allocation(collection, version + 1, shards, replicas, out);
        }

        /**
         * Drops started copies beyond {@code want} (a move finished): replicas on the most loaded members, the
         * primary's role passing to another started copy if it was among them. Initializing copies stay: they are
         * a move in progress or a replacement.
         */
        private static void dropExtra(int s, List<Copy> list, int want, Map<String, Integer> load) {
            long started = list.stream().filter(Copy::started).count();
            while (started > want) {
                Copy drop = list.stream().filter(Copy::started)
                        .max(Comparator.<Copy>comparingInt(c -> load.getOrDefault(c.member(), 0))
                                .thenComparing(c -> weight(s, c.member()))).orElseThrow();
                started--;
                list.remove(drop);
                if (drop.primary()) {
                    Copy heir = list.stream().filter(Copy::started).findFirst().orElseThrow();
                    list.set(list.indexOf(heir), new Copy(heir.member(), true, CopyState.STARTED));
                }
            }
        }

        private void rebalance(List<List<Copy>> out, Set<String> live, int want) {
            if (out.stream().flatMap(List::stream).anyMatch(c -> !c.started())) {
                return;
            }
            Map<String, Integer> load = load(out, live);
            String most = live.stream().max(Comparator.<String>comparingInt(load::get)
                    .thenComparing(Comparator.reverseOrder())).orElseThrow();
            String least = live.stream().min(Comparator.<String>comparingInt(load::get)
                    .thenComparing(Comparator.naturalOrder())).orElseThrow();
            if (load.get(most) - load.get(least) < 2) {
                return;
            }
            for (int s = 0; s < shards; s++) {
                List<Copy> list = out.get(s);
                if (list.size() == want && list.stream().anyMatch(c -> c.member().equals(most))
                        && list.stream().noneMatch(c -> c.member().equals(least))) {
                    list.add(new Copy(least, false, CopyState.INITIALIZING));
                    return;
                }
            }
        }

        /**
         * When nothing is being filled and one live member is the primary of two or more shards more than another,
         * hands one primary role over to that other member's started copy. Primaries embed what their shards store,
         * so this spreads the embedding of a large ingest over the members. A write in flight on the old primary is
         * refused by the new one (fencing) and reported as not stored, to be sent again.
         */
        private void balancePrimaries(List<List<Copy>> out, Set<String> live) {
            if (out.stream().flatMap(List::stream).anyMatch(c -> !c.started())) {
                return;
            }
            Map<String, Integer> primaries = new LinkedHashMap<>();
            live.forEach(m -> primaries.put(m, 0));
            out.forEach(list -> list.stream().filter(c -> c.primary() && live.contains(c.member()))
                    .forEach(c -> primaries.merge(c.member(), 1, Integer::sum)));
            List<String> byPrimaries = new ArrayList<>(new TreeSet<>(live));
            byPrimaries.sort(Comparator.comparingInt(primaries::get));
            for (int hi = byPrimaries.size() - 1; hi > 0; hi--) {
                String most = byPrimaries.get(hi);
                for (int lo = 0; lo < hi; lo++) {
                    String least = byPrimaries.get(lo);
                    if (primaries.get(most) - primaries.get(least) < 2) {
                        break;
                    }
                    for (List<Copy> list : out) {
                        int from = indexOf(list, most);
                        int to = indexOf(list, least);
                        if (from >= 0 && to >= 0 && list.get(from).primary()) {
                            list.set(from, new Copy(most, false, CopyState.STARTED));
                            list.set(to, new Copy(least, true, CopyState.STARTED));
                            return;
                        }
                    }
                }
            }
        }

        private static int indexOf(List<Copy> list, String member) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).member().equals(member)) {
                    return i;
                }
            }
            return -1;
        }

        /** Copies per live member across this collection's shards. */
        private static Map<String, Integer> load(List<List<Copy>> all, Set<String> live) {
            Map<String, Integer> load = new LinkedHashMap<>();
            live.forEach(m -> load.put(m, 0));
            all.forEach(list -> list.forEach(c -> load.computeIfPresent(c.member(), (k, v) -> v + 1)));
            return load;
        }

        /** Live members without a copy of shard {@code s}, least loaded first, then by rendezvous weight. */
        private static List<String> byLoad(int s, Set<String> live, Map<String, Integer> load, List<String> holders) {
            List<String> out = new ArrayList<>();
            for (String m : byWeight(s, live)) {
                if (!holders.contains(m)) {
                    out.add(m);
                }
            }
            out.sort(Comparator.comparingInt(m -> load.getOrDefault(m, 0)));
            return out;
        }

        /** The allocation with {@code member}'s copy of shard {@code s} started, or this when there is no such copy. */
        public Allocation started(int s, String member) {
            Copy c = copyOn(s, member);
            if (c == null || c.started()) {
                return this;
            }
            return replace(s, c, new Copy(member, c.primary(), CopyState.STARTED));
        }

        /**
         * The allocation without {@code member}'s copy of shard {@code s} (it missed a write, so it is no longer in
         * sync; {@link #next} allocates a fresh copy), or this when it has none or it is the primary.
         */
        public Allocation failed(int s, String member) {
            Copy c = copyOn(s, member);
            return c == null || c.primary() ? this : replace(s, c, null);
        }

        private Allocation replace(int s, Copy old, Copy with) {
            List<List<Copy>> out = new ArrayList<>();
            copies.forEach(c -> out.add(new ArrayList<>(c)));
            int i = out.get(s).indexOf(old);
            if (with == null) {
                out.get(s).remove(i);
            } else {
                out.get(s).set(i, with);
            }
            return new Allocation(collection, version + 1, shards, replicas, out);
        }

        /** The shards without a started copy on any of {@code members}. */
        public List<Integer> missing(Set<String> members) {
            List<Integer> out = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                if (copies.get(s).stream().noneMatch(c -> c.started() && members.contains(c.member()))) {
                    out.add(s);
                }
            }
            return out;
        }

        /**
         * The shards with a live started copy but fewer than {@code 1 + replicas}: also while there are not members
         * enough to hold them all (a cluster of one member with replicas is at risk, and says so).
         */
        public List<Integer> underReplicated(Set<String> live) {
            List<Integer> out = new ArrayList<>();
            int want = 1 + replicas;
            for (int s = 0; s < shards; s++) {
                long started = copies.get(s).stream().filter(c -> c.started() && live.contains(c.member())).count();
                if (started > 0 && started < want) {
                    out.add(s);
                }
            }
            return out;
        }

        /** green: every shard fully copied; yellow: some shard lacks a replica; red: some shard has no live copy. */
        public String health(Set<String> live) {
            return !missing(live).isEmpty() ? "red" : !underReplicated(live).isEmpty() ? "yellow" : "green";
        }

        /**
         * Who answers for which shard in one search: one started copy on a live member per shard, the one whose
         * member has the fewest shards of this search so far (so every member holding copies takes part), ties
         * rotating with {@code turn} (a search counter), so that replicas share the load over searches.
         */
        public Map<String, List<Integer>> searchPlan(Set<String> live, long turn) {
            Map<String, List<Integer>> plan = new LinkedHashMap<>();
            for (int i = 0; i < shards; i++) {
                int s = (int) Math.floorMod(i + turn, (long) shards);
                List<Copy> ready = copies.get(s).stream().filter(c -> c.started() && live.contains(c.member()))
                        .toList();
                if (ready.isEmpty()) {
                    continue;
                }
                Copy pick = null;
                for (int k = 0; k < ready.size(); k++) {
                    Copy c = ready.get((int) Math.floorMod(turn / shards + s + k, (long) ready.size()));
                    if (pick == null || plan.getOrDefault(c.member(), List.of()).size()
                            < plan.getOrDefault(pick.member(), List.of()).size()) {
                        pick = c;
                    }
                }
                plan.computeIfAbsent(pick.member(), k -> new ArrayList<>()).add(s);
            }
            // Greedy picks can leave one member with two more than another: move shards while a copy allows it.
            for (boolean moved = true; moved; ) {
                moved = false;
                for (String most : plan.keySet()) {
                    for (String least : ready(live)) {
                        List<Integer> from = plan.get(most);
                        List<Integer> to = plan.getOrDefault(least, List.of());
                        if (from.size() - to.size() < 2) {
                            continue;
                        }
                        Integer s = from.stream().filter(x -> copyOn(x, least) != null && copyOn(x, least).started())
                                .findFirst().orElse(null);
                        if (s != null) {
                            from.remove(s);
                            plan.computeIfAbsent(least, k -> new ArrayList<>()).add(s);
                            moved = true;
                            break;
                        }
                    }
                    if (moved) {
                        break;
                    }
                }
            }
            plan.values().removeIf(List::isEmpty);
            plan.values().forEach(list -> list.sort(null));
            return plan;
        }

        /** Live members holding a started copy of some shard. */
        private Set<String> ready(Set<String> live) {
            Set<String> out = new TreeSet<>();
            copies.forEach(list -> list.stream().filter(c -> c.started() && live.contains(c.member()))
                    .forEach(c -> out.add(c.member())));
            return out;
        }

        public JsonObject toJson() {
            JsonArray shardsJson = new JsonArray();
            copies.forEach(list -> shardsJson.add(new JsonArray(list.stream().map(Copy::toJson).toList())));
            return new JsonObject().put("collection", collection).put("version", version).put("shards", shards)
                    .put("replicas", replicas).put("copies", shardsJson);
        }

        /** Reads {@link #toJson}; an allocation saved before replicas (one owner per shard) reads as primaries. */
        public static Allocation fromJson(JsonObject j, int defaultReplicas) {
            List<List<Copy>> copies = new ArrayList<>();
            if (j.getJsonArray("copies") != null) {
                for (Object o : j.getJsonArray("copies")) {
                    List<Copy> list = new ArrayList<>();
                    ((JsonArray) o).forEach(c -> list.add(Copy.fromJson((JsonObject) c)));
                    copies.add(list);
                }
            } else {
                j.getJsonArray("owners").forEach(o -> copies.add(((String) o).isEmpty() ? List.of()
                        : List.of(new Copy((String) o, true, CopyState.STARTED))));
            }
            return new Allocation(j.getString("collection"), j.getLong("version"), j.getInteger("shards"),
                    j.getInteger("replicas", defaultReplicas), copies);
        }
    }

    /** The members in descending rendezvous weight for {@code shard} (ties, which do not happen, by id). */
    static List<String> byWeight(int shard, Collection<String> members) {
        List<String> out = new ArrayList<>(members);
        Map<String, Long> w = new HashMap<>();
        for (String m : out) {
            w.put(m, weight(shard, m));
        }
        out.sort(Comparator.<String>comparingLong(w::get).reversed().thenComparing(Comparator.naturalOrder()));
        return out;
    }

    private static long weight(int shard, String member) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((member + "/" + shard)
                    .getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
