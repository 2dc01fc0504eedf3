package org.dindex.cli;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.dindex.support.Cli;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dindex index URL...}: single pages fetched and indexed by the daemon's scraper (a depth-0 scrape job), from
 * a real loopback site: an HTML page (whose link is not followed), a PDF, a 404 and a redirect to a cloud metadata
 * address, which the address policy refuses; files and URLs in one command.
 */
@Timeout(300)
class IndexUrlTest {
    static EmbeddedDaemon daemon;
    static Cli cli;
    static Vertx web;
    static String site;
    static final Queue<String> requested = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        Buffer pdf = Buffer.buffer(pdf("Annual report on the seabird colonies of the northern cliffs: puffins and"
                + " guillemots returned in record numbers."));
        web = Vertx.vertx();
        HttpServer server = web.createHttpServer().requestHandler(req -> {
            requested.add(req.path());
            switch (req.path()) {
                case "/article.html" -> req.response().putHeader("content-type", "text/html; charset=utf-8")
                        .end("<html><head><title>Lighthouse keepers</title></head><body><p>The lighthouse keepers"
                                + " trimmed the wicks and polished the great lens every night.</p>"
                                + "<a href=\"/other.html\">another page</a></body></html>");
                case "/other.html" -> req.response().putHeader("content-type", "text/html")
                        .end("<html><body><p>Never fetched: index follows no links.</p></body></html>");
                case "/report.pdf" -> req.response().putHeader("content-type", "application/pdf").end(pdf);
                case "/moved" -> req.response().setStatusCode(302)
                        .putHeader("Location", "http://169.254.169.254/latest/meta-data/").end();
                default -> req.response().setStatusCode(404).end("not found");
            }
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        site = "http://127.0.0.1:" + server.actualPort();
        daemon = EmbeddedDaemon.start(Map.of(), List.of());
        cli = new Cli(daemon.root);
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
        web.close().await(10, TimeUnit.SECONDS);
    }

    static byte[] pdf(String text) throws Exception {
        try (PDDocument doc = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
                content.beginText();
                content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 11);
                content.newLineAtOffset(50, 700);
                content.showText(text);
                content.endText();
            }
            doc.save(out);
            return out.toByteArray();
        }
    }

    static JsonObject outcome(JsonArray pages, String url) {
        return pages.stream().map(JsonObject.class::cast).filter(p -> p.getString("url").equals(url)).findFirst()
                .orElseThrow(() -> new AssertionError("no outcome for " + url + " in " + pages.encode()));
    }

    @Test
    void pagesAndFilesAreIndexedWithTheScrapersRules() throws Exception {
        Path file = Files.writeString(daemon.root.resolve("notes.txt"), "Notes on knots: the bowline makes a fixed"
                + " loop at the end of a rope.");
        Cli.Result r = cli.run("index", site + "/article.html", site + "/report.pdf", site + "/missing",
                site + "/moved", file.toString(), "--json");
        assertEquals(0, r.exit(), r.toString());
        JsonObject out = r.json();
        assertEquals(1, out.getInteger("indexed"), "the file: " + r.out());
        JsonObject urls = out.getJsonObject("urls");
        assertEquals("completed", urls.getString("state"), r.out());
        JsonArray pages = urls.getJsonArray("pages");
        assertEquals("indexed", outcome(pages, site + "/article.html").getString("status"), r.out());
        assertEquals("Lighthouse keepers", outcome(pages, site + "/article.html").getString("title"));
        assertEquals("indexed", outcome(pages, site + "/report.pdf").getString("status"), r.out());
        JsonObject missing = outcome(pages, site + "/missing");
        assertEquals("skipped", missing.getString("status"));
        assertEquals("HTTP 404", missing.getString("reason"));
        assertTrue(outcome(pages, site + "/moved").getString("reason").contains("169.254.169.254"), r.out());
        JsonObject refused = outcome(pages, "http://169.254.169.254/latest/meta-data/");
        assertEquals("skipped", refused.getString("status"));
        assertTrue(refused.getString("reason").startsWith("address not allowed"), refused.encode());
        assertFalse(requested.contains("/other.html"), "no link is followed: " + requested);

        for (String[] q : new String[][] {{"seabird colonies puffins", site + "/report.pdf"},
                {"lighthouse keepers polished the lens", site + "/article.html"},
                {"bowline knot loop", file.toString()}}) {
            Cli.Result found = cli.run("search", q[0], "--json", "--top-k", "1");
            assertEquals(0, found.exit(), found.toString());
            assertEquals(q[1], found.json().getJsonArray("results").getJsonObject(0).getString("source"), q[0]);
        }
    }

    @Test
    void aPageThatCannotBeIndexedIsAFailure() {
        Cli.Result r = cli.run("index", site + "/missing");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains("skipped " + site + "/missing: HTTP 404"), r.toString());

        Cli.Result ftp = cli.run("index", "ftp://example.org/file.txt");
        assertEquals(2, ftp.exit(), ftp.toString());
        assertTrue(ftp.err().contains("only http and https URLs can be indexed, not ftp://example.org/file.txt"),
                ftp.toString());
        Cli.Result titled = cli.run("index", site + "/article.html", "--title", "x");
        assertEquals(2, titled.exit(), titled.toString());
        assertTrue(titled.err().contains("--title and --url apply to a single file"), titled.toString());
    }
}
