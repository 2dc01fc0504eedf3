package org.dindex.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.dindex.index.ChunkRecord;
import org.dindex.index.DocumentRecord;
import org.dindex.index.WalCodec;
import org.dindex.index.WriteOp;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary's side of replication against a real (one-member) Hazelcast holding the shard table, and a copy on
 * "member b" played by a consumer of its member address on a real event bus: a write waits for the copy (or not, with
 * {@code cluster.acknowledge: primary}), carries the stored record with its vector, takes a copy that fails out of
 * the allocation by compare-and-set and is still acknowledged, and is refused when this member is no longer the
 * shard's primary, as a stale routing the router sends again.
 */
class ReplicationTest {
    private HazelcastInstance hazelcast;
    private Vertx vertx;
    private Path dir;
    private ShardTable table;
    private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        Config config = new Config().setClusterName("replication-test-" + System.nanoTime());
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().setPort(5801).setPortAutoIncrement(true).getInterfaces().setEnabled(false);
        config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1"));
        hazelcast = Hazelcast.newHazelcastInstance(config);
        vertx = Vertx.vertx();
        dir = TestDirs.privateDir("repl");
        table = new ShardTable(hazelcast, dir, 1, 1);
    }

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
        hazelcast.shutdown();
        TestDirs.deleteTree(dir);
    }

    /** One shard: its primary on {@code primary}, a started replica on the other member. */
    private void allocate(String primary) {
        String other = primary.equals("member-b") ? table.memberId() : "member-b";
        Shards.Allocation a = new Shards.Allocation("default", 5, 1, 1, List.of(List.of(
                new Shards.Copy(primary, true, Shards.CopyState.STARTED),
                new Shards.Copy(other, false, Shards.CopyState.STARTED))));
        hazelcast.getMap("dindex.shards").set("default", a.toJson().encode());
        hazelcast.getMap("dindex.members").set("node-b", "member-b");
        table.refresh(List.of("node-a", "node-b"), List.of("default"), "node-a");
        assertEquals(a, table.allocation("default"));
    }

    /** Member b's copy: records what it is sent and answers after {@code delayMs}, or fails. */
    private void copyOnB(long delayMs, boolean fail) throws Exception {
        vertx.eventBus().<JsonObject>consumer(ClusterVerticle.memberAddress("node-b", "replicate"), m -> {
            received.add(m.body());
            vertx.setTimer(Math.max(1, delayMs), t -> {
                if (fail) {
                    m.fail(500, "disk full on member b");
                } else {
                    m.reply(new JsonObject().put("applied", 1));
                }
            });
        }).completion().await(10, TimeUnit.SECONDS);
    }

    private Replication replication(boolean waitForCopies) {
        Replication r = new Replication(waitForCopies);
        r.bind(vertx, table, (collection, change) -> vertx.executeBlocking(() -> table.update(collection, change)));
        return r;
    }

    private static DocumentRecord record() {
        return record("doc-1");
    }

    private static DocumentRecord record(String docId) {
        float[] vector = {0.6f, 0.8f, 0f};
        return new DocumentRecord(docId, "/corpus/" + docId + ".md", "A", null, "hash-1", Map.of("k", "v"), 1L, 2L,
                List.of(new ChunkRecord(docId + "-0", 0, "text of a", List.of("A"), 0, 3, vector)));
    }

    @Test
    void aWriteWaitsForTheCopyAndCarriesTheStoredRecordWithItsVector() throws Exception {
        allocate(table.memberId());
        copyOnB(800, false);
        long t0 = System.nanoTime();
        replication(true).forward("default", List.of(record())).await(10, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 700, "acknowledged after the copy confirmed, not before: " + ms + " ms");
        JsonObject sent = received.poll(1, TimeUnit.SECONDS);
        assertNotNull(sent);
        assertEquals(table.memberId(), sent.getString("from"));
        assertEquals(5, sent.getLong("version"));
        assertEquals(List.of(0), sent.getJsonArray("shards").getList());
        WriteOp.Upsert upsert = (WriteOp.Upsert) WalCodec.decode(sent.getBinary("ops")).getFirst();
        assertEquals("doc-1", upsert.doc().docId());
        assertArrayEquals(new float[] {0.6f, 0.8f, 0f}, upsert.doc().chunks().getFirst().vector());
    }

    @Test
    void acknowledgedByThePrimaryAloneTheWriteDoesNotWaitButStillReachesTheCopy() throws Exception {
        allocate(table.memberId());
        copyOnB(2000, false);
        long t0 = System.nanoTime();
        replication(false).forward("default", List.of(record())).await(10, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "not waiting for the copy: " + ms + " ms");
        assertNotNull(received.poll(5, TimeUnit.SECONDS), "the copy still gets it");
    }

    @Test
    void aCopyThatFailsIsTakenOutOfTheShardAndTheWriteIsStillAcknowledged() throws Exception {
        allocate(table.memberId());
        copyOnB(0, true);
        replication(true).forward("default", List.of(record())).await(10, TimeUnit.SECONDS);
        Shards.Allocation now = Shards.Allocation.fromJson(new JsonObject((String) hazelcast.getMap("dindex.shards")
                .get("default")), 1);
        assertNull(now.copyOn(0, "member-b"), now.toString());
        assertEquals(table.memberId(), now.primary(0).member());
        assertTrue(now.version() > 5);
        assertEquals(now, table.allocation("default"), "the table knows the change at once");
    }

    @Test
    void aWriteSpanningAShardNoLongerItsOwnStillReachesTheCopiesOfTheOthers() throws Exception {
        // Two shards: shard 0's primary here, shard 1's on member b (a role handed over while the write was on its
        // way). The router sends the whole write again; the document of shard 0 then reads as unchanged here, so
        // its copy must have it from this attempt.
        Shards.Allocation a = new Shards.Allocation("default", 7, 2, 1, List.of(
                List.of(new Shards.Copy(table.memberId(), true, Shards.CopyState.STARTED),
                        new Shards.Copy("member-b", false, Shards.CopyState.STARTED)),
                List.of(new Shards.Copy("member-b", true, Shards.CopyState.STARTED),
                        new Shards.Copy(table.memberId(), false, Shards.CopyState.STARTED))));
        hazelcast.getMap("dindex.shards").set("default", a.toJson().encode());
        hazelcast.getMap("dindex.members").set("node-b", "member-b");
        table.refresh(List.of("node-a", "node-b"), List.of("default"), "node-a");
        copyOnB(1, false);
        DocumentRecord mine = null;
        DocumentRecord theirs = null;
        for (int i = 0; mine == null || theirs == null; i++) {
            DocumentRecord r = record("doc-" + i);
            if (Shards.of(r.docId(), 2) == 0) {
                mine = r;
            } else {
                theirs = r;
            }
        }
        Future<Void> write = replication(true).forward("default", List.of(mine, theirs));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> write.await(10, TimeUnit.SECONDS));
        assertTrue(ShardRouter.staleRouting(e), String.valueOf(e));
        JsonObject sent = received.poll(5, TimeUnit.SECONDS);
        assertNotNull(sent, "shard 0's copy got its document");
        assertEquals(List.of(0), sent.getJsonArray("shards").getList());
        assertEquals(mine.docId(), ((WriteOp.Upsert) WalCodec.decode(sent.getBinary("ops")).getFirst()).doc()
                .docId());
        assertNull(received.poll(500, TimeUnit.MILLISECONDS), "nothing of shard 1");
    }

    @Test
    void aMemberThatIsNoLongerThePrimaryRefusesSoTheRouterSendsTheWriteAgain() {
        allocate("member-b");
        Future<Void> refused = replication(true).forward("default", List.of(record()));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> refused.await(10, TimeUnit.SECONDS));
        assertTrue(ShardRouter.staleRouting(e), String.valueOf(e));
        assertTrue(received.isEmpty(), "nothing forwarded");
    }
}
