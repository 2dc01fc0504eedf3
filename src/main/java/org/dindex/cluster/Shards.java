package org.dindex.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * Shards of a collection in a cluster, as pure functions that every member computes alike.
 *
 * <p>A document's shard is CRC32C of the UTF-8 bytes of its document id (the hash of its source, see
 * {@link org.dindex.index.DocumentIds}) modulo the collection's shard count, fixed when the collection's allocation
 * is first made. The allocation names each shard's owning member by its stable member id (kept in the member's data
 * dir, so a member restarted with its disk owns what it owned before).
 */
public final class Shards {
    private Shards() {
    }

    /** The shard of the document with id {@code docId} among {@code shards}. */
    public static int of(String docId, int shards) {
        CRC32C crc = new CRC32C();
        crc.update(docId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % shards);
    }

    /**
     * A collection's allocation: {@code owners.get(s)} is the member id owning shard {@code s}. {@code version} grows
     * by one with every change; members replace it only by compare-and-set on the version they read.
     */
    public record Allocation(String collection, long version, int shards, List<String> owners) {
        public Allocation {
            owners = List.copyOf(owners);
            if (owners.size() != shards) {
                throw new IllegalArgumentException(shards + " shards but " + owners.size() + " owners");
            }
        }

        /** A first allocation of {@code shards} shards over the live members. */
        public static Allocation initial(String collection, int shards, Set<String> live) {
            List<String> none = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                none.add("");
            }
            return new Allocation(collection, 0, shards, none).next(live);
        }

        /**
         * The allocation after a membership change, deterministic in (this, live):
         * <ol>
         *   <li>a shard whose owner is not live keeps it: in phase 1 its documents exist only on that member's disk,
         *       so the shard is unassigned (answers name it as missing) until that member comes back;</li>
         *   <li>the other shards are spread evenly over the live members (at most ceil(n / members) each): a shard
         *       stays with its owner while the owner is under that bound (few moves), the rest go, shard by shard,
         *       to the live member with the highest rendezvous weight for that shard that is still under it.</li>
         * </ol>
         * Returns {@code this} when nothing changes. Documents do not move with ownership (phase 1): searches ask
         * every member, so they are still found where they are.
         */
        public Allocation next(Set<String> live) {
            if (live.isEmpty()) {
                return this;
            }
            List<String> out = new ArrayList<>(owners);
            List<Integer> assignable = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                String owner = owners.get(s);
                if (owner.isEmpty() || live.contains(owner)) {
                    assignable.add(s);
                    out.set(s, "");
                }
            }
            int cap = (assignable.size() + live.size() - 1) / live.size();
            Map<String, Integer> count = new HashMap<>();
            for (int s : assignable) {
                String owner = owners.get(s);
                if (!owner.isEmpty() && count.getOrDefault(owner, 0) < cap) {
                    out.set(s, owner);
                    count.merge(owner, 1, Integer::sum);
                }
            }
            Set<String> sorted = new TreeSet<>(live);
            for (int s : assignable) {
                if (out.get(s).isEmpty()) {
                    for (String m : byWeight(s, sorted)) {
                        if (count.getOrDefault(m, 0) < cap) {
                            out.set(s, m);
                            count.merge(m, 1, Integer::sum);
                            break;
                        }
                    }
                }
            }
            return out.equals(owners) ? this : new Allocation(collection, version + 1, shards, out);
        }

        /** The shards whose owner is not in {@code members}. */
        public List<Integer> missing(Set<String> members) {
            List<Integer> out = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                if (!members.contains(owners.get(s))) {
                    out.add(s);
                }
            }
            return out;
        }

        public JsonObject toJson() {
            return new JsonObject().put("collection", collection).put("version", version).put("shards", shards)
                    .put("owners", new JsonArray(owners));
        }

        public static Allocation fromJson(JsonObject j) {
            List<String> owners = new ArrayList<>();
            j.getJsonArray("owners").forEach(o -> owners.add((String) o));
            return new Allocation(j.getString("collection"), j.getLong("version"), j.getInteger("shards"), owners);
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
