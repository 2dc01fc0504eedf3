package org.dindex.collections;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.dindex.client.DindexClient;
import org.dindex.index.IndexSnapshot;
import org.dindex.protocol.Addresses;
import org.dindex.support.Await;
import org.dindex.support.Cli;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Collections on a real daemon (real socket, real model, real Lucene), driven through the CLI: names, content that
 * stays inside its collection for search, stats, delete and clear, one fused ranking over several, one model
 * instance per distinct model, a delete that cancels the collection's jobs first, and a search in flight that
 * finishes on its snapshot after its collection is gone.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CollectionsTest extends OneDaemonCli {
    static final String RULE = "lower-case letters, digits, '-' and '_', at most 64 characters";

    static Path ocean;
    static Path space;

    @BeforeAll
    static void start() throws Exception {
        daemon = EmbeddedDaemon.start(Map.of(), List.of());
        cli = new Cli(daemon.root);
        ocean = Files.createDirectories(daemon.root.resolve("files").resolve("ocean"));
        space = Files.createDirectories(daemon.root.resolve("files").resolve("space"));
        Files.writeString(ocean.resolve("tides.md"), "# Tides\n\nTides rise and fall twice a day: the moon and the"
                + " sun pull the oceans, and spring tides follow the full moon.\n");
        Files.writeString(ocean.resolve("reefs.md"), "# Coral reefs\n\nCoral reefs grow in warm shallow seas; the"
                + " polyps build limestone skeletons and shelter a quarter of all fish species.\n");
        Files.writeString(ocean.resolve("whales.md"), "# Whales\n\nHumpback whales migrate thousands of kilometres"
                + " between cold feeding waters and warm breeding grounds, singing long songs.\n");
        Files.writeString(space.resolve("rockets.md"), "# Rockets\n\nA rocket burns fuel and oxidiser and throws the"
                + " exhaust backwards, which pushes satellites into orbit around the earth.\n");
        Files.writeString(space.resolve("mars.md"), "# Mars rovers\n\nRovers drive across the red dust of Mars,"
                + " drilling rocks and looking for signs of ancient water and microbial life.\n");
        Files.writeString(space.resolve("apollo.md"), "# Apollo\n\nIn 1969 the Apollo astronauts landed on the moon,"
                + " walked on its grey dust and brought rocks back to the earth.\n");
    }

    /** The sources of a search's documents. */
    static List<String> sources(JsonObject result) {
        List<String> out = new ArrayList<>();
        result.getJsonArray("results").forEach(o -> out.add(((JsonObject) o).getString("source")));
        return out;
    }

    static JsonObject collectionsJson() {
        return ok("collections", "--json").json();
    }

    static JsonObject collection(String name) {
        for (Object o : collectionsJson().getJsonArray("collections")) {
            if (name.equals(((JsonObject) o).getString("name"))) {
                return (JsonObject) o;
            }
        }
        return null;
    }

    @Test
    @Order(1)
    void namesFollowTheRuleAndDefaultExistsFromTheStart() {
        JsonObject list = collectionsJson();
        JsonObject first = list.getJsonArray("collections").getJsonObject(0);
        assertEquals("default", first.getString("name"));
        assertTrue(first.getBoolean("default"));
        assertEquals("index", first.getString("dir"), "the default collection lives where the index always was");

        for (String bad : List.of("Ocean", "sea shells", "a.b", "x".repeat(65), "ünï")) {
            Cli.Result r = fails("collection", "create", bad);
            assertTrue(r.err().contains(RULE), bad + ": " + r.err());
        }
        assertTrue(fails("search", "--collection", "Big", "x").err().contains(RULE));
        ok("collection", "create", "ocean");
        ok("collection", "create", "space");
        ok("collection", "create", "x".repeat(64));
        assertTrue(fails("collection", "create", "ocean").err().contains("collection 'ocean' already exists"));
        assertTrue(fails("collection", "delete", "default", "--yes").err().contains("cannot be deleted"));
        assertTrue(fails("collection", "delete", "ocean").err().contains("--yes"), "delete needs --yes");
        Cli.Result missing = fails("search", "--collection", "nope", "moon");
        assertTrue(missing.err().contains("no collection 'nope'") && missing.err().contains("default, ocean"),
                missing.err());
        ok("collection", "delete", "x".repeat(64), "--yes");
        assertEquals(List.of("default", "ocean", "space"), names());
    }

    static List<String> names() {
        List<String> names = new ArrayList<>();
        collectionsJson().getJsonArray("collections").forEach(o -> names.add(((JsonObject) o).getString("name")));
        return names;
    }

    @Test
    @Order(2)
    void contentStaysInsideItsCollection() {
        ok("index", "--collection", "ocean", ocean.toString());
        ok("index", "--collection", "space", space.toString());
        for (String s : sources(ok("search", "--collection", "ocean", "moon", "--json").json())) {
            assertTrue(s.startsWith(ocean.toString()), s);
        }
        List<String> inSpace = sources(ok("search", "--collection", "space", "the moon", "--json").json());
        assertFalse(inSpace.isEmpty());
        inSpace.forEach(s -> assertTrue(s.startsWith(space.toString()), s));
        assertTrue(sources(ok("search", "whales", "--json").json()).isEmpty(), "default holds nothing");
        assertTrue(ok("search", "--collection", "space", "whales", "--mode", "bm25", "--json").json()
                .getJsonArray("results").isEmpty(), "no ocean words in space");

        assertEquals(3, stats("ocean").getInteger("documents"));
        assertEquals("ocean", stats("ocean").getString("collection"));
        assertEquals(3, stats("space").getInteger("documents"));
        assertEquals(0, stats("default").getInteger("documents"));

        // delete and clear act on one collection only
        JsonObject none = ok("delete", "--collection", "space", "--source", ocean.toString(), "--json").json();
        assertEquals(0, none.getInteger("deleted_documents"), "space holds no ocean sources");
        JsonObject one = ok("delete", "--collection", "ocean", "--source", ocean.resolve("whales.md").toString(),
                "--json").json();
        assertEquals(1, one.getInteger("deleted_documents"));
        assertEquals(2, stats("ocean").getInteger("documents"));
        assertEquals(3, stats("space").getInteger("documents"));
        ok("clear", "--collection", "space", "--yes");
        assertEquals(0, stats("space").getInteger("documents"));
        assertEquals(2, stats("ocean").getInteger("documents"));
        assertTrue(ok("check", "--collection", "ocean", "--json").json().getBoolean("ok"));
        ok("index", "--collection", "space", space.toString());
        ok("index", "--collection", "ocean", ocean.toString());
        assertEquals(3, stats("space").getInteger("documents"));
        assertEquals(3, stats("ocean").getInteger("documents"));
    }

    @Test
    @Order(3)
    void aSearchOverSeveralCollectionsFusesThemIntoOneRanking() {
        JsonObject both = ok("search", "--collection", "ocean", "--collection", "space", "the moon", "--top-k", "6",
                "--json").json();
        assertEquals(new JsonArray().add("ocean").add("space"), both.getJsonArray("collections"));
        Set<String> seen = new HashSet<>();
        int citation = 0;
        int chunks = 0;
        for (Object o : both.getJsonArray("results")) {
            JsonObject doc = (JsonObject) o;
            String collection = doc.getString("collection");
            seen.add(collection);
            assertEquals(++citation, doc.getInteger("citation"));
            assertTrue(doc.getString("source").startsWith(collection.equals("ocean") ? ocean.toString()
                    : space.toString()), doc.encode());
            chunks += doc.getJsonArray("chunks").size();
        }
        assertEquals(Set.of("ocean", "space"), seen, "both collections answer");
        assertTrue(chunks <= 6, "one ranking, cut at top_k once: " + chunks);
        assertEquals(both.getInteger("total_chunks"), chunks);
        // The two moon documents, one in each, come first.
        List<String> top = sources(both).subList(0, 2);
        assertTrue(top.contains(ocean.resolve("tides.md").toString()) && top.contains(space.resolve("apollo.md")
                .toString()), top.toString());
        JsonArray citations = both.getJsonArray("citations");
        assertEquals(both.getJsonArray("results").size(), citations.size());
        citations.forEach(c -> assertNotNull(((JsonObject) c).getString("collection")));

        // BM25 alone fuses the per-collection lists, each normalised on its own.
        JsonObject bm25 = ok("search", "--collection", "ocean", "--collection", "space", "moon", "--mode", "bm25",
                "--json").json();
        assertEquals(2, bm25.getInteger("total_documents"), bm25.encodePrettily());

        JsonObject context = ok("context", "--collection", "ocean", "--collection", "space", "what does the moon"
                + " do", "--json").json();
        Set<String> from = new HashSet<>();
        context.getJsonArray("citations").forEach(c -> from.add(((JsonObject) c).getString("collection")));
        assertEquals(Set.of("ocean", "space"), from, context.encodePrettily());

        try (DindexClient c = daemon.client()) {
            JsonObject viaBus = c.request(Addresses.SEARCH, new JsonObject().put("query", "moon")
                    .put("collections", new JsonArray().add("space").add("ocean").add("space")));
            assertEquals(new JsonArray().add("space").add("ocean"), viaBus.getJsonArray("collections"),
                    "duplicates dropped, order kept");
            org.dindex.protocol.DindexException both2 = org.junit.jupiter.api.Assertions.assertThrows(
                    org.dindex.protocol.DindexException.class, () -> c.request(Addresses.SEARCH, new JsonObject()
                            .put("query", "moon").put("collection", "ocean")
                            .put("collections", new JsonArray().add("space"))));
            assertTrue(both2.getMessage().contains("not both"), both2.getMessage());
        }
    }

    @Test
    @Order(4)
    void collectionsOfOneModelShareItsInstance() {
        JsonArray models = collectionsJson().getJsonArray("models");
        assertEquals(1, models.size(), models.encodePrettily());
        assertEquals("all-minilm-l6-v2-q", models.getJsonObject(0).getString("name"));
        assertEquals(new JsonArray().add("default").add("ocean").add("space"),
                models.getJsonObject(0).getJsonArray("collections"));

        Cli.Result created = ok("collection", "create", "bge", "--model", "bge-small-en-v1.5-q", "--json");
        assertEquals("bge-small-en-v1.5-q", created.json().getString("model"));
        models = collectionsJson().getJsonArray("models");
        assertEquals(2, models.size(), "a second model is loaded for it: " + models.encodePrettily());
        ok("index", "--collection", "bge", ocean.resolve("reefs.md").toString());
        assertEquals(List.of(ocean.resolve("reefs.md").toString()), sources(ok("search", "--collection", "bge",
                "coral", "--json").json()));
        assertEquals("bge-small-en-v1.5-q", stats("bge").getJsonObject("model").getString("name"));
        // Collections of different models searched together: dense scores normalised per collection.
        JsonObject mixed = ok("search", "--collection", "bge", "--collection", "ocean", "coral reefs", "--json")
                .json();
        assertEquals(Set.of("bge", "ocean"), new HashSet<>(mixed.getJsonArray("results").stream()
                .map(o -> ((JsonObject) o).getString("collection")).toList()));

        ok("collection", "delete", "bge", "--yes");
        assertEquals(1, collectionsJson().getJsonArray("models").size(), "the model goes with its last collection");
        assertFalse(Files.exists(cli.dataDir.resolve("collections").resolve("bge")));
        assertTrue(fails("collection", "create", "other", "--model", "nope").err()
                .contains("unknown embedding model 'nope'"));
        assertEquals(List.of("default", "ocean", "space"), names());
    }

    @Test
    @Order(5)
    void deletingACollectionCancelsItsJobsFirst() throws Exception {
        ok("collection", "create", "busy");
        Path jsonl = daemon.root.resolve("busy.jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            sb.append(new JsonObject().put("id", "d" + i).put("title", "Note " + i).put("text", "Note number " + i
                    + " is about harbours, ships and the weather at sea on day " + i + ".").encode()).append('\n');
        }
        Files.writeString(jsonl, sb);
        JsonObject job = ok("import", jsonl.toString(), "--collection", "busy", "--detach", "--json").json();
        String id = job.getString("id");
        assertEquals("busy", job.getJsonObject("params").getString("collection"));
        Await.value(Duration.ofMinutes(2), Duration.ofMillis(200), "the import got going (running, imported > 0)",
                () -> ok("job", id, "--json").json(), now -> "running".equals(now.getString("state"))
                        && now.getJsonObject("counters").getInteger("imported", 0) > 0);
        ok("collection", "delete", "busy", "--yes");
        JsonObject after = ok("job", id, "--json").json();
        assertEquals("cancelled", after.getString("state"), after.encodePrettily());
        assertFalse(names().contains("busy"));
        assertFalse(Files.exists(cli.dataDir.resolve("collections").resolve("busy")), "its folder is gone");
        assertTrue(fails("import", jsonl.toString(), "--collection", "busy").err().contains("no collection 'busy'"));
        assertEquals(3, stats("ocean").getInteger("documents"), "other collections are untouched");
    }

    @Test
    @Order(6)
    void aWatchKeepsItsFoldersInItsCollection() throws Exception {
        Path watched = Files.createDirectories(daemon.root.resolve("watched"));
        Files.writeString(watched.resolve("lantern.md"), "# Lanterns\n\nA storm lantern burns paraffin behind thick"
                + " glass so that the wind cannot blow it out.\n");
        ok("collection", "create", "kept");
        JsonObject job = ok("watch", watched.toString(), "--collection", "kept", "--detach", "--json").json();
        assertEquals("kept", job.getJsonObject("params").getString("collection"));
        // The same folder may be watched into another collection, not twice into one.
        JsonObject other = ok("watch", watched.toString(), "--collection", "ocean", "--detach", "--json").json();
        assertTrue(fails("watch", watched.toString(), "--collection", "kept", "--detach").err()
                .contains("already watched"));
        Await.until(Duration.ofSeconds(60), Duration.ofMillis(200), "the watch indexed the folder",
                () -> stats("kept").getInteger("documents") >= 1);
        Files.writeString(watched.resolve("buoy.md"), "# Buoys\n\nA bell buoy rings as the swell rocks it, marking"
                + " the channel in fog.\n");
        Await.until(Duration.ofSeconds(60), Duration.ofMillis(200), "the watch picked up the new file",
                () -> stats("kept").getInteger("documents") >= 2);
        assertEquals(List.of(watched.resolve("buoy.md").toString()), sources(ok("search", "--collection", "kept",
                "bell buoy in fog", "--top-k", "1", "--json").json()));
        assertEquals(0, stats("default").getInteger("documents"), "nothing went to default");
        ok("cancel", other.getString("id"));
        ok("delete", "--collection", "ocean", "--source", watched.toString());
        // Deleting the collection cancels its watch first.
        ok("collection", "delete", "kept", "--yes");
        assertEquals("cancelled", ok("job", job.getString("id"), "--json").json().getString("state"));
        assertEquals(3, stats("ocean").getInteger("documents"));
    }

    @Test
    @Order(7)
    void aSnapshotHoldsEveryWriteAcknowledgedBeforeIt() throws Exception {
        Path late = Files.writeString(daemon.root.resolve("late.md"), "# Squid\n\nGiant squid live in the deep"
                + " ocean and were first filmed alive in 2004.\n");
        ok("index", "--collection", "ocean", "--no-wait", late.toString());  // durable, not yet committed
        JsonObject snapshot = ok("snapshot", "create", "--collection", "ocean", "--json").json();
        assertEquals(4, snapshot.getInteger("documents"), "the snapshot commits what was acknowledged first");
        ok("snapshot", "restore", snapshot.getString("id"), "--as", "ocean-then");
        assertEquals(List.of(late.toString()), sources(ok("search", "--collection", "ocean-then", "giant squid",
                "--mode", "bm25", "--json").json()));
        ok("collection", "delete", "ocean-then", "--yes");
        ok("delete", "--collection", "ocean", "--source", late.toString());
        ok("snapshot", "delete", snapshot.getString("id"));
    }

    @Test
    @Order(8)
    void aSearchInFlightFinishesOnItsSnapshot() throws Exception {
        ok("collection", "create", "held");
        ok("index", "--collection", "held", space.toString());
        Collection held = daemon.daemon.collections().require("held");
        Path folder = held.path();
        float[] query = held.embeddings().embedder().embedQuery("astronauts on the moon");
        try (IndexSnapshot snapshot = held.index().acquire()) {  // what a search holds while it runs
            ok("collection", "delete", "held", "--yes");
            assertFalse(Files.exists(folder), "the collection's files are deleted");
            assertTrue(fails("search", "--collection", "held", "moon").err().contains("no collection 'held'"));
            // ...and the search holding the snapshot still reads it: stored fields, BM25 and vectors.
            assertEquals(3 * 2, snapshot.searcher().count(new MatchAllDocsQuery()), "3 documents, 1 chunk each");
            var hits = held.index().index().denseSearch(snapshot, query, 3, 100, null, 0);
            assertEquals(3, hits.size());
            String best = snapshot.searcher().storedFields().document(hits.get(0).doc()).get("source");
            assertEquals(space.resolve("apollo.md").toString(), best);
        }
    }
}
