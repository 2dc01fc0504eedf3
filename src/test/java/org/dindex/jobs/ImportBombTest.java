package org.dindex.jobs;

import io.vertx.core.json.JsonObject;
import org.dindex.support.Cli;
import org.dindex.support.TestDirs;
import org.dindex.support.WikiDump;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decompression bombs against a real daemon process whose heap is far smaller than what each bomb expands to: a page
 * text, a title, whitespace between elements and an attribute of 512 MiB each, and a JSONL line of 100 MiB, in gzip
 * files of a few hundred kilobytes (the page text also in a bzip2 file of a few kilobytes). Oversized pages are
 * skipped with a counted reason and the import goes on; markup no dump has fails the import with a clear error; the
 * daemon keeps answering and its index stays intact.
 */
@Timeout(600)
class ImportBombTest {
    static final long BOMB = 512L * 1024 * 1024;
    static Path root;
    static Cli cli;
    static Process daemon;

    @BeforeAll
    static void start() throws Exception {
        root = TestDirs.privateDir("db");
        cli = new Cli(root);
        List<String> cmd = new ArrayList<>(cli.foregroundCommand(null));
        cmd.addAll(1, List.of("-Xmx320m", "-XX:+ExitOnOutOfMemoryError"));
        daemon = cli.start(cmd);
        cli.awaitDaemon(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        cli.killDaemon();
        TestDirs.deleteTree(root);
    }

    /**
     * Writes {@code head}, then {@code count} copies of {@code fill}, then {@code tail}, compressed as the name says
     * ({@code .bz2}: bzip2, else gzip), streaming: the test never holds more than a block of it.
     */
    static Path bomb(String name, String head, byte fill, long count, String tail) throws IOException {
        Path file = root.resolve(name);
        OutputStream raw = Files.newOutputStream(file);
        try (OutputStream out = name.endsWith(".bz2") ? new BZip2CompressorOutputStream(raw)
                : new GZIPOutputStream(raw, 1 << 16)) {
            out.write(head.getBytes(StandardCharsets.UTF_8));
            byte[] block = new byte[1 << 20];
            Arrays.fill(block, fill);
            for (long left = count; left > 0; left -= block.length) {
                out.write(block, 0, (int) Math.min(block.length, left));
            }
            out.write(tail.getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(Files.size(file) < 2 * 1024 * 1024, "a small file: " + Files.size(file));
        return file;
    }

    static String page(long id, String title, String text) {
        return WikiDump.xml(new WikiDump.Page(id, title, 0, null, "2024-01-01T00:00:00Z", text));
    }

    static final String OTTER = "The sea otter floats on its back and cracks shellfish open with a stone held on"
            + " its chest; it is the only marine mammal that uses tools this way, and it rests in kelp forests.";

    static JsonObject importFile(Path file, String... extra) {
        List<String> args = new ArrayList<>(List.of("import", file.toString(), "--json"));
        args.addAll(List.of(extra));
        Cli.Result r = cli.run(args.toArray(String[]::new));
        assertTrue(daemon.isAlive(), "the daemon survived " + file.getFileName() + ": " + r);
        return r.json();
    }

    static void assertSearchable(String query, String url) {
        Cli.Result r = cli.run("search", query, "--json", "--top-k", "3");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains(url), r.out());
    }

    @Test
    void oversizedPagesAreSkippedAndTheImportGoesOn() throws Exception {
        String head = WikiDump.header() + "  <page>\n    <title>Bomb</title>\n    <ns>0</ns>\n    <id>1</id>\n"
                + "    <revision><text>";
        Path text = bomb("text.xml.gz", head, (byte) 'a', BOMB, "</text></revision>\n  </page>\n"
                + page(2, "Sea otter", OTTER) + WikiDump.footer());
        JsonObject job = importFile(text);
        assertEquals("completed", job.getString("state"), job.encode());
        assertEquals(1, job.getJsonObject("counters").getLong("skipped_oversized"), job.encode());
        assertEquals(1, job.getJsonObject("counters").getLong("imported"), job.encode());
        assertSearchable("otter cracks shellfish with a stone", "wiki/Sea_otter");

        Path title = bomb("title.xml.gz", WikiDump.header() + "  <page>\n    <title>", (byte) 't', BOMB,
                "</title>\n    <ns>0</ns>\n    <id>3</id>\n    <revision><text>x</text></revision>\n  </page>\n"
                        + page(4, "Kelp", "Kelp forests grow in cold coastal water and shelter otters, urchins and"
                        + " fish among their tall brown fronds.") + WikiDump.footer());
        JsonObject titled = importFile(title);
        assertEquals("completed", titled.getString("state"), titled.encode());
        assertEquals(1, titled.getJsonObject("counters").getLong("skipped_oversized"), titled.encode());
        assertSearchable("brown fronds in cold coastal water", "wiki/Kelp");
    }

    /** The same text bomb as bzip2 (as Wikipedia ships its dumps), which expands further than gzip can. */
    @Test
    void aBzip2TextBombIsSkippedLikeTheGzipOne() throws Exception {
        String head = WikiDump.header() + "  <page>\n    <title>Bz2 bomb</title>\n    <ns>0</ns>\n    <id>11</id>\n"
                + "    <revision><text>";
        Path text = bomb("text.xml.bz2", head, (byte) 'z', BOMB, "</text></revision>\n  </page>\n"
                + page(12, "Walrus", "The walrus hauls its bulk onto sea ice with its long tusks and finds clams on"
                + " the dark sea floor with its sensitive whiskers.") + WikiDump.footer());
        assertTrue(Files.size(text) < 64 * 1024, "a tiny file: " + Files.size(text));
        JsonObject job = importFile(text);
        assertEquals("completed", job.getString("state"), job.encode());
        assertEquals(1, job.getJsonObject("counters").getLong("skipped_oversized"), job.encode());
        assertEquals(1, job.getJsonObject("counters").getLong("imported"), job.encode());
        assertSearchable("walrus finds clams with its whiskers", "wiki/Walrus");
        Cli.Result check = cli.run("check", "--json");
        assertTrue(check.json().getBoolean("ok"), "the index is intact: " + check.out());
    }

    @Test
    void whitespaceBetweenElementsIsReadInBoundedPieces() throws Exception {
        Path spaces = bomb("spaces.xml.gz", WikiDump.header() + page(5, "Heron", "Herons stand still in shallow"
                + " water and strike fish with their long sharp bills."), (byte) ' ', BOMB,
                page(6, "Egret", "Egrets are white herons that follow cattle to catch the insects they stir up.")
                        + WikiDump.footer());
        JsonObject job = importFile(spaces, "--min-length", "0");
        assertEquals("completed", job.getString("state"), job.encode());
        assertEquals(2, job.getJsonObject("counters").getLong("imported"), job.encode());
        assertSearchable("white herons following cattle", "wiki/Egret");
    }

    @Test
    void markupNoDumpHasFailsTheImportAndKeepsWhatCameBefore() throws Exception {
        Path attribute = bomb("attribute.xml.gz", WikiDump.header() + page(7, "Puffin", "Puffins dig burrows on"
                + " grassy cliff tops and carry rows of small fish crosswise in their colourful beaks.")
                + "  <page>\n    <title>Trap</title>\n    <ns>0</ns>\n    <id>8</id>\n    <redirect title=\"",
                (byte) 'r', BOMB, "\" />\n  </page>\n" + WikiDump.footer());
        JsonObject job = importFile(attribute, "--min-length", "0");
        assertEquals("failed", job.getString("state"), job.encode());
        assertTrue(job.getString("error").contains("not a MediaWiki dump: a piece of markup starting at byte"),
                job.getString("error"));
        assertTrue(job.getString("error").contains("is longer than 1048576 bytes"), job.getString("error"));
        assertSearchable("burrows on grassy cliff tops", "wiki/Puffin");
    }

    @Test
    void aHugeJsonlLineIsReportedAndSkipped() throws Exception {
        Path jsonl = bomb("lines.jsonl.gz", "{\"id\":\"big\",\"title\":\"Big\",\"text\":\"", (byte) 'b',
                100L * 1024 * 1024, "\"}\n{\"id\":\"owl\",\"title\":\"Owl\",\"text\":\"Owls hunt at night and hear"
                        + " the rustle of a mouse under snow.\"}\n");
        JsonObject job = importFile(jsonl, "--format", "jsonl");
        assertEquals("completed", job.getString("state"), job.encode());
        assertEquals(1, job.getJsonObject("counters").getLong("line_errors"), job.encode());
        assertEquals(1, job.getJsonObject("counters").getLong("imported"), job.encode());
        assertSearchable("owls hear a mouse under snow", "owl");
    }
}
