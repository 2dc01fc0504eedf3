package org.dindex.ingest;

import io.vertx.core.json.JsonObject;
import org.dindex.support.Cli;
import org.dindex.support.Europarl;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dindex index} and friends against a real daemon process with the real model. */
@Timeout(300)
class IndexCommandTest {
    static Path root;
    static Cli cli;

    @BeforeAll
    static void start() throws Exception {
        root = TestDirs.privateDir("di");
        cli = new Cli(root).env("DINDEX_INDEX_MAX_DOCUMENT_BYTES", "20000");
        Cli.Result started = cli.run("daemon", "start");
        assertEquals(0, started.exit(), started.toString());
    }

    @AfterAll
    static void stop() {
        cli.run("daemon", "stop");
        cli.killDaemon();
        TestDirs.deleteTree(root);
    }

    static JsonObject stats() {
        Cli.Result r = cli.run("stats", "--json");
        assertEquals(0, r.exit(), r.toString());
        return r.json();
    }

    static long embedded() {
        return stats().getJsonObject("embedding").getLong("passages_embedded");
    }

    /**
     * Two files whose names differ only in bytes that are not UTF-8 (Java shows both as U+FFFD) stay two documents:
     * each is indexed under its own name, and neither replaces the other. A third file is literally named as the
     * first one's escaped name ({@code inv\xFF\xFEname.txt} in ASCII, backslashes included): its backslashes are
     * escaped in turn, so it stays a document of its own too.
     */
    @Test
    void fileNamesThatDifferOnlyInInvalidUtf8BytesStayDistinct() throws Exception {
        Path folder = Files.createDirectories(root.resolve("bytes"));
        Process p = new ProcessBuilder("bash", "-c", "printf 'Apples ripen in the orchard in September.'"
                + " > $'inv\\xff\\xfename.txt' && printf 'Pears keep well in a cool cellar until spring.'"
                + " > $'inv\\xfe\\xffname.txt'")
                .directory(folder.toFile()).inheritIO().start();
        assertEquals(0, p.waitFor());
        Files.writeString(folder.resolve("inv\\xFF\\xFEname.txt"), "Plums are dried in the sun to make prunes.");
        Cli.Result indexed = cli.run("index", folder.toString(), "--json");
        assertEquals(0, indexed.exit(), indexed.toString());
        assertEquals(3, indexed.json().getInteger("indexed"), indexed.out());
        for (String[] q : new String[][] {{"apples ripen in the orchard", "inv\\xFF\\xFEname.txt"},
                {"pears keep in a cool cellar", "inv\\xFE\\xFFname.txt"},
                {"plums dried in the sun to make prunes", "inv\\\\xFF\\\\xFEname.txt"}}) {
            Cli.Result found = cli.run("search", q[0], "--json", "--top-k", "1", "--source", folder.toString());
            assertEquals(0, found.exit(), found.toString());
            JsonObject top = found.json().getJsonArray("results").getJsonObject(0);
            assertEquals(folder.resolve("x").toString().replace("/x", "/") + q[1], top.getString("source"),
                    found.out());
        }
        Cli.Result again = cli.run("index", folder.toString(), "--json");
        assertEquals(3, again.json().getInteger("unchanged"), "nothing replaced another: " + again.out());
        Cli.Result exported = cli.run("export");
        assertEquals(0, exported.exit(), exported.toString());
        assertEquals(3, exported.out().lines().map(l -> new JsonObject(l).getString("source"))
                .filter(s -> s.startsWith(folder + "/")).distinct().count(), exported.out());
        assertEquals(0, cli.run("delete", "--source", folder.toString()).exit(), "leave the index to the others");
    }

    @Test
    void indexReindexUnchangedAndEditOneFile() throws Exception {
        Path corpus = Files.createDirectories(root.resolve("corpus"));
        List<Europarl.Line> lines = Europarl.english(10);
        for (int i = 0; i < lines.size(); i++) {
            Files.writeString(corpus.resolve("speech-" + i + ".txt"), lines.get(i).text());
        }
        Files.writeString(corpus.resolve("notes.md"), "# Fisheries\n\nThe committee debated quotas.\n\n"
                + "## Baltic\n\nCod stocks in the Baltic are low.\n");
        Files.writeString(corpus.resolve("page.html"), "<html><head><title>Agenda</title></head><body><nav>Home"
                + "</nav><main><h1>Agenda</h1><p>Votes on the budget take place on Thursday.</p></main></body></html>");
        Files.createDirectories(corpus.resolve(".hidden"));
        Files.writeString(corpus.resolve(".hidden/secret.txt"), "never indexed");

        long before = embedded();
        Cli.Result first = cli.run("index", corpus.toString(), "--json");
        assertEquals(0, first.exit(), first.toString());
        JsonObject s1 = first.json();
        assertEquals(12, s1.getInteger("indexed"), s1.encode());
        assertEquals(0, s1.getInteger("skipped"));
        long chunks = s1.getLong("chunks");
        assertTrue(chunks >= 12);
        JsonObject stats1 = stats();
        assertEquals(12, stats1.getInteger("documents"));
        assertEquals(chunks, stats1.getLong("chunks"));
        assertEquals(before + chunks, stats1.getJsonObject("embedding").getLong("passages_embedded"));

        Cli.Result again = cli.run("index", corpus.toString(), "--json");
        assertEquals(0, again.exit());
        assertEquals(12, again.json().getInteger("unchanged"), again.out());
        assertEquals(0, again.json().getInteger("indexed"));
        assertEquals(before + chunks, embedded(), "nothing re-embedded");
        assertEquals(chunks, stats().getLong("chunks"));

        Files.writeString(corpus.resolve("notes.md"), "# Fisheries\n\nThe committee debated quotas again.\n");
        Cli.Result edited = cli.run("index", corpus.toString(), "--json");
        JsonObject s3 = edited.json();
        assertEquals(1, s3.getInteger("replaced"), s3.encode());
        assertEquals(11, s3.getInteger("unchanged"));
        assertEquals(before + chunks + s3.getLong("chunks"), embedded(), "only the edited file was embedded");

        Cli.Result export = cli.run("export");
        assertEquals(0, export.exit());
        List<JsonObject> exported = export.out().lines().map(JsonObject::new).toList();
        assertEquals(stats().getLong("chunks"), exported.size());
        JsonObject md = exported.stream().filter(c -> c.getString("source").endsWith("notes.md")).findFirst()
                .orElseThrow();
        assertEquals("Fisheries", md.getString("title"));
        assertTrue(md.getString("content").contains("quotas again"));
        assertTrue(exported.stream().noneMatch(c -> c.getString("source").contains(".hidden")));
        JsonObject html = exported.stream().filter(c -> c.getString("source").endsWith("page.html")).findFirst()
                .orElseThrow();
        assertEquals("Agenda", html.getString("title"));
        assertTrue(!html.getString("content").contains("Home"), "navigation is not content");

        Cli.Result check = cli.run("check");
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().startsWith("ok: "), check.out());
    }

    @Test
    void badFilesAreReportedOneLineEachAndTheRunGoesOn() throws Exception {
        Path dir = Files.createDirectories(root.resolve("bad"));
        Files.writeString(dir.resolve("good.txt"), Europarl.english(1).getFirst().text());
        Files.writeString(dir.resolve("empty.txt"), "");
        Files.write(dir.resolve("image.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        Files.write(dir.resolve("latin1.txt"), new byte[]{'c', 'a', 'f', (byte) 0xe9, ' ', 'o', 'k'});
        Files.write(dir.resolve("broken.txt"), new byte[]{'c', 'a', 'f', (byte) 0xc3, (byte) 0xa9, ' ', (byte) 0xc3,
                '('});
        Files.writeString(dir.resolve("huge.txt"), "word ".repeat(5000));
        Cli.Result r = cli.run("index", dir.toString());
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("indexed 2, replaced 0, unchanged 0, skipped 4"), "latin1.txt is decoded: "
                + r.out());
        assertTrue(r.err().contains("empty.txt: empty file"), r.err());
        assertTrue(r.err().contains("image.png: binary file"), r.err());
        assertTrue(r.err().contains("broken.txt: invalid UTF-8 at byte offset 6"), r.err());
        assertTrue(r.err().contains("huge.txt: too large"), r.err());
        assertTrue(!r.err().contains("Exception"), r.err());

        Path onlyBad = Files.createDirectories(root.resolve("onlybad"));
        Files.writeString(onlyBad.resolve("empty.txt"), "  \n");
        Cli.Result nothing = cli.run("index", onlyBad.toString(), "--json");
        assertEquals(1, nothing.exit(), "nothing could be indexed");
        assertEquals("skipped", nothing.json().getJsonArray("problems").getJsonObject(0).getString("status"));

        Cli.Result missing = cli.run("index", root.resolve("no-such-dir").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("no such file or folder"), missing.err());
    }

    @Test
    void deleteBySourceAndById() throws Exception {
        Path dir = Files.createDirectories(root.resolve("del"));
        List<Europarl.Line> lines = Europarl.english(14);
        for (int i = 10; i < 14; i++) {
            Files.writeString(dir.resolve("d" + i + ".txt"), lines.get(i).text());
        }
        assertEquals(0, cli.run("index", dir.toString()).exit());
        int docs = stats().getInteger("documents");
        Cli.Result bySource = cli.run("delete", "--source", dir.resolve("d1").toString(), "--json");
        assertEquals(0, bySource.exit(), bySource.toString());
        assertEquals(4, bySource.json().getInteger("deleted_documents"));
        assertEquals(docs - 4, (int) stats().getInteger("documents"));
        assertEquals(2, cli.run("delete").exit(), "usage error without --doc or --source");
        Cli.Result none = cli.run("delete", "--doc", "0000", "--json");
        assertEquals(0, none.json().getInteger("deleted_documents"));
        assertEquals(0, cli.run("check").exit());
    }
}
