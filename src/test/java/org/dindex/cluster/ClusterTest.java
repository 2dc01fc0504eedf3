package org.dindex.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.client.DindexClient;
import org.dindex.support.Cli;
import org.dindex.support.Europarl;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three daemons on loopback, separate processes with their own data dirs, sockets and corpora, in one cluster
 * (Hazelcast under the Vert.x clustered event bus): searches from any member merge every member's documents with
 * attribution; a member that dies makes answers partial within the member timeout; restarted, it rejoins and
 * answers are complete again; jobs are visible from every member.
 */
@Timeout(600)
class ClusterTest {
    Path root;
    final List<Cli> members = new ArrayList<>();
    final int[] ports = new int[3];

    @AfterEach
    void cleanUp() {
        for (Cli c : members) {
            c.run("daemon", "stop");
            c.killDaemon();
        }
        TestDirs.deleteTree(root);
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Cli.Result start(int i) {
        List<String> others = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
            if (j != i) {
                others.add("127.0.0.1:" + ports[j]);
            }
        }
        return members.get(i).run("daemon", "start", "--cluster", "--cluster-port", String.valueOf(ports[i]),
                "--join", String.join(",", others));
    }

    @Test
    void threeMembersSearchTogetherSurviveALossAndRejoin() throws Exception {
        root = TestDirs.privateDir("cl");
        String[][] corpora = {
                {"lighthouse.md", "# Lighthouses\n\nA lighthouse guides ships past dangerous reefs with a bright"
                        + " rotating beam seen from twenty miles at sea.\n"},
                {"volcano.md", "# Volcanoes\n\nMagma rises through cracks in the crust and erupts as lava and ash"
                        + " from a volcano.\n"},
                {"bread.md", "# Sourdough\n\nSourdough bread rises slowly thanks to wild yeast in a starter of flour"
                        + " and water.\n"}};
        for (int i = 0; i < 3; i++) {
            ports[i] = freePort();
            members.add(new Cli(root.resolve("m" + i)));
        }
        // Each member: its own slice of a real corpus (Europarl speeches) plus one document only it holds.
        List<Europarl.Line> speeches = Europarl.english(60);
        for (int i = 0; i < 3; i++) {
            Cli.Result r = start(i);
            assertEquals(0, r.exit(), r.toString());
            Path dir = Files.createDirectories(root.resolve("corpus" + i));
            Files.writeString(dir.resolve(corpora[i][0]), corpora[i][1]);
            for (int s = i; s < speeches.size(); s += 3) {
                Files.writeString(dir.resolve("speech-" + s + ".txt"), speeches.get(s).text());
            }
            Cli.Result indexed = members.get(i).run("index", dir.toString());
            assertEquals(0, indexed.exit(), indexed.toString());
        }
        List<String> ids = new ArrayList<>();
        for (Cli m : members) {
            ids.add(awaitMembers(m, 3).getString("node_id"));
        }

        // Each query matches one member's documents only: that member's document ranks first, from any member.
        String[] queries = {"which tower warns ships of reefs", "molten rock erupting from a mountain",
                "baking bread with wild yeast"};
        for (int q = 0; q < 3; q++) {
            for (int from = 0; from < 3; from++) {
                JsonObject r = members.get(from).run("search", queries[q], "--json").json();
                assertEquals(false, r.getBoolean("partial"), r.encodePrettily());
                assertEquals(3, r.getJsonArray("members").size());
                JsonObject top = r.getJsonArray("results").getJsonObject(0);
                assertTrue(top.getString("source").endsWith(corpora[q][0]), "query " + q + " from member " + from
                        + ": " + r.encodePrettily());
                assertEquals(ids.get(q), top.getString("member"));
            }
        }
        // A query every corpus answers: documents come from all three members, each attributed.
        JsonObject broad = members.get(0).run("search", "the European Parliament debated the report", "--top-k", "30",
                "--json").json();
        java.util.Set<String> holders = new java.util.HashSet<>();
        broad.getJsonArray("results").forEach(o -> holders.add(((JsonObject) o).getString("member")));
        assertEquals(java.util.Set.copyOf(ids), holders, broad.encodePrettily());
        for (Object o : broad.getJsonArray("results")) {
            JsonObject d = (JsonObject) o;
            int holder = ids.indexOf(d.getString("member"));
            assertTrue(d.getString("source").contains("/corpus" + holder + "/"), "attribution: " + d.encode());
        }
        JsonObject local = members.get(0).run("search", queries[1], "--scope", "local", "--json").json();
        assertTrue(local.getJsonArray("results").stream().map(o -> (JsonObject) o)
                .noneMatch(d -> d.getString("source").endsWith("volcano.md")), local.encodePrettily());

        // Member addresses are for daemons only.
        try (DindexClient client = DindexClient.connect(members.get(0).socket)) {
            DindexException denied = assertThrows(DindexException.class, () -> client.request(
                    ClusterVerticle.memberAddress(ids.get(1), "candidates"), new JsonObject()));
            assertEquals(ErrorCode.ACCESS_DENIED, denied.code());
        }

        // Jobs: a job on member 2 is listed and shown from member 0.
        Path notes = Files.writeString(root.resolve("notes.jsonl"), "{\"id\":\"n1\",\"title\":\"Tides\",\"text\":"
                + "\"Tides follow the moon.\"}\n");
        String job = members.get(2).run("import", notes.toString(), "--json").json().getString("id");
        JsonArray all = members.get(0).run("jobs", "--cluster", "--json").json().getJsonArray("jobs");
        assertTrue(all.stream().map(o -> (JsonObject) o).anyMatch(j -> j.getString("id").equals(job)
                && j.getString("member").equals(ids.get(2))), all.encodePrettily());
        Cli.Result remote = members.get(0).run("job", job, "--json");
        assertEquals(0, remote.exit(), remote.toString());
        assertEquals("completed", remote.json().getString("state"));
        // The dashboard's stream on member 0 lists member 2's job in its snapshot.
        String url = members.get(0).run("daemon", "status", "--json").json().getJsonObject("http").getString("url");
        java.util.concurrent.BlockingQueue<String> inbox = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(java.net.URI.create(url.replace("http://", "ws://") + "/ws"),
                        new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w,
                                                                                  CharSequence data, boolean last) {
                                inbox.add(data.toString());
                                w.request(1);
                                return null;
                            }
                        }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        ws.sendText("{\"type\":\"subscribe\",\"id\":\"s\"}", true).get(10, java.util.concurrent.TimeUnit.SECONDS);
        JsonObject snapshot = null;
        for (int i = 0; i < 10 && snapshot == null; i++) {
            String m = inbox.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            if (m != null && new JsonObject(m).getString("type").equals("snapshot")) {
                snapshot = new JsonObject(m);
            }
        }
        assertTrue(snapshot != null && snapshot.getJsonArray("jobs").stream().map(o -> (JsonObject) o)
                .anyMatch(j -> j.getString("id").equals(job)), String.valueOf(snapshot));
        ws.abort();

        // A member dies: answers are partial, not failures, and come within the member timeout.
        members.get(1).killDaemon();
        long t0 = System.nanoTime();
        JsonObject partial = members.get(0).run("search", queries[0], "--json").json();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 10_000, "answered in " + ms + " ms");
        if (partial.getJsonArray("members").size() == 3) {  // before the cluster notices the loss
            assertTrue(partial.getBoolean("partial"), partial.encodePrettily());
            JsonObject lost = partial.getJsonArray("members").stream().map(o -> (JsonObject) o)
                    .filter(m -> m.getString("node_id").equals(ids.get(1))).findFirst().orElseThrow();
            assertFalse(lost.getString("status").equals("ok"), partial.encodePrettily());
        }
        assertTrue(partial.getJsonArray("results").getJsonObject(0).getString("source").endsWith("lighthouse.md"));
        assertTrue(partial.getJsonArray("results").stream().map(o -> (JsonObject) o)
                .noneMatch(d -> d.getString("source").contains("/corpus1/")), partial.encodePrettily());
        awaitMembers(members.get(0), 2);

        // Restarted, it rejoins and answers are complete again.
        assertEquals(0, start(1).exit());
        awaitMembers(members.get(0), 3);
        JsonObject complete = members.get(0).run("search", queries[1], "--json").json();
        assertEquals(false, complete.getBoolean("partial"), complete.encodePrettily());
        assertTrue(complete.getJsonArray("results").getJsonObject(0).getString("source").endsWith("volcano.md"));
    }

    private static JsonObject awaitMembers(Cli cli, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonObject cluster = null;
        while (System.nanoTime() < deadline) {
            Cli.Result r = cli.run("daemon", "status", "--json");
            if (r.exit() == 0) {
                cluster = r.json().getJsonObject("cluster");
                if (cluster != null && cluster.getJsonArray("members").size() == n && cluster.getJsonArray("members")
                        .stream().allMatch(m -> ((JsonObject) m).getBoolean("reachable"))) {
                    return cluster;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("expected " + n + " reachable members, got " + (cluster == null ? null
                : cluster.encode()));
    }
}
