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
        if (System.getProperty("keep.cluster.dirs") == null) {  // -Dkeep.cluster.dirs=1 keeps the daemons' logs
            TestDirs.deleteTree(root);
        }
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

        awaitHealth(members.get(0), "green", 3);
        // Each query matches one member's documents only: that document ranks first, from any member. Each document
        // was stored by its shard's primary and copied to a replica (not necessarily through the member it was
        // indexed through): the member a result names has it in its own index.
        String[] queries = {"which tower warns ships of reefs", "molten rock erupting from a mountain",
                "baking bread with wild yeast"};
        String[] holder = new String[3];
        for (int q = 0; q < 3; q++) {
            for (int from = 0; from < 3; from++) {
                JsonObject r = members.get(from).run("search", queries[q], "--json").json();
                assertEquals(false, r.getBoolean("partial"), r.encodePrettily());
                assertEquals(List.of(), r.getJsonArray("missing_shards").getList(), r.encodePrettily());
                assertEquals(3, r.getJsonArray("members").size(), "each member answers for some shards: "
                        + r.encodePrettily());
                JsonObject top = r.getJsonArray("results").getJsonObject(0);
                assertTrue(top.getString("source").endsWith(corpora[q][0]), "query " + q + " from member " + from
                        + ": " + r.encodePrettily());
                holder[q] = top.getString("member");
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
        // A local search stays on its member: the volcano is on two members (its shard's primary and replica), not
        // on the third, once a member that moved its copy away has dropped what it kept of it.
        Await.value(Duration.ofSeconds(60), Duration.ofMillis(500), "the volcano on two members", () -> {
            int withVolcano = 0;
            for (Cli m : members) {
                JsonObject local = m.run("search", queries[1], "--scope", "local", "--json").json();
                if (local.getJsonArray("results").stream().map(o -> (JsonObject) o)
                        .anyMatch(d -> d.getString("source").endsWith("volcano.md"))) {
                    withVolcano++;
                }
            }
            return withVolcano;
        }, n -> n == 2);

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

        // A member dies: answers stay complete, since the other copies of its shards answer for them (before the
        // cluster notices, after the member timeout); the health is yellow until every shard has two copies again.
        int victim = 2;
        members.get(victim).killDaemon();
        long t0 = System.nanoTime();
        JsonObject complete = members.get(0).run("search", queries[0], "--json").json();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 10_000, "answered in " + ms + " ms");
        assertFalse(complete.getBoolean("partial"), complete.encodePrettily());
        assertEquals(List.of(), complete.getJsonArray("missing_shards").getList(), complete.encodePrettily());
        assertTrue(complete.getJsonArray("results").getJsonObject(0).getString("source").endsWith("lighthouse.md"));
        assertTrue(complete.getJsonArray("results").stream().map(o -> (JsonObject) o)
                .noneMatch(d -> ids.get(victim).equals(d.getString("member"))), complete.encodePrettily());
        awaitMembers(members.get(0), 2);
        JsonObject after = members.get(0).run("search", queries[1], "--json").json();
        assertFalse(after.getBoolean("partial"), after.encodePrettily());
        assertTrue(after.getJsonArray("results").getJsonObject(0).getString("source").endsWith("volcano.md"));
        awaitHealth(members.get(0), "green", 2);

        // Restarted, it rejoins, takes its share of copies again, and answers stay complete.
        assertEquals(0, start(victim).exit());
        awaitMembers(members.get(0), 3);
        JsonObject back = awaitHealth(members.get(0), "green", 3);
        assertTrue(holders(back).size() == 3, back.encodePrettily());
        JsonObject rejoined = awaitComplete(members.get(victim), queries[2]);
        assertTrue(rejoined.getJsonArray("results").getJsonObject(0).getString("source").endsWith("bread.md"));

        // A clear through one member clears every copy.
        Cli.Result cleared = members.get(1).run("clear", "--yes");
        assertEquals(0, cleared.exit(), cleared.toString());
        for (Object o : members.get(0).run("cluster", "status", "--json").json().getJsonArray("members")) {
            assertEquals(0, ((JsonObject) o).getInteger("documents"), o.toString());
        }
        assertEquals(0, members.get(2).run("search", queries[2], "--json").json().getJsonArray("results").size());
    }

    /**
     * Three members with one replica per shard, each a front door. A document indexed through one member and
     * re-indexed (changed) through another has one current copy. With two of three members killed, answers are
     * partial and name the shards that had no copy left, and writes to those shards are refused rather than stored
     * twice; restarted, the members make answers complete again, with no document twice. With one killed, answers
     * stay complete, health goes yellow, then green once the shards have two copies again, and no acknowledged
     * document is lost. A member restarted with a stale disk serves nothing stale while its copies catch up.
     */
    @Test
    void everyAcknowledgedDocumentSurvivesTheLossOfAMember() throws Exception {
        root = TestDirs.privateDir("cs");
        for (int i = 0; i < 3; i++) {
            ports[i] = freePort();
            members.add(new Cli(root.resolve("m" + i)));
        }
        for (int i = 0; i < 3; i++) {
            Cli.Result r = start(i);
            assertEquals(0, r.exit(), r.toString());
        }
        List<String> memberIds = new ArrayList<>();
        for (Cli m : members) {
            memberIds.add(awaitMembers(m, 3).getString("member_id"));
        }
        JsonObject green = awaitHealth(members.get(0), "green", 3);
        Cli.Result status = members.get(1).run("cluster", "status");
        assertEquals(0, status.exit(), status.toString());
        assertTrue(status.out().contains("health green"), status.out());
        JsonObject collection = green.getJsonArray("shards").getJsonObject(0);
        int shardCount = collection.getInteger("shards");
        assertEquals(1, collection.getInteger("replicas"));
        assertEquals(shardCount, status.out().lines().filter(l -> l.matches("\\s+primary\\s+started .*")).count(),
                status.out());
        assertEquals(shardCount, status.out().lines().filter(l -> l.matches("\\s+replica\\s+started .*")).count(),
                status.out());

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
        int total = speeches.size() + 1;
        assertEveryDocumentOnce(members.get(2), dir, total);
        assertCopiesAgree(members.get(0), total);

        // Re-indexed with new text through another member: still one copy, the new one, found from every member.
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
        assertCopiesAgree(members.get(2), total);

        // Two of three die at once: the shards whose copies were both on them are missing from every answer for as
        // long as they are gone, and the shard table says red.
        List<Integer> lostShards = new ArrayList<>();
        for (Object o : awaitHealth(members.get(0), "green", 3).getJsonArray("shards").getJsonObject(0)
                .getJsonArray("allocation")) {
            JsonObject shard = (JsonObject) o;
            if (shard.getJsonArray("copies").stream().noneMatch(c -> ((JsonObject) c).getString("member")
                    .equals(memberIds.get(0)))) {
                lostShards.add(shard.getInteger("shard"));
            }
        }
        assertFalse(lostShards.isEmpty());
        members.get(1).killDaemon();
        members.get(2).killDaemon();
        awaitMembers(members.get(0), 1);
        for (int i = 0; i < 3; i++) {
            JsonObject r = members.get(0).run("search", "the European Parliament debated the report", "--json")
                    .json();
            assertTrue(r.getBoolean("partial"), r.encodePrettily());
            assertEquals(lostShards, r.getJsonArray("missing_shards").getList(), r.encodePrettily());
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
        assertEquals(lostShards, red.getJsonArray("collections").getJsonObject(0).getJsonArray("missing_shards")
                .getList(), red.encodePrettily());
        List<Integer> kept = new ArrayList<>();
        for (int s = 0; s < shardCount; s++) {
            if (!lostShards.contains(s)) {
                kept.add(s);
            }
        }
        assertEquals(kept, red.getJsonArray("collections").getJsonObject(0).getJsonArray("under_replicated_shards")
                .getList(), "the shards left have one copy of two: " + red.encodePrettily());
        Cli.Result redStatus = members.get(0).run("cluster", "status");
        assertEquals(0, redStatus.exit(), redStatus.toString());
        assertTrue(redStatus.out().contains("health red"), redStatus.out());
        assertEquals(lostShards.size(), redStatus.out().lines()
                .filter(l -> l.matches("\\s+shard \\d+\\s+unassigned")).count(), redStatus.out());
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("dindex_cluster_health ") && l.endsWith(" 2.0")),
                metrics.lines().filter(l -> l.contains("cluster")).toList().toString());
        // The dashboard of the member that is left shows it.
        try (org.dindex.support.Browsers.Session browser = org.dindex.support.Browsers.start()) {
            browser.driver().get(url + "/");
            org.openqa.selenium.support.ui.WebDriverWait wait = new org.openqa.selenium.support.ui.WebDriverWait(
                    browser.driver(), Duration.ofSeconds(30), Duration.ofMillis(100));
            wait.until(d -> "red".equals(d.findElement(org.openqa.selenium.By.id("stat-cluster")).getText()));
            String sub = browser.driver().findElement(org.openqa.selenium.By.id("stat-cluster-sub")).getText();
            assertTrue(sub.contains("1 member") && sub.contains(lostShards.size() + " shard"), sub);
        }
        // A document of a missing shard is refused, not stored on the member that is left (a second copy later).
        Cli.Result refused = null;
        for (int s = 0; s < speeches.size(); s++) {
            Path speech = dir.resolve("speech-" + s + ".txt");
            if (lostShards.contains(Shards.of(org.dindex.index.DocumentIds.forSource(speech.toAbsolutePath()
                    .normalize().toString()), shardCount))) {
                refused = members.get(0).run("index", speech.toString(), "--meta", "changed=yes");
                break;
            }
        }
        assertTrue(refused != null && refused.exit() != 0, String.valueOf(refused));
        assertTrue(refused.toString().contains("no live copy"), refused.toString());

        // Restarted with their data dirs: complete again, and no document twice. With one back, no shard is missing
        // but every shard lacks its second copy until it is filled: yellow (each member fills one copy at a time).
        assertEquals(0, start(1).exit());
        JsonObject notRed = Await.value(Duration.ofSeconds(90), Duration.ofMillis(50), "health no longer red",
                () -> new JsonObject(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                        .newBuilder(java.net.URI.create(url + "/api/v1/cluster/shards")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body()),
                st -> !"red".equals(st.getString("health")));
        assertEquals("yellow", notRed.getString("health"), notRed.encodePrettily());
        JsonObject backOne = notRed.getJsonArray("collections").getJsonObject(0);
        assertEquals(List.of(), backOne.getJsonArray("missing_shards").getList(), notRed.encodePrettily());
        assertFalse(backOne.getJsonArray("under_replicated_shards").isEmpty(), notRed.encodePrettily());
        assertEquals(0, start(2).exit());
        awaitMembers(members.get(0), 3);
        awaitComplete(members.get(0), "lighthouse keeper lantern staircase");
        awaitHealth(members.get(0), "green", 3);
        assertEveryDocumentOnce(members.get(1), dir, total);
        assertCopiesAgree(members.get(0), total);

        // One dies: answers stay complete, health yellow, then green once its shards have a second copy again; no
        // acknowledged document is lost, also those written while it was gone.
        members.get(2).killDaemon();
        // The first shard table without it: its copies are gone and their replacements are not filled yet.
        JsonObject yellow = Await.value(Duration.ofSeconds(60), Duration.ofMillis(50), "the table without member 2",
                () -> new JsonObject(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                        .newBuilder(java.net.URI.create(url + "/api/v1/cluster/shards")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body()),
                st -> st.getJsonArray("members").size() == 2);
        assertEquals("yellow", yellow.getString("health"), yellow.encodePrettily());
        assertEquals(List.of(), yellow.getJsonArray("collections").getJsonObject(0).getJsonArray("missing_shards")
                .getList(), yellow.encodePrettily());
        awaitMembers(members.get(0), 2);
        JsonObject r = members.get(1).run("search", "lighthouse keeper lantern staircase", "--json").json();
        assertFalse(r.getBoolean("partial"), r.encodePrettily());
        Files.writeString(lighthouse, "# Lighthouses\n\nAutomated lighthouses need no keeper: a timer switches the"
                + " LED lamp on at sunset.\n");
        Path late = Files.writeString(dir.resolve("late.md"), "# Late\n\nWritten while a member was away.\n");
        Cli.Result whileAway = members.get(0).run("index", lighthouse.toString(), late.toString());
        assertEquals(0, whileAway.exit(), whileAway.toString());
        awaitHealth(members.get(0), "green", 2);
        assertEveryDocumentOnce(members.get(1), dir, total + 1);
        assertCopiesAgree(members.get(1), total + 1);

        // It comes back with its stale disk: it serves nothing stale while its copies are filled again.
        assertEquals(0, start(2).exit());
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean greenAgain = false;
        while (!greenAgain && System.nanoTime() < until) {
            JsonObject fromStale = members.get(2).run("search", "lighthouse keeper lantern staircase", "--json")
                    .json();
            assertFalse(fromStale.encode().contains("spiral staircase"), fromStale.encodePrettily());
            JsonObject st = members.get(2).run("cluster", "status", "--json").json();
            greenAgain = "green".equals(st.getString("health")) && st.getJsonArray("members").size() == 3
                    && holders(st).size() == 3;
        }
        assertTrue(greenAgain, "green again with three members holding copies");
        assertEveryDocumentOnce(members.get(2), dir, total + 1);
        assertCopiesAgree(members.get(2), total + 1);
        JsonObject fresh = members.get(2).run("search", "automated lighthouse LED lamp", "--json").json();
        assertTrue(fresh.getJsonArray("results").getJsonObject(0).encode().contains("LED lamp"),
                fresh.encodePrettily());
    }

    /**
     * The members holding started copies in a {@code cluster status --json} answer, or an empty set while a copy is
     * being filled (a move is not finished).
     */
    private static java.util.Set<String> holders(JsonObject status) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (Object o : status.getJsonArray("shards").getJsonObject(0).getJsonArray("allocation")) {
            for (Object c : ((JsonObject) o).getJsonArray("copies")) {
                JsonObject copy = (JsonObject) c;
                if (!"started".equals(copy.getString("state"))) {
                    return java.util.Set.of();
                }
                out.add(copy.getString("member"));
            }
        }
        return out;
    }

    /** {@code cluster status --json} from {@code cli} once the health is {@code health} with {@code n} members. */
    private static JsonObject awaitHealth(Cli cli, String health, int n) throws InterruptedException {
        return Await.value(Duration.ofSeconds(120), Duration.ofMillis(500), "health " + health + " with " + n
                + " members", () -> {
                    Cli.Result r = cli.run("cluster", "status", "--json");
                    return r.exit() == 0 ? r.json() : null;
                }, st -> st != null && health.equals(st.getString("health"))
                        && st.getJsonArray("members").size() == n
                        && st.getJsonArray("shards") != null && !st.getJsonArray("shards").isEmpty()
                        && holders(st).size() == n);
    }

    /**
     * Every document under {@code dir} is found once across the cluster: a dense search restricted to the folder
     * returns every chunk of it, grouped by document.
     */
    private static void assertEveryDocumentOnce(Cli cli, Path dir, int documents) {
        JsonObject r = cli.run("search", "parliament lighthouse report", "--mode", "dense", "--top-k", "100",
                "--source", dir.toAbsolutePath().normalize().toString(), "--json").json();
        assertFalse(r.getBoolean("partial"), r.encodePrettily());
        List<String> sources = r.getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("source"))
                .toList();
        assertEquals(documents, sources.size(), r.encodePrettily());
        assertEquals(documents, new java.util.HashSet<>(sources).size(), "no document twice: " + sources);
    }

    /** Every shard's started copies hold the same number of documents, and the primaries hold {@code documents}. */
    private static void assertCopiesAgree(Cli cli, int documents) throws InterruptedException {
        Await.value(Duration.ofSeconds(60), Duration.ofMillis(500), "copies agree", () ->
                cli.run("cluster", "status", "--json").json(), st -> {
                    int sum = 0;
                    for (Object o : st.getJsonArray("shards").getJsonObject(0).getJsonArray("allocation")) {
                        java.util.Set<Integer> counts = new java.util.HashSet<>();
                        for (Object c : ((JsonObject) o).getJsonArray("copies")) {
                            JsonObject copy = (JsonObject) c;
                            Integer documentsOfCopy = copy.getInteger("documents");
                            if (documentsOfCopy == null) {
                                return false;  // its member's count did not come (it is still starting, or moving)
                            }
                            counts.add(documentsOfCopy);
                            if ("primary".equals(copy.getString("role"))) {
                                sum += documentsOfCopy;
                            }
                        }
                        if (counts.size() != 1) {
                            return false;
                        }
                    }
                    return sum == documents;
                });
    }

    /** A search from {@code cli} once it is complete again (a copy of every shard answered). */
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
