package org.dindex.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.DindexException;
import org.dindex.bus.ErrorCode;
import org.dindex.client.DindexClient;
import org.dindex.support.Cli;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two daemons, separate processes with their own data dirs and sockets, join one cluster over loopback (Hazelcast
 * under the Vert.x clustered event bus): each sees both members with their index sizes, local requests stay local,
 * member addresses are not reachable by clients, and a stopped member leaves the view.
 */
@Timeout(300)
class ClusterMembershipTest {
    Path root;
    Cli a;
    Cli b;

    @AfterEach
    void cleanUp() {
        for (Cli c : new Cli[]{a, b}) {
            if (c != null) {
                c.run("daemon", "stop");
                c.killDaemon();
            }
        }
        TestDirs.deleteTree(root);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void twoDaemonsJoinSeeEachOtherAndKeepTheirOwnIndexes() throws Exception {
        root = TestDirs.privateDir("cl");
        int portA = freePort();
        int portB = freePort();
        a = new Cli(root.resolve("a"));
        b = new Cli(root.resolve("b"));
        Cli.Result startA = a.run("daemon", "start", "--cluster", "--cluster-port", String.valueOf(portA),
                "--join", "127.0.0.1:" + portB);
        assertEquals(0, startA.exit(), startA.toString());
        Cli.Result startB = b.run("daemon", "start", "--cluster", "--cluster-port", String.valueOf(portB),
                "--join", "127.0.0.1:" + portA);
        assertEquals(0, startB.exit(), startB.toString());

        Path doc = Files.writeString(root.resolve("lighthouse.md"), "# Lighthouses\n\nA lighthouse guides ships"
                + " past dangerous reefs with a bright rotating beam.\n");
        assertEquals(0, a.run("index", doc.toString()).exit());

        JsonObject clusterA = awaitMembers(a, 2);
        JsonObject clusterB = awaitMembers(b, 2);
        assertEquals(clusterA.getString("name"), clusterB.getString("name"));
        JsonObject aSeenByB = member(clusterB, clusterA.getString("node_id"));
        assertTrue(aSeenByB.getBoolean("reachable"), clusterB.encodePrettily());
        assertEquals(1, aSeenByB.getInteger("documents"), "b sees a's index size: " + clusterB.encodePrettily());
        assertEquals(0, member(clusterA, clusterB.getString("node_id")).getInteger("documents"));

        // Requests stay on the daemon they were sent to: b's own index is still empty.
        assertEquals(0, b.run("stats", "--json").json().getInteger("documents"));
        assertEquals(1, a.run("stats", "--json").json().getInteger("documents"));

        // Member addresses are for daemons only.
        try (DindexClient client = DindexClient.connect(b.socket)) {
            DindexException denied = assertThrows(DindexException.class, () -> client.request(
                    ClusterVerticle.memberAddress(clusterA.getString("node_id"), "info"), new JsonObject()));
            assertEquals(ErrorCode.ACCESS_DENIED, denied.code());
        }

        // A search from b covers both members and is fused once; each document says where it lives.
        Path volcano = Files.writeString(root.resolve("volcano.md"), "# Volcanoes\n\nMagma rises through the crust"
                + " and erupts as lava from a volcano.\n");
        assertEquals(0, b.run("index", volcano.toString()).exit());
        JsonObject federated = b.run("search", "lighthouse guiding ships past reefs", "--json").json();
        assertEquals("cluster", federated.getString("scope"), federated.encodePrettily());
        assertEquals(false, federated.getBoolean("partial"));
        assertEquals(2, federated.getJsonArray("members").size());
        JsonObject top = federated.getJsonArray("results").getJsonObject(0);
        assertEquals(doc.toAbsolutePath().toString(), top.getString("source"), federated.encodePrettily());
        assertEquals(clusterA.getString("node_id"), top.getString("member"));
        assertEquals(2, federated.getInteger("total_documents"), "both members' documents: " + federated.encode());
        JsonObject local = b.run("search", "lighthouse guiding ships past reefs", "--scope", "local", "--json").json();
        assertEquals(1, local.getInteger("total_documents"), local.encodePrettily());
        assertTrue(local.getJsonArray("results").getJsonObject(0).getString("source").endsWith("volcano.md"));

        // A member that dies makes answers partial, not failures, within the member timeout.
        a.killDaemon();
        long t0 = System.nanoTime();
        JsonObject partial = b.run("search", "lighthouse guiding ships past reefs", "--json").json();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (partial.getJsonArray("members").size() == 2) {
            assertTrue(partial.getBoolean("partial"), partial.encodePrettily());
            assertTrue(ms < 10_000, "answered in " + ms + " ms");
        }
        assertTrue(partial.getJsonArray("results").getJsonObject(0).getString("source").endsWith("volcano.md"));
        JsonObject alone = awaitMembers(b, 1);
        assertEquals(clusterB.getString("node_id"), alone.getJsonArray("members").getJsonObject(0)
                .getString("node_id"));
        Cli.Result text = b.run("daemon", "status");
        assertTrue(text.out().contains("cluster") && text.out().contains("(this node)"), text.out());
    }

    private static JsonObject awaitMembers(Cli cli, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonObject cluster = null;
        while (System.nanoTime() < deadline) {
            Cli.Result r = cli.run("daemon", "status", "--json");
            assertEquals(0, r.exit(), r.toString());
            cluster = r.json().getJsonObject("cluster");
            if (cluster != null && cluster.getJsonArray("members").size() == n) {
                return cluster;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("expected " + n + " members, got " + (cluster == null ? null : cluster.encode()));
    }

    private static JsonObject member(JsonObject cluster, String nodeId) {
        JsonArray members = cluster.getJsonArray("members");
        for (Object o : members) {
            if (((JsonObject) o).getString("node_id").equals(nodeId)) {
                return (JsonObject) o;
            }
        }
        throw new AssertionError(nodeId + " not among " + members.encode());
    }
}
