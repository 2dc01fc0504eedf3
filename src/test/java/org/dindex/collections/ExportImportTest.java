package org.dindex.collections;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.support.Cli;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code export --with-vectors} then {@code import --format jsonl} into another collection: the chunks come back as
 * they were, nothing is embedded, and searches answer the same; re-indexing the original files finds them unchanged.
 */
@Timeout(600)
class ExportImportTest extends OneDaemonCli {

    @BeforeAll
    static void start() throws Exception {
        daemon = EmbeddedDaemon.start(Map.of(), List.of());
        cli = new Cli(daemon.root);
    }

    static long embedded(String collection) {
        return ok("stats", "--collection", collection, "--json").json().getJsonObject("embedding")
                .getLong("passages_embedded");
    }

    /** The ranking of a search: each chunk's id, content and scores, in order. */
    static JsonArray ranking(String collection, String query, String mode) {
        JsonObject r = ok("search", "--collection", collection, query, "--mode", mode, "--top-k", "8", "--json")
                .json();
        JsonArray out = new JsonArray();
        for (Object o : r.getJsonArray("results")) {
            for (Object c : ((JsonObject) o).getJsonArray("chunks")) {
                JsonObject chunk = (JsonObject) c;
                out.add(new JsonObject().put("chunk_id", chunk.getString("chunk_id"))
                        .put("content", chunk.getString("content")).put("score", chunk.getJsonObject("score")));
            }
        }
        return out;
    }

    @Test
    void exportWithVectorsThenImportGivesTheSameSearchesWithoutEmbedding() throws Exception {
        Path files = Files.createDirectories(daemon.root.resolve("files"));
        Files.writeString(files.resolve("harbour.md"), "# Harbour guide\n\n## Lighthouses\n\nThe lighthouse on the"
                + " northern cape flashes white every ten seconds and can be seen twenty nautical miles away.\n\n"
                + "## Tides\n\nSpring tides follow the full and the new moon, when sun and moon pull together; neap"
                + " tides come in between.\n\n" + "## Knots\n\n" + "A bowline makes a fixed loop at the end of a rope"
                + " that will not slip or jam. ".repeat(30) + "\n");
        Files.writeString(files.resolve("bread.md"), "# Sourdough\n\nWild yeast and lactic bacteria ferment the"
                + " dough overnight; it is baked in a very hot oven with steam.\n");
        Files.writeString(files.resolve("mars.txt"), "Rovers drive across the red dust of Mars, drilling rocks and"
                + " looking for signs of ancient water.");
        ok("collection", "create", "origin");
        ok("index", "--collection", "origin", "--meta", "team=docs", files.toString());
        JsonObject originStats = ok("stats", "--collection", "origin", "--json").json();
        assertTrue(originStats.getInteger("chunks") > 3, "the long file makes several chunks: " + originStats);

        Cli.Result export = ok("export", "--collection", "origin", "--with-vectors");
        List<String> lines = export.out().lines().toList();
        assertEquals(originStats.getInteger("chunks"), lines.size());
        for (String line : lines) {
            JsonObject c = new JsonObject(line);
            assertNotNull(c.getString("vector"), line);
            assertEquals("all-minilm-l6-v2-q", c.getString("model"));
            assertNotNull(c.getString("content_hash"));
        }
        assertNull(new JsonObject(ok("export", "--collection", "origin").out().lines().findFirst().orElseThrow())
                .getValue("vector"), "vectors only when asked for");
        Path file = daemon.root.resolve("origin.jsonl");
        Files.writeString(file, export.out());

        ok("collection", "create", "moved");
        long before = embedded("moved");
        JsonObject job = ok("import", file.toString(), "--format", "jsonl", "--collection", "moved", "--json").json();
        assertEquals("completed", job.getString("state"), job.encodePrettily());
        assertEquals(3, job.getJsonObject("counters").getInteger("imported"));
        assertEquals(before, embedded("moved"), "nothing was embedded");

        JsonObject movedStats = ok("stats", "--collection", "moved", "--json").json();
        assertEquals(originStats.getInteger("documents"), movedStats.getInteger("documents"));
        assertEquals(originStats.getInteger("chunks"), movedStats.getInteger("chunks"));
        assertTrue(ok("check", "--collection", "moved", "--json").json().getBoolean("ok"));
        for (String mode : List.of("hybrid", "dense", "bm25")) {
            for (String query : List.of("how far can the lighthouse be seen", "moon and tides", "baking bread",
                    "a loop in a rope")) {
                JsonArray a = ranking("origin", query, mode);
                JsonArray b = ranking("moved", query, mode);
                assertFalse(a.isEmpty(), query);
                assertEquals(a, b, mode + " search for '" + query + "' answers the same");
            }
        }
        JsonObject filtered = ok("search", "--collection", "moved", "bread", "--meta", "team=docs", "--json").json();
        assertFalse(filtered.getJsonArray("results").isEmpty(), "metadata came along");

        // Importing again changes nothing; indexing the original files finds them unchanged (same content hash).
        JsonObject again = ok("import", file.toString(), "--format", "jsonl", "--collection", "moved", "--json")
                .json();
        assertEquals(3, again.getJsonObject("counters").getInteger("unchanged"), again.encodePrettily());
        JsonObject reindexed = ok("index", "--collection", "moved", "--meta", "team=docs", files.toString(),
                "--json").json();
        assertEquals(3, reindexed.getInteger("unchanged"), reindexed.encodePrettily());
        assertEquals(before, embedded("moved"), "still nothing embedded");
    }

    @Test
    void anExportOfAnotherModelIsEmbeddedAgainOnImport() throws Exception {
        Path file = daemon.root.resolve("other-model.jsonl");
        ok("collection", "create", "source");
        Path doc = Files.writeString(daemon.root.resolve("reef.md"), "# Reefs\n\nCoral polyps build limestone"
                + " skeletons in warm shallow seas.\n");
        ok("index", "--collection", "source", doc.toString());
        Files.writeString(file, ok("export", "--collection", "source", "--with-vectors").out());
        ok("collection", "create", "bge", "--model", "bge-small-en-v1.5-q");
        long before = embedded("bge");
        JsonObject job = ok("import", file.toString(), "--collection", "bge", "--json").json();
        assertEquals("completed", job.getString("state"), job.encodePrettily());
        assertEquals(before + 1, embedded("bge"), "vectors of another model are not used: its chunk is embedded");
        assertEquals(doc.toString(), ok("search", "--collection", "bge", "coral", "--json").json()
                .getJsonArray("results").getJsonObject(0).getString("source"));
        ok("collection", "delete", "bge", "--yes");
    }
}
