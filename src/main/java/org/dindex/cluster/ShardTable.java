package org.dindex.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Who owns which shard, kept in Hazelcast (the cluster manager Vert.x already runs on) and cached here.
 *
 * <ul>
 *   <li>{@code dindex.members} (IMap): Vert.x node id to member id, put by each member once it serves its shard
 *       addresses. A member id is stable across restarts ({@code <data>/cluster.json}); node ids change with each
 *       start. Live members are those whose node is in the cluster now.</li>
 *   <li>{@code dindex.shards} (IMap): collection name to its {@link Shards.Allocation} as JSON. Replaced only by
 *       {@code IMap.replace(key, expected, next)} (an atomic compare-and-set on the entry's partition owner, with one
 *       synchronous backup), so concurrent members computing the same next allocation agree on one version. The CP
 *       subsystem would need three CP members; a two-member cluster is common here.</li>
 * </ul>
 * Each member also keeps the allocations it last saw in its data dir, so a cluster restarted whole (the maps then
 * empty) starts from the same shard counts and owners instead of recomputing them. All methods here block (Hazelcast
 * calls and file writes): callers run them on a worker, one at a time.
 */
final class ShardTable {
    private static final Logger LOG = Logger.getLogger(ShardTable.class.getName());

    private final HazelcastInstance hazelcast;
    private final Path file;
    private final String memberId;
    private final int defaultShards;
    private final int defaultReplicas;
    private volatile Map<String, Shards.Allocation> allocations = Map.of();
    /** Live members: member id to node id. */
    private volatile Map<String, String> live = Map.of();
    /** Every node id this member has seen registered, to its member id. */
    private volatile Map<String, String> nodes = Map.of();
    /** The allocations kept in the data dir (read once; written on every change). */
    private Map<String, Shards.Allocation> saved;

    ShardTable(HazelcastInstance hazelcast, Path dataDir, int defaultShards, int defaultReplicas) {
        this.hazelcast = hazelcast;
        this.file = dataDir.resolve("cluster.json");
        this.defaultShards = defaultShards;
        this.defaultReplicas = defaultReplicas;
        this.memberId = readOrCreateMemberId();
        this.saved = readSaved();
    }

    String memberId() {
        return memberId;
    }

    private IMap<String, String> membersMap() {
        return hazelcast.getMap("dindex.members");
    }

    private IMap<String, String> shardsMap() {
        return hazelcast.getMap("dindex.shards");
    }

    /** Announces this member (its shard addresses are served from now on). */
    void register(String nodeId) {
        membersMap().set(nodeId, memberId);
    }

    void unregister(String nodeId) {
        try {
            membersMap().delete(nodeId);
        } catch (RuntimeException e) {
            // the cluster may already be shutting down
        }
    }

    /**
     * Reads who is live, makes sure {@code collections} have an allocation, reconciles every allocation with the live
     * members and caches the result.
     */
    synchronized void refresh(Collection<String> liveNodes, Collection<String> collections, String selfNode) {
        IMap<String, String> members = membersMap();
        if (!memberId.equals(members.get(selfNode))) {
            members.set(selfNode, memberId);  // lost with members that held the entry: announced again
        }
        Map<String, String> registered = new HashMap<>(members);
        Map<String, String> liveNow = new TreeMap<>();
        for (String node : liveNodes) {
            String member = registered.get(node);
            if (member != null) {
                liveNow.put(member, node);
            }
        }
        Map<String, String> seen = new HashMap<>(nodes);
        seen.putAll(registered);
        nodes = seen;
        live = Map.copyOf(liveNow);
        IMap<String, String> map = shardsMap();
        Set<String> names = new HashSet<>(collections);
        names.addAll(map.keySet());
        names.addAll(saved.keySet());
        Map<String, Shards.Allocation> out = new TreeMap<>();
        for (String name : names) {
            Shards.Allocation a = reconcile(map, name, saved.get(name), liveNow.keySet());
            if (a != null) {
                out.put(name, a);
            }
        }
        // An update made meanwhile (cached by update()) may be newer than what this refresh read: keep the newer.
        allocations.forEach((name, known) -> {
            Shards.Allocation read = out.get(name);
            if (read != null && known.version() > read.version()) {
                out.put(name, known);
            }
        });
        allocations = Map.copyOf(out);
        if (!out.equals(saved)) {
            save(out);
            saved = allocations;
        }
    }

    private Shards.Allocation reconcile(IMap<String, String> map, String name, Shards.Allocation saved,
                                        Set<String> liveMembers) {
        for (int attempt = 0; attempt < 5; attempt++) {
            String json = map.get(name);
            if (json == null) {
                if (liveMembers.isEmpty()) {
                    return saved;
                }
                Shards.Allocation first = saved != null ? saved.next(liveMembers)
                        : Shards.Allocation.initial(name, defaultShards, defaultReplicas, liveMembers);
                if (map.putIfAbsent(name, first.toJson().encode()) == null) {
                    LOG.info("shards of '" + name + "': " + first.shards() + " allocated (version " + first.version()
                            + ")");
                    return first;
                }
                continue;
            }
            Shards.Allocation current = Shards.Allocation.fromJson(new JsonObject(json), defaultReplicas);
            Shards.Allocation next = current.next(liveMembers);
            if (next == current) {
                return current;
            }
            if (map.replace(name, json, next.toJson().encode())) {
                LOG.info("shards of '" + name + "' reallocated: version " + next.version() + ", copies "
                        + next.copies());
                return next;
            }
        }
        return allocations.get(name);
    }

    /**
     * Replaces the collection's allocation with {@code change} of the current one, by compare-and-set (retried a few
     * times when another member changed it meanwhile). Returns the allocation now in force: {@code change}'s
     * result, or the current one when {@code change} returned it unchanged.
     */
    Shards.Allocation update(String collection, UnaryOperator<Shards.Allocation> change) {
        IMap<String, String> map = shardsMap();
        for (int attempt = 0; attempt < 10; attempt++) {
            String json = map.get(collection);
            if (json == null) {
                throw new IllegalStateException("collection '" + collection + "' has no shard allocation");
            }
            Shards.Allocation current = Shards.Allocation.fromJson(new JsonObject(json), defaultReplicas);
            cache(current);  // known now, also when the change is refused
            Shards.Allocation next = change.apply(current);
            if (next == current || map.replace(collection, json, next.toJson().encode())) {
                cache(next);
                return next;
            }
        }
        throw new IllegalStateException("the shard allocation of '" + collection + "' kept changing under an update");
    }

    private synchronized void cache(Shards.Allocation a) {
        Shards.Allocation known = allocations.get(a.collection());
        if (known == null || known.version() < a.version()) {
            Map<String, Shards.Allocation> out = new TreeMap<>(allocations);
            out.put(a.collection(), a);
            allocations = Map.copyOf(out);
        }
    }

    Shards.Allocation allocation(String collection) {
        return allocations.get(collection);
    }

    Map<String, Shards.Allocation> allocations() {
        return allocations;
    }

    /** The node id of a live member, or null. */
    String nodeOf(String member) {
        return live.get(member);
    }

    /** The member id of a node id this member has seen, or null. */
    String memberOf(String nodeId) {
        return nodes.get(nodeId);
    }

    Map<String, String> live() {
        return live;
    }

    private String readOrCreateMemberId() {
        JsonObject j = readFile();
        String id = j.getString("member_id");
        if (id == null) {
            id = UUID.randomUUID().toString();
            write(j.put("member_id", id));
        }
        return id;
    }

    private JsonObject readFile() {
        try {
            return Files.exists(file) ? new JsonObject(Files.readString(file, StandardCharsets.UTF_8))
                    : new JsonObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Shards.Allocation> readSaved() {
        Map<String, Shards.Allocation> out = new LinkedHashMap<>();
        JsonObject all = readFile().getJsonObject("allocations", new JsonObject());
        all.forEach(e -> out.put(e.getKey(), Shards.Allocation.fromJson((JsonObject) e.getValue(),
                defaultReplicas)));
        return out;
    }

    private void save(Map<String, Shards.Allocation> all) {
        JsonObject allocationsJson = new JsonObject();
        all.forEach((k, v) -> allocationsJson.put(k, v.toJson()));
        write(readFile().put("allocations", allocationsJson));
    }

    private void write(JsonObject j) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, j.encodePrettily() + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
