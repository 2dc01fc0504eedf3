package org.dindex.jobs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.client.DindexClient;
import org.dindex.support.Await;
import org.dindex.support.Cli;
import org.dindex.support.EmbeddedDaemon;
import org.dindex.support.Europarl;
import org.dindex.support.WikiDump;
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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Wikipedia and JSONL imports as jobs, end to end: the CLI starts and follows them on a real daemon (real model,
 * Lucene, jvector), and the tests check what became searchable.
 */
@Timeout(600)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImportJobTest {
    static EmbeddedDaemon daemon;
    static Cli cli;
    static DindexClient client;
    static Path dir;

    static final String PANDA = """
            {{Short description|Species of bear native to China}}
            {{Infobox mammal
            | name = Giant panda
            | image = Grosser Panda.JPG
            | status = VU<ref name="iucn">{{cite iucn |author=Swaisgood |year=2016 |title=''Ailuropoda melanoleuca''}}</ref>
            | range_map = {{Location map|China}}
            }}
            __NOTOC__
            The '''giant panda''' (''Ailuropoda melanoleuca'') is a [[bear]] species [[Endemism|endemic]] to [[China]].<ref>{{cite web |url=https://example.org/panda |title=Panda facts}}</ref> It is characterised by its white [[Coat (animal)|coat]] with black patches around the eyes, ears, legs and shoulders.<!-- keep this sentence short -->

            == Habitat ==
            [[File:Panda habitat.jpg|thumb|right|The panda's range in the [[Qinling]] mountains]]
            Giant pandas live in the temperate mountain forests of [[Sichuan]], [[Shaanxi]] and [[Gansu]], where dense stands of bamboo grow under the trees.<ref name="iucn"/>

            == Diet ==
            Although it belongs to the order [[Carnivora]], the panda feeds almost entirely on [[bamboo]] shoots and leaves, eating for up to fourteen hours a day.
            * shoots in spring
            * leaves in summer
            * stems in winter

            === Digestion ===
            Its gut is that of a carnivore, so it digests only a fifth of the bamboo it eats.{{citation needed|date=May 2020}}

            {| class="wikitable"
            |-
            ! Season !! Food
            |-
            | Spring || Shoots
            |}

            == References ==
            {{Reflist}}

            == External links ==
            * [https://www.worldwildlife.org/species/giant-panda WWF page]

            [[Category:Bears]]
            [[Category:Endemic fauna of China]]
            [[de:Großer Panda]]
            """;

    static final String MARS = """
            {{Use dmy dates|date=March 2024}}
            A '''Mars rover''' is a [[Rover (space exploration)|remote-controlled vehicle]] that drives across the surface of [[Mars]]. Rovers such as ''[[Curiosity (rover)|Curiosity]]'' and ''[[Perseverance (rover)|Perseverance]]'' drill rocks and search for signs of ancient microbial life.

            == Missions ==
            {| class="wikitable sortable"
            ! Rover !! Landed
            |-
            | Sojourner || 1997
            |-
            | Curiosity || 2012
            |}
            Power comes from solar panels or a [[radioisotope thermoelectric generator]].<ref>NASA fact sheet, 2012.</ref>

            == See also ==
            * [[Lunar rover]]
            [[Category:Mars rovers]]
            """;

    static final String SOURDOUGH = """
            <!-- lead -->'''Sourdough''' is bread made by the [[fermentation]] of dough using wild [[lactobacillaceae]] and [[yeast]]. The starter is fed with flour and water{{efn|Some bakers add rye.}} and the dough ferments slowly before it is baked in a hot [[oven]].

            == Method ==
            # Feed the starter.
            # Mix the dough and let it rise overnight.
            # Bake at high heat.
            [[Category:Breads]]
            """;

    static final String LIGHTHOUSE = """
            A '''lighthouse''' is a tower that emits light from a system of [[lamp]]s and [[lens (optics)|lenses]] to serve as a [[navigational aid]] for [[Pilot (maritime)|maritime pilots]] at sea. The [[Fresnel lens]] concentrated the beam so that keepers could warn ships of dangerous [[reef]]s from twenty miles away.

            == History ==
            === Antiquity ===
            The [[Lighthouse of Alexandria|Pharos of Alexandria]] was one of the Seven Wonders of the Ancient World.
            [[Category:Lighthouses]]
            """;

    static final String VOLCANO = """
            A '''volcano''' is a rupture in the [[crust (geology)|crust]] of a [[planet]] that allows hot [[lava]], [[volcanic ash]] and gases to escape from a [[magma chamber]] below the surface. Eruptions of basaltic magma build broad shield volcanoes such as those of [[Hawaii]].
            {{Main|Types of volcanic eruptions}}
            [[Category:Volcanoes]]
            """;

    static WikiDump baseDump() {
        return new WikiDump().article("Giant panda", PANDA).article("Mars rover", MARS)
                .redirect("Panda bear", "Giant panda", "#REDIRECT [[Giant panda]]\n{{R from alternative name}}")
                .article("Sourdough", SOURDOUGH)
                .page(1, "Talk:Giant panda", "== Image ==\nThe infobox image should be replaced. ~~~~")
                .article("Lighthouse", LIGHTHOUSE)
                .redirect("Volcanos", "Volcano", "#REDIRECT [[Volcano]]\n\n" + "Old article text about volcanic"
                        + " mountains that was kept after the merge. ".repeat(40) + "\n[[Category:Redirects]]")
                .article("Volcano", VOLCANO);
    }

    @BeforeAll
    static void start() throws Exception {
        daemon = EmbeddedDaemon.start(Map.of("jobs.checkpoint_pages", 5, "jobs.batch_documents", 4), List.of());
        cli = new Cli(daemon.root);
        client = daemon.client();
        dir = Files.createDirectories(daemon.root.resolve("dumps"));
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        daemon.close();
    }

    static JsonObject search(String query) {
        return client.request(Addresses.SEARCH, new JsonObject().put("query", query).put("top_k", 3));
    }

    static JsonObject stats() {
        return client.request(Addresses.STATS, new JsonObject());
    }

    static List<JsonObject> exportAll() {
        List<JsonObject> all = new ArrayList<>();
        Object after = null;
        do {
            JsonObject body = new JsonObject().put("limit", 500);
            if (after != null) {
                body.put("after", after);
            }
            JsonObject page = client.request(Addresses.EXPORT, body);
            page.getJsonArray("chunks").forEach(o -> all.add((JsonObject) o));
            after = page.getValue("next");
        } while (after != null);
        return all;
    }

    static JsonObject importJson(String... args) {
        List<String> all = new ArrayList<>(List.of("import"));
        all.addAll(List.of(args));
        all.add("--json");
        Cli.Result r = cli.run(all.toArray(String[]::new));
        JsonObject job = r.json();
        assertNotNull(job.getString("id"), r.toString());
        return job;
    }

    static String topUrl(JsonObject result) {
        JsonArray results = result.getJsonArray("results");
        return results.isEmpty() ? null : results.getJsonObject(0).getString("url");
    }

    @Test
    @Order(1)
    void importsCleanArticlesAndTheyAreSearchableWhenTheJobCompletes() throws Exception {
        Path plain = baseDump().writePlain(dir.resolve("wiki.xml"));
        JsonObject job = importJson(plain.toString());
        assertEquals("completed", job.getString("state"), job.encodePrettily());
        JsonObject c = job.getJsonObject("counters");
        assertEquals(8, c.getLong("pages_read"), c.encode());
        assertEquals(5, c.getLong("imported"), c.encode());
        assertEquals(2, c.getLong("skipped_redirects"), c.encode());
        assertEquals(1, c.getLong("skipped_namespace"), c.encode());
        assertEquals(job.getLong("total"), job.getLong("current"));

        // Completed means searchable: no commit, no wait.
        JsonObject panda = search("what does the giant panda eat in the mountains");
        assertEquals("https://test.example.org/wiki/Giant_panda", topUrl(panda), panda.encodePrettily());
        JsonObject doc = panda.getJsonArray("results").getJsonObject(0);
        assertEquals("Giant panda", doc.getString("title"));
        assertEquals("https://test.example.org/wiki/Volcano", topUrl(search("basaltic lava eruptions")));
        assertEquals("https://test.example.org/wiki/Mars_rover", topUrl(search("robot vehicle drilling rocks on"
                + " the red planet")));

        List<JsonObject> chunks = exportAll();
        assertFalse(chunks.isEmpty());
        boolean sawDiet = false;
        for (JsonObject chunk : chunks) {
            String text = chunk.getString("content");
            for (String marker : List.of("'''", "''", "[[", "]]", "{{", "}}", "<ref", "Category:", "==",
                    "__NOTOC__", "{|", "|}", "<!--")) {
                assertFalse(text.contains(marker), "'" + marker + "' left in: " + text);
            }
            assertFalse(text.contains("infobox image"), "talk page imported: " + text);
            assertFalse(text.contains("kept after the merge"), "redirect imported: " + text);
            assertFalse(text.contains("WWF page"), "external links section imported: " + text);
            if (chunk.getJsonArray("section_hierarchy").equals(new JsonArray().add("Diet"))) {
                sawDiet = true;
                assertTrue(text.contains("feeds almost entirely on bamboo"), text);
            }
        }
        assertTrue(sawDiet, "section hierarchy kept");
        JsonObject pandaChunk = chunks.stream().filter(ch -> ch.getString("url", "").endsWith("/Giant_panda"))
                .findFirst().orElseThrow();
        assertTrue(pandaChunk.getString("content").contains("The giant panda (Ailuropoda melanoleuca) is a bear"
                + " species endemic to China."), pandaChunk.getString("content"));
        assertEquals(java.time.Instant.parse("2024-03-01T12:00:00Z").toEpochMilli(), pandaChunk.getLong("timestamp"),
                pandaChunk.encode());
    }

    @Test
    @Order(2)
    void compressedAndMultistreamDumpsAreIdenticalAndReimportingChangesNothing() throws Exception {
        long chunksBefore = stats().getLong("chunks");
        long embeddedBefore = stats().getJsonObject("embedding").getLong("passages_embedded");
        for (Path file : List.of(baseDump().writeBz2(dir.resolve("wiki.xml.bz2")),
                baseDump().writeMultistreamBz2(dir.resolve("wiki-multistream.xml.bz2"), 2))) {
            JsonObject job = importJson(file.toString());
            assertEquals("completed", job.getString("state"), job.encodePrettily());
            JsonObject c = job.getJsonObject("counters");
            assertEquals(5, c.getLong("unchanged"), file + ": " + c.encode());
            assertEquals(0, c.getLong("imported", 0L), c.encode());
            assertEquals(8, c.getLong("pages_read"), c.encode());
        }
        assertEquals(chunksBefore, stats().getLong("chunks"));
        assertEquals(embeddedBefore, stats().getJsonObject("embedding").getLong("passages_embedded"),
                "nothing re-embedded");
    }

    @Test
    @Order(3)
    void aChangedArticleReplacesItsChunks() throws Exception {
        WikiDump changed = new WikiDump().article("Giant panda", PANDA.replace("fourteen hours a day",
                "fourteen hours a day, and in captivity also eats apples and carrots")).article("Mars rover", MARS);
        JsonObject job = importJson(changed.writePlain(dir.resolve("changed.xml")).toString());
        assertEquals(1, job.getJsonObject("counters").getLong("imported"), job.encode());
        assertEquals(1, job.getJsonObject("counters").getLong("unchanged"), job.encode());
        List<JsonObject> panda = exportAll().stream()
                .filter(ch -> ch.getString("url", "").endsWith("/Giant_panda")).toList();
        assertTrue(panda.stream().anyMatch(ch -> ch.getString("content").contains("apples and carrots")));
        long withDietSentence = panda.stream().filter(ch -> ch.getString("content")
                .contains("eating for up to fourteen hours a day")).count();
        assertEquals(1, withDietSentence, "old chunks replaced, not kept beside the new ones");
    }

    @Test
    @Order(4)
    void brokenXmlFailsTheJobWithItsPositionAndKeepsEarlierPages() throws Exception {
        StringBuilder xml = new StringBuilder(WikiDump.header());
        List<String> lines = Europarl.english(20).stream().map(Europarl.Line::text).toList();
        for (int i = 0; i < 6; i++) {
            xml.append(WikiDump.xml(new WikiDump.Page(500 + i, "Debate " + i, 0, null, "2024-01-01T00:00:00Z",
                    "'''Debate " + i + "''' " + lines.get(i) + " " + lines.get(i + 6))));
        }
        xml.append("  <page>\n    <title>Broken</title>\n    <ns>0</ns>\n    <revision><text>unclosed\n  </page>\n");
        xml.append(WikiDump.xml(new WikiDump.Page(600, "After", 0, null, "2024-01-01T00:00:00Z",
                "Never reached.")));
        Path file = Files.writeString(dir.resolve("broken.xml"), xml.append(WikiDump.footer()));
        Cli.Result r = cli.run("import", file.toString(), "--json");
        assertEquals(1, r.exit(), r.toString());
        JsonObject job = r.json();
        assertEquals("failed", job.getString("state"));
        String error = job.getString("error");
        assertTrue(error.matches("(?s).*line \\d+, column \\d+.*"), error);
        assertEquals(6, job.getJsonObject("counters").getLong("imported"), job.encode());
        JsonObject hit = search(lines.get(5));
        assertEquals("https://test.example.org/wiki/Debate_5", topUrl(hit), hit.encodePrettily());
    }

    @Test
    @Order(5)
    void jsonlImportSkipsAndReportsBadLines() throws Exception {
        Path file = dir.resolve("corpus.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"_id\": \"MED-1\", \"title\": \"Vitamin D\", \"text\": \"Vitamin D deficiency is common in"
                        + " northern latitudes during winter because sunlight is too weak to make it in the skin.\","
                        + " \"metadata\": {\"journal\": \"BMJ\"}}",
                "{\"id\": \"MED-2\", \"title\": \"Statins\", \"text\": \"Statins lower LDL cholesterol and the"
                        + " risk of heart attacks.\", \"url\": \"https://med.example.org/statins\"}",
                "{not json",
                "",
                "{\"id\": \"MED-3\", \"title\": \"No text\"}",
                "{\"id\": \"MED-4\", \"text\": \"Regular exercise improves insulin sensitivity.\"}") + "\n");
        JsonObject job = importJson(file.toString());
        assertEquals("completed", job.getString("state"), job.encodePrettily());
        JsonObject c = job.getJsonObject("counters");
        assertEquals(3, c.getLong("imported"), c.encode());
        assertEquals(2, c.getLong("line_errors"), c.encode());
        JsonObject hit = search("why is vitamin D low in winter");
        JsonObject top = hit.getJsonArray("results").getJsonObject(0);
        assertEquals("Vitamin D", top.getString("title"));
        assertEquals("BMJ", top.getJsonObject("metadata").getString("journal"));
        assertEquals("https://med.example.org/statins", topUrl(search("cholesterol lowering drugs")));
    }

    @Test
    @Order(6)
    void cancelKeepsWhatWasIndexedAndResumeFinishesWithoutReembedding() throws Exception {
        List<Europarl.Line> lines = Europarl.english(160);
        WikiDump dump = new WikiDump();
        for (int i = 0; i < lines.size(); i++) {
            dump.article("Speech " + i, "'''" + lines.get(i).title() + "''' was debated in the [[European"
                    + " Parliament|Parliament]].<ref>Minutes.</ref>\n\n== Speech ==\n" + lines.get(i).text());
        }
        Path file = dump.writeMultistreamBz2(dir.resolve("speeches.xml.bz2"), 25);
        JsonObject stats0 = stats();
        long embedded0 = stats0.getJsonObject("embedding").getLong("passages_embedded");
        long chunks0 = stats0.getLong("chunks");

        Cli.Result started = cli.run("import", file.toString(), "--detach", "--json");
        assertEquals(0, started.exit(), started.toString());
        String id = started.json().getString("id");
        JsonObject running = awaitJob(id, j -> j.getJsonObject("counters").getLong("imported", 0L) >= 20);
        assertEquals("running", running.getString("state"), running.encode());

        long t0 = System.nanoTime();
        Cli.Result cancelled = cli.run("cancel", id, "--json");
        long cancelMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, cancelled.exit(), cancelled.toString());
        JsonObject job = cancelled.json();
        assertEquals("cancelled", job.getString("state"), job.encodePrettily());
        assertTrue(cancelMillis < 5000, "cancel took " + cancelMillis + " ms");
        long position = job.getJsonObject("checkpoint").getLong("position");
        assertTrue(position >= 20 && position < lines.size(), job.encodePrettily());
        long importedBeforeCancel = job.getJsonObject("counters").getLong("imported");
        // What was indexed before the cancel is committed and searchable.
        assertEquals(importedBeforeCancel, stats().getLong("documents") - stats0.getLong("documents"));

        Cli.Result again = cli.run("cancel", id);
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already ended (cancelled)"), again.err());

        try (DindexClient watcher = daemon.client()) {
            JsonObject resumed = importJson(file.toString(), "--resume", id);
            assertEquals("completed", resumed.getString("state"), resumed.encodePrettily());
            assertEquals(id, resumed.getJsonObject("params").getString("resumed_from"));
            JsonObject c = resumed.getJsonObject("counters");
            assertEquals(lines.size(), c.getLong("imported") + c.getLong("unchanged", 0L), c.encode());
            assertTrue(c.getLong("unchanged", 0L) <= 2 * 4, "only the batches after the checkpoint are seen"
                    + " again: " + c.encode());
            assertEquals(lines.size(), c.getLong("pages_read"), c.encode());
        }
        JsonObject stats1 = stats();
        assertEquals(stats0.getLong("documents") + lines.size(), stats1.getLong("documents"));
        long newChunks = stats1.getLong("chunks") - chunks0;
        assertEquals(newChunks, stats1.getJsonObject("embedding").getLong("passages_embedded") - embedded0,
                "every chunk embedded exactly once across cancel and resume");

        Cli.Result list = cli.run("jobs", "--json");
        JsonArray jobs = list.json().getJsonArray("jobs");
        assertTrue(jobs.stream().map(o -> (JsonObject) o).anyMatch(j -> j.getString("id").equals(id)
                && j.getString("state").equals("cancelled")));
    }

    @Test
    @Order(7)
    void progressIsPublishedCoalescedAndEndsWithTheFinalState() throws Exception {
        List<Europarl.Line> lines = Europarl.english(60);
        WikiDump dump = new WikiDump();
        for (int i = 0; i < lines.size(); i++) {
            dump.article("Progress " + i, lines.get(i).text() + " " + lines.get((i + 1) % lines.size()).text());
        }
        Path file = dump.writePlain(dir.resolve("progress.xml"));
        try (DindexClient watcher = daemon.client()) {
            watcher.writeFrame(new JsonObject().put("type", "register").put("address", JobRegistry.EVENTS_ADDRESS));
            watcher.request(Addresses.STATUS, new JsonObject());  // the registration is in place
            Cli.Result started = cli.run("import", file.toString(), "--detach", "--json", "--min-length", "0");
            String id = started.json().getString("id");
            List<long[]> progress = new ArrayList<>();
            List<String> states = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (System.nanoTime() < deadline) {
                JsonObject frame = watcher.readFrame(Duration.ofSeconds(10));
                assertNotNull(frame, "no progress event for 10 s");
                JsonObject jobEvent = frame.getJsonObject("body").getJsonObject("job");
                if (jobEvent == null || !jobEvent.getString("id").equals(id)) {
                    continue;
                }
                String state = jobEvent.getString("state") + "/" + jobEvent.getString("stage");
                if (states.isEmpty() || !states.getLast().equals(state)) {
                    states.add(state);
                } else {
                    progress.add(new long[]{System.nanoTime(), jobEvent.getLong("current")});
                }
                if (JobState.fromWireName(jobEvent.getString("state")).finished()) {
                    break;
                }
            }
            assertEquals("completed/completed", states.getLast(), states.toString());
            assertTrue(states.contains("running/importing"), states.toString());
            assertTrue(states.contains("running/committing"), states.toString());
            assertTrue(progress.size() >= 2, "progress events while importing: " + progress.size());
            // Published at most every 250 ms. Arrival times are what the client sees: on a loaded machine a late
            // event and the next on-time one can arrive bunched, so the bound is on the rate and the median gap.
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < progress.size(); i++) {
                gaps.add((progress.get(i)[0] - progress.get(i - 1)[0]) / 1_000_000);
                assertTrue(progress.get(i)[1] >= progress.get(i - 1)[1], "progress went backwards");
            }
            long spanMs = (progress.getLast()[0] - progress.getFirst()[0]) / 1_000_000;
            assertTrue(progress.size() <= spanMs / 250 + 2, progress.size() + " progress events in " + spanMs
                    + " ms: not coalesced to one per 250 ms");
            List<Long> sorted = gaps.stream().sorted().toList();
            assertTrue(sorted.isEmpty() || sorted.get(sorted.size() / 2) >= 200, "median gap between progress"
                    + " events: " + gaps);
        }
    }

    @Test
    @Order(8)
    void maxDocsAndMinLengthLimitTheImport() throws Exception {
        WikiDump dump = new WikiDump().article("Stub", "'''Stub''' is short.")
                .article("Otters", "'''Otters''' are semiaquatic mammals that eat fish and shellfish, use stones"
                        + " as tools to open clams, and hold hands while they sleep so they do not drift apart.")
                .article("Beavers", "'''Beavers''' build dams of branches and mud across streams, creating ponds"
                        + " that protect their lodges from predators and store food for the winter.")
                .article("Badgers", "'''Badgers''' dig large burrows called setts, which families use and extend"
                        + " over many generations, sometimes for more than a century.");
        Path file = dump.writePlain(dir.resolve("limits.xml"));
        JsonObject job = importJson(file.toString(), "--max-docs", "2", "--min-length", "60");
        assertEquals("completed", job.getString("state"), job.encodePrettily());
        JsonObject c = job.getJsonObject("counters");
        assertEquals(1, c.getLong("skipped_short"), c.encode());
        assertEquals(2, c.getLong("imported"), c.encode());
        assertEquals(3, c.getLong("pages_read"), "stops reading at the limit: " + c.encode());
    }

    @Test
    @Order(9)
    void badRequestsGetClearErrors() throws Exception {
        DindexException missing = assertThrows(DindexException.class, () -> client.request(Addresses.IMPORT,
                new JsonObject().put("path", dir.resolve("nope.xml").toString())));
        assertEquals(ErrorCode.NOT_FOUND, missing.code());
        assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());
        DindexException relative = assertThrows(DindexException.class, () -> client.request(Addresses.IMPORT,
                new JsonObject().put("path", "wiki.xml")));
        assertTrue(relative.getMessage().contains("absolute"), relative.getMessage());
        DindexException format = assertThrows(DindexException.class, () -> client.request(Addresses.IMPORT,
                new JsonObject().put("path", dir.resolve("wiki.xml").toString()).put("format", "csv")));
        assertTrue(format.getMessage().contains("unknown import format 'csv'"), format.getMessage());
        DindexException ns = assertThrows(DindexException.class, () -> client.request(Addresses.IMPORT,
                new JsonObject().put("path", dir.resolve("wiki.xml").toString()).put("namespaces",
                        new JsonArray().add("main"))));
        assertEquals(ErrorCode.BAD_REQUEST, ns.code());

        DindexException badId = assertThrows(DindexException.class, () -> client.request(Addresses.JOBS_CANCEL,
                new JsonObject().put("id", "../../etc")));
        assertEquals(ErrorCode.BAD_REQUEST, badId.code());
        DindexException unknown = assertThrows(DindexException.class, () -> client.request(Addresses.JOBS_GET,
                new JsonObject().put("id", "import-00000000")));
        assertEquals(ErrorCode.NOT_FOUND, unknown.code());

        String completed = cli.run("jobs", "--json", "--state", "completed").json().getJsonArray("jobs")
                .getJsonObject(0).getString("id");
        DindexException finished = assertThrows(DindexException.class, () -> client.request(Addresses.JOBS_CANCEL,
                new JsonObject().put("id", completed)));
        assertEquals(ErrorCode.CONFLICT, finished.code());
        DindexException resume = assertThrows(DindexException.class, () -> client.request(Addresses.IMPORT,
                new JsonObject().put("path", dir.resolve("wiki.xml").toString()).put("resume", completed)));
        assertEquals(ErrorCode.CONFLICT, resume.code());
        Cli.Result cliError = cli.run("job", "import-00000000");
        assertEquals(1, cliError.exit());
        assertTrue(cliError.err().contains("no job 'import-00000000'"), cliError.err());
    }

    static JsonObject awaitJob(String id, java.util.function.Predicate<JsonObject> condition) throws Exception {
        return Await.value(Duration.ofMinutes(3), "job " + id + " reached the condition or finished",
                () -> client.request(Addresses.JOBS_GET, new JsonObject().put("id", id)).getJsonObject("job"),
                job -> condition.test(job) || JobState.fromWireName(job.getString("state")).finished());
    }
}
