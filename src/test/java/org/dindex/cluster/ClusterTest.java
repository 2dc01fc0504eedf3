package org.dindex.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.client.DindexClient;
import org.dindex.support.Await;
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
        for (int j = 0; j < members.size(); j++) {
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
        // Each document was stored by the owner of its shard (not necessarily the member it was indexed through):
        // every member names the same holder, and that holder's own index has it.
        String[] queries = {"which tower warns ships of reefs", "molten rock erupting from a mountain",
                "baking bread with wild yeast"};
        String[] holder = new String[3];
        for (int q = 0; q < 3; q++) {
            for (int from = 0; from < 3; from++) {
                JsonObject r = members.get(from).run("search", queries[q], "--json").json();
                assertEquals(false, r.getBoolean("partial"), r.encodePrettily());
                assertEquals(List.of(), r.getJsonArray("missing_shards").getList(), r.encodePrettily());
                assertEquals(3, r.getJsonArray("members").size());
                JsonObject top = r.getJsonArray("results").getJsonObject(0);
                assertTrue(top.getString("source").endsWith(corpora[q][0]), "query " + q + " from member " + from
                        + ": " + r.encodePrettily());
                if (holder[q] == null) {
                    holder[q] = top.getString("member");
                }
                assertEquals(holder[q], top.getString("member"));
            }
            JsonObject local = members.get(ids.indexOf(holder[q])).run("search", queries[q], "--scope", "local",
                    "--json").json();
            assertTrue(local.getJsonArray("results").getJsonObject(0).getString("source").endsWith(corpora[q][0]),
                    local.encodePrettily());
        }
        // A query every corpus answers: documents come from all three members, each attributed.
        JsonObject broad = members.get(0).run("search", "the European Parliament debated the report", "--top-k", "30",
                "--json").json();
        java.util.Set<String> holders = new java.util.HashSet<>();
        broad.getJsonArray("results").forEach(o -> holders.add(((JsonObject) o).getString("member")));
        assertEquals(java.util.Set.copyOf(ids), holders, broad.encodePrettily());
        List<java.util.Set<String>> localSources = new ArrayList<>();
        for (Cli m : members) {
            java.util.Set<String> sources = new java.util.HashSet<>();
            m.run("search", "the European Parliament debated the report", "--top-k", "60", "--scope", "local",
                    "--json").json().getJsonArray("results").forEach(o -> sources.add(((JsonObject) o)
                    .getString("source")));
            localSources.add(sources);
        }
        for (Object o : broad.getJsonArray("results")) {
            JsonObject d = (JsonObject) o;
            assertTrue(localSources.get(ids.indexOf(d.getString("member"))).contains(d.getString("source")),
                    "attribution: " + d.encode());
        }
        // A local search stays on its member: another member's document is not there.
        int notVolcano = ids.indexOf(holder[1]) == 0 ? 1 : 0;
        JsonObject local = members.get(notVolcano).run("search", queries[1], "--scope", "local", "--json").json();
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

        // A member dies (one that does not hold the lighthouse): answers are partial, not failures, and come within
        // the member timeout.
        int victim = ids.indexOf(holder[0]) == 1 ? 2 : 1;
        members.get(victim).killDaemon();
        long t0 = System.nanoTime();
        JsonObject partial = members.get(0).run("search", queries[0], "--json").json();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 10_000, "answered in " + ms + " ms");
        if (partial.getJsonArray("members").size() == 3) {  // before the cluster notices the loss
            assertTrue(partial.getBoolean("partial"), partial.encodePrettily());
            JsonObject lost = partial.getJsonArray("members").stream().map(o -> (JsonObject) o)
                    .filter(m -> m.getString("node_id").equals(ids.get(victim))).findFirst().orElseThrow();
            assertFalse(lost.getString("status").equals("ok"), partial.encodePrettily());
        }
        assertTrue(partial.getJsonArray("results").getJsonObject(0).getString("source").endsWith("lighthouse.md"));
        assertTrue(partial.getJsonArray("results").stream().map(o -> (JsonObject) o)
                .noneMatch(d -> ids.get(victim).equals(d.getString("member"))), partial.encodePrettily());
        assertFalse(partial.getJsonArray("missing_shards").isEmpty(), partial.encodePrettily());
        awaitMembers(members.get(0), 2);
        // Also after the cluster noticed: the victim's shards are named as missing.
        JsonObject stillPartial = members.get(0).run("search", queries[0], "--json").json();
        assertTrue(stillPartial.getBoolean("partial"), stillPartial.encodePrettily());
        assertFalse(stillPartial.getJsonArray("missing_shards").isEmpty(), stillPartial.encodePrettily());

        // Restarted, it rejoins and answers are complete again.
        assertEquals(0, start(victim).exit());
        awaitMembers(members.get(0), 3);
        JsonObject complete = awaitComplete(members.get(0), queries[1]);
        assertTrue(complete.getJsonArray("results").getJsonObject(0).getString("source").endsWith("volcano.md"));
    }

    /**
     * Two members, each a front door: a document indexed through one and re-indexed (changed) through the other has
     * one current copy, on its shard's owner. With one member gone, answers are partial and name its shards for as
     * long as it is gone (not only until the cluster notices), the shard table says red, and writes to its shards are
     * refused rather than stored twice; restarted with its data dir, it owns its shards again: complete, no
     * duplicates.
     */
    @Test
    void writesGoToTheirShardsOwnerAndAnswersNameTheShardsTheyMiss() throws Exception {
        root = TestDirs.privateDir("cs");
        for (int i = 0; i < 2; i++) {
            ports[i] = freePort();
            members.add(new Cli(root.resolve("m" + i)));
        }
        for (int i = 0; i < 2; i++) {
            Cli.Result r = start(i);
            assertEquals(0, r.exit(), r.toString());
        }
        List<String> ids = new ArrayList<>();
        for (Cli m : members) {
            ids.add(awaitMembers(m, 2).getString("node_id"));
        }
        JsonObject table = awaitShards(members.get(0), 2);
        assertEquals("green", table.getString("health"), table.encodePrettily());
        Cli.Result status = members.get(1).run("cluster", "status");
        assertEquals(0, status.exit(), status.toString());
        assertTrue(status.out().contains("health green"), status.out());
        int shardCount = table.getJsonArray("collections").getJsonObject(0).getInteger("shards");
        assertEquals(shardCount, status.out().lines().filter(l -> l.matches("\\s+shard \\d+\\s+started .*"))
                .count(), status.out());
        assertEquals(2, status.out().lines().filter(l -> l.contains("documents,")).count(), status.out());
        JsonObject statusJson = members.get(0).run("cluster", "status", "--json").json();
        assertEquals(table.getJsonArray("collections"), statusJson.getJsonArray("shards"), statusJson.encodePrettily());
        List<Europarl.Line> speeches = Europarl.english(24);
        Path dir = Files.createDirectories(root.resolve("corpus"));
        for (int s = 0; s < speeches.size(); s++) {
            Files.writeString(dir.resolve("speech-" + s + ".txt"), speeches.get(s).text());
        }
        Path lighthouse = dir.resolve("lighthouse.md");
        Files.writeString(lighthouse, "# Lighthouses\n\nA lighthouse guides ships past dangerous reefs with a bright"
                + " rotating beam of light.\n");
        Cli.Result indexed = members.get(0).run("index", dir.toString());
        assertEquals(0, indexed.exit(), indexed.toString());
        // Every document is on one member, and both members hold some (their shards' documents).
        JsonObject cluster = awaitMembers(members.get(0), 2);
        int total = 0;
        for (Object o : cluster.getJsonArray("members")) {
            int documents = ((JsonObject) o).getInteger("documents");
            assertTrue(documents > 0, cluster.encodePrettily());
            total += documents;
        }
        assertEquals(speeches.size() + 1, total, cluster.encodePrettily());

        // Re-indexed with new text through the other member: still one copy, the new one, found from either.
        Files.writeString(lighthouse, "# Lighthouses\n\nA lighthouse keeper climbs the spiral staircase at dusk to"
                + " light the lantern for the fishing fleet.\n");
        Cli.Result again = members.get(1).run("index", lighthouse.toString());
        assertEquals(0, again.exit(), again.toString());
        for (Cli m : members) {
            JsonObject r = m.run("search", "lighthouse keeper lantern staircase", "--json").json();
            List<JsonObject> copies = r.getJsonArray("results").stream().map(o -> (JsonObject) o)
                    .filter(d -> d.getString("source").endsWith("lighthouse.md")).toList();
            assertEquals(1, copies.size(), r.encodePrettily());
            assertTrue(copies.get(0).encode().contains("spiral staircase"), r.encodePrettily());
            assertFalse(r.getBoolean("partial"), r.encodePrettily());
        }
        int totalAfter = 0;
        for (Object o : awaitMembers(members.get(1), 2).getJsonArray("members")) {
            totalAfter += ((JsonObject) o).getInteger("documents");
        }
        assertEquals(total, totalAfter);

        // Member 1 dies: its shards are missing from every answer for as long as it is gone.
        List<Integer> itsShards = new ArrayList<>();
        String memberId1 = awaitMembers(members.get(1), 2).getString("member_id");
        for (Object o : table.getJsonArray("collections").getJsonObject(0).getJsonArray("allocation")) {
            JsonObject shard = (JsonObject) o;
            if (shard.getString("owner").equals(memberId1)) {
                itsShards.add(shard.getInteger("shard"));
            }
        }
        assertFalse(itsShards.isEmpty(), table.encodePrettily());
        members.get(1).killDaemon();
        awaitMembers(members.get(0), 1);
        for (int i = 0; i < 3; i++) {
            JsonObject r = members.get(0).run("search", "the European Parliament debated the report", "--json")
                    .json();
            assertTrue(r.getBoolean("partial"), r.encodePrettily());
            assertEquals(itsShards, r.getJsonArray("missing_shards").getList(), r.encodePrettily());
            Thread.sleep(1000);  // the scenario: the search stays partial, asked three times over 3 s
        }
        String url = members.get(0).run("daemon", "status", "--json").json().getJsonObject("http").getString("url");
        java.net.http.HttpResponse<String> shards = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/api/v1/cluster/shards")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, shards.statusCode(), shards.body());
        org.dindex.http.OpenApiCheck.verify("GET", "/api/v1/cluster/shards", 200, "application/json", shards.body());
        JsonObject red = new JsonObject(shards.body());
        assertEquals("red", red.getString("health"), red.encodePrettily());
        Cli.Result redStatus = members.get(0).run("cluster", "status");
        assertEquals(0, redStatus.exit(), redStatus.toString());
        assertTrue(redStatus.out().contains("health red"), redStatus.out());
        assertEquals(itsShards.size(), redStatus.out().lines()
                .filter(l -> l.matches("\\s+shard \\d+\\s+unassigned .*")).count(), redStatus.out());
        for (Object o : red.getJsonArray("collections").getJsonObject(0).getJsonArray("allocation")) {
            JsonObject shard = (JsonObject) o;
            assertEquals(itsShards.contains(shard.getInteger("shard")) ? "unassigned" : "started",
                    shard.getString("state"), red.encodePrettily());
        }
        // A document of a missing shard is refused, not stored on the member that is left (a second copy later).
        Cli.Result refused = null;
        for (int s = 0; s < speeches.size(); s++) {
            Path speech = dir.resolve("speech-" + s + ".txt");
            if (itsShards.contains(Shards.of(org.dindex.index.DocumentIds.forSource(speech.toAbsolutePath()
                    .normalize().toString()), shardCount))) {
                Files.writeString(speech, "Changed while its owner is away.");
                refused = members.get(0).run("index", speech.toString());
                break;
            }
        }
        assertTrue(refused != null && refused.exit() != 0, String.valueOf(refused));
        assertTrue(refused.toString().contains("no live owner"), refused.toString());

        // Restarted with its data dir, it owns its shards again: complete, and no document twice.
        assertEquals(0, start(1).exit());
        awaitMembers(members.get(0), 2);
        JsonObject complete = awaitComplete(members.get(0), "lighthouse keeper lantern staircase");
        assertEquals(List.of(), complete.getJsonArray("missing_shards").getList());
        assertEquals(1, complete.getJsonArray("results").stream().map(o -> (JsonObject) o)
                .filter(d -> d.getString("source").endsWith("lighthouse.md")).count(), complete.encodePrettily());
        int totalBack = 0;
        for (Object o : awaitMembers(members.get(0), 2).getJsonArray("members")) {
            totalBack += ((JsonObject) o).getInteger("documents");
        }
        assertEquals(total, totalBack);
        assertEquals("green", awaitShards(members.get(1), 2).getString("health"));
    }

    /** The shard table as {@code dindex daemon status --json} shows it, once the shards are spread over n members. */
    private static JsonObject awaitShards(Cli cli, int n) throws InterruptedException {
        JsonObject cluster = Await.value(Duration.ofSeconds(60), Duration.ofMillis(250), "shards spread over " + n
                + " members", () -> awaitMembers(cli, n), c -> {
                    JsonArray collections = c.getJsonArray("shards");
                    if (collections == null || collections.isEmpty()) {
                        return false;
                    }
                    java.util.Set<String> owners = new java.util.HashSet<>();
                    collections.getJsonObject(0).getJsonArray("allocation").forEach(o -> owners.add(
                            ((JsonObject) o).getString("owner")));
                    return owners.size() == n && "green".equals(c.getString("health"));
                });
        return new JsonObject().put("health", cluster.getString("health")).put("collections",
                cluster.getJsonArray("shards"));
    }

    /** A search from {@code cli} once it is complete again (every shard's owner answered). */
    private static JsonObject awaitComplete(Cli cli, String query) throws InterruptedException {
        return Await.value(Duration.ofSeconds(60), Duration.ofMillis(500), "the search is no longer partial",
                () -> cli.run("search", query, "--json").json(), r -> !r.getBoolean("partial"));
    }

    private static JsonObject awaitMembers(Cli cli, int n) throws InterruptedException {
        return Await.value(Duration.ofSeconds(90), Duration.ofMillis(250), n + " reachable members", () -> {
            Cli.Result r = cli.run("daemon", "status", "--json");
            return r.exit() == 0 ? r.json().getJsonObject("cluster") : null;
        }, cluster -> cluster != null && cluster.getJsonArray("members").size() == n && cluster.getJsonArray("members")
                .stream().allMatch(m -> ((JsonObject) m).getBoolean("reachable")));
    }
}
