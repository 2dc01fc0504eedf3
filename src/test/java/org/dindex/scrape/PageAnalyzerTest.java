package org.dindex.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.dindex.extract.ExtractionException;
import org.junit.jupiter.api.Test;

/** Page analysis on real bytes: links, directives, charsets, sniffing and PDF extraction from memory. */
class PageAnalyzerTest {
    private static final String URL = "http://example.com/docs/page";

    private static PageAnalyzer.Result analyze(String contentType, byte[] body, String... xRobotsTag)
            throws PageAnalyzer.Skip {
        return PageAnalyzer.analyze(URL, contentType, body, List.of(xRobotsTag), "dindex-crawler");
    }

    @Test
    void htmlYieldsTextLinksInOrderAndTheCanonicalUrl() throws Exception {
        String html = """
                <html><head><title>Guide</title><link rel="Canonical" href="/docs/guide"></head>
                <body><nav><a href="/">Home</a> <a href="other#x">Other</a></nav>
                <main><p>Install the daemon first.</p>
                <a href="../about?b=2&amp;a=1">About</a> <a href="mailto:x@example.com">Mail</a>
                <a href="/">Home again</a> <a href="https://Other.example/x" rel="nofollow">Elsewhere</a></main>
                </body></html>""";
        PageAnalyzer.Result r = analyze("text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
        assertEquals("Guide", r.document().title());
        assertEquals("Install the daemon first.", r.document().blocks().getFirst().text());
        assertEquals(List.of("http://example.com/", "http://example.com/docs/other",
                "http://example.com/about?a=1&b=2", "https://other.example/x"), r.links());
        assertEquals("http://example.com/docs/guide", r.canonical());
        assertEquals("text/html", r.mediaType());
        assertFalse(r.noindex());
        assertFalse(r.nofollow());
        assertTrue(r.words() >= 4);
    }

    @Test
    void baseHrefChangesWhereRelativeLinksPoint() throws Exception {
        String html = "<html><head><base href=\"http://example.com/v2/\"></head><body><p>Text here.</p>"
                + "<a href=\"intro\">Intro</a></body></html>";
        assertEquals(List.of("http://example.com/v2/intro"),
                analyze("text/html", html.getBytes(StandardCharsets.UTF_8)).links());
    }

    @Test
    void robotsDirectivesFromMetaAndHeader() throws Exception {
        byte[] noindex = "<html><head><meta name=robots content=\"NOINDEX, follow\"></head><body><p>x</p><a href=/n>n</a></body></html>"
                .getBytes(StandardCharsets.UTF_8);
        PageAnalyzer.Result r = analyze("text/html", noindex);
        assertTrue(r.noindex());
        assertFalse(r.nofollow());
        assertNull(r.document(), "no extraction for a page that will not be indexed");
        assertEquals(List.of("http://example.com/n"), r.links());

        byte[] plain = "<html><body><p>Some text.</p></body></html>".getBytes(StandardCharsets.UTF_8);
        assertTrue(analyze("text/html", plain, "none").nofollow());
        assertTrue(analyze("text/html", plain, "dindex-crawler: nofollow").nofollow());
        assertFalse(analyze("text/html", plain, "otherbot: noindex, nofollow").noindex());
        assertTrue(analyze("text/html", plain, "unavailable_after: 2020-01-01", "noindex").noindex());
        assertEquals(Set.of("noindex"), PageAnalyzer.directives("noindex", "dindex-crawler"));
    }

    @Test
    void declaredCharsetIsHonoured() throws Exception {
        byte[] latin1 = "<html><body><p>Caf\u00e9 cr\u00e8me</p></body></html>".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("Caf\u00e9 cr\u00e8me",
                analyze("text/html; charset=ISO-8859-1", latin1).document().blocks().getFirst().text());
        byte[] text = "Na\u00efve text".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals("Na\u00efve text",
                analyze("text/plain; charset=\"latin1\"", text).document().blocks().getFirst().text());
        assertEquals("Na\u00efve text", analyze("text/plain", text).document().blocks().getFirst().text(),
                "undeclared Latin-1 text is recognised");
        byte[] damaged = {'c', 'a', 'f', (byte) 0xc3, (byte) 0xa9, ' ', (byte) 0xc3, '('};
        ExtractionException invalid = analyze("text/plain", damaged).extractionError();
        assertEquals(ExtractionException.Reason.INVALID_UTF8, invalid.reason());
    }

    @Test
    void unsupportedAndBinaryContentIsSkipped() {
        assertEquals("unsupported content type image/png", assertThrows(PageAnalyzer.Skip.class,
                () -> analyze("image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0})).getMessage());
        assertEquals("binary content", assertThrows(PageAnalyzer.Skip.class,
                () -> analyze("text/plain", new byte[] {'a', 0, 'b'})).getMessage());
        assertEquals("empty content", assertThrows(PageAnalyzer.Skip.class,
                () -> analyze("text/html", new byte[0])).getMessage());
        assertEquals("unsupported content type image/png", PageAnalyzer.unsupportedType("IMAGE/PNG; q=1"));
        assertNull(PageAnalyzer.unsupportedType("application/xhtml+xml"));
        assertNull(PageAnalyzer.unsupportedType(null));
    }

    @Test
    void missingContentTypeIsSniffed() throws Exception {
        assertEquals("text/html", analyze(null,
                "  <!DOCTYPE html><html><body><p>Hi there.</p></body></html>".getBytes(StandardCharsets.UTF_8))
                .mediaType());
        assertEquals("text/plain", analyze(null, "just words".getBytes(StandardCharsets.UTF_8)).mediaType());
        assertEquals("unsupported content type application/octet-stream",
                assertThrows(PageAnalyzer.Skip.class, () -> analyze("", new byte[] {1, 0, 2})).getMessage());
        byte[] pdf = CrawlerTest.pdf("Sniffed PDF", "Portable documents are recognised by their signature.");
        PageAnalyzer.Result r = analyze(null, pdf);
        assertEquals("application/pdf", r.mediaType());
        assertEquals("Sniffed PDF", r.document().title());
    }

    @Test
    void pdfBytesAreExtracted() throws Exception {
        byte[] pdf = CrawlerTest.pdf("Quarterly Crawler Report", "The crawler fetched every page politely.");
        PageAnalyzer.Result r = analyze("application/pdf", pdf);
        assertEquals("pdf", r.document().format());
        assertEquals("The crawler fetched every page politely.", r.document().fullText());
        assertEquals(List.of(), r.links());
        ExtractionException broken = analyze("application/pdf", "%PDF-1.7 garbage".getBytes(StandardCharsets.UTF_8))
                .extractionError();
        assertEquals(ExtractionException.Reason.UNREADABLE, broken.reason());
    }

    @Test
    void fallbackTitleComesFromTheUrl() {
        assertEquals("install guide", PageAnalyzer.fallbackTitle("http://h/docs/install%20guide/"));
        assertEquals("h.example", PageAnalyzer.fallbackTitle("http://h.example/"));
    }
}
