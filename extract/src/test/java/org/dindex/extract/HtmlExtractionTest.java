package org.dindex.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.dindex.extract.ExtractionException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlExtractionTest {
    @TempDir
    Path dir;

    private static final String PAGE = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <title>  Tuning   the Index | dindex docs </title>
              <style>body { font-family: sans-serif; }</style>
              <script>var tracking = "SCRIPT-TEXT";</script>
            </head>
            <body>
              <header><a href="/">SITE-BANNER</a></header>
              <nav><ul><li><a href="/">NAV-HOME</a></li><li><a href="/docs">NAV-DOCS</a></li></ul></nav>
              <div role="navigation">ROLE-NAV</div>
              <main>
                <h1>Tuning the Index</h1>
                <p>The index trades memory   for speed.
                   Most folders need <em>no</em> tuning&nbsp;at all.</p>
                <h2>Memory</h2>
                <p>Vectors are kept on disk<br>and mapped on demand.</p>
                <ul>
                  <li>Small folders: defaults.</li>
                  <li>Large folders: raise <code>cache.size</code>.</li>
                </ul>
                <h3>Cache sizes</h3>
                <table>
                  <tr><th>Folder size</th><th>Cache</th></tr>
                  <tr><td>10k files</td><td>64 MiB</td></tr>
                </table>
                <h2>Threads</h2>
                <pre>workers: 2
              queue: 64</pre>
                <noscript>NOSCRIPT-TEXT</noscript>
                <form><label>FORM-TEXT</label><input name="q"></form>
                <script>document.write("INLINE-SCRIPT")</script>
              </main>
              <aside>ASIDE-TEXT</aside>
              <footer>FOOTER-TEXT &copy; 2024</footer>
            </body>
            </html>
            """;

    @Test
    void mainContentBecomesBlocksUnderHeadingsAndBoilerplateIsGone() throws Exception {
        Path file = dir.resolve("tuning.html");
        Files.writeString(file, PAGE);

        ExtractedDocument doc = Extractors.extract(file, 1_000_000);

        assertEquals("Tuning the Index | dindex docs", doc.title());
        assertEquals("html", doc.format());
        List<String> top = List.of("Tuning the Index");
        List<String> memory = List.of("Tuning the Index", "Memory");
        assertEquals(List.of(
                new Block(top, "The index trades memory for speed. Most folders need no tuning at all."),
                new Block(memory, "Vectors are kept on disk\nand mapped on demand."),
                new Block(memory, "Small folders: defaults."),
                new Block(memory, "Large folders: raise cache.size."),
                new Block(List.of("Tuning the Index", "Memory", "Cache sizes"),
                        "Folder size | Cache\n10k files | 64 MiB"),
                new Block(List.of("Tuning the Index", "Threads"), "workers: 2\n  queue: 64")), doc.blocks());
        for (String boilerplate : List.of("SCRIPT", "SITE-BANNER", "NAV-", "ROLE-NAV", "NOSCRIPT", "FORM-TEXT",
                "ASIDE-TEXT", "FOOTER-TEXT", "font-family")) {
            assertFalse(doc.fullText().contains(boilerplate), boilerplate + " leaked into " + doc.fullText());
        }
    }

    @Test
    void withoutMainTheBodyIsUsedAndTitleFallsBackToTheFirstH1() throws Exception {
        ExtractedDocument doc = Extractors.fromText("""
                <html><body>
                <nav>Menu</nav>
                <h1>Release  2.0</h1>
                <p>Faster.</p>
                <div>Loose <span>div</span> text</div>
                <footer>Footer</footer>
                </body></html>
                """, Format.HTML, "fallback");

        assertEquals("Release 2.0", doc.title());
        assertEquals(List.of(new Block(List.of("Release 2.0"), "Faster."),
                new Block(List.of("Release 2.0"), "Loose div text")), doc.blocks());
    }

    @Test
    void articlesAreUsedWhenThereIsNoMainAndTheirOwnHeaderIsKept() throws Exception {
        ExtractedDocument doc = Extractors.fromText("""
                <body>
                <header>Blog name</header>
                <div class="sidebar">Sidebar text</div>
                <article><header><h1>First post</h1></header><p>One.</p><footer>Tags: a</footer></article>
                <article><h1>Second post</h1><p>Two.</p></article>
                </body>
                """, Format.HTML, "blog");

        assertEquals("First post", doc.title());
        assertEquals(List.of(new Block(List.of("First post"), "One."),
                new Block(List.of("First post"), "Tags: a"),
                new Block(List.of("Second post"), "Two.")), doc.blocks());
    }

    @Test
    void titleFallsBackToTheCallersTitleWhenThePageHasNone() throws Exception {
        Path file = dir.resolve("fragment.htm");
        Files.writeString(file, "<p>Just a fragment.</p>");

        ExtractedDocument doc = Extractors.extract(file, 1000);

        assertEquals("fragment", doc.title());
        assertEquals(List.of(new Block(List.of(), "Just a fragment.")), doc.blocks());
    }

    @Test
    void layoutTablesAreWalkedCellByCell() throws Exception {
        ExtractedDocument doc = Extractors.fromText("""
                <table><tr><td><h2>Left</h2><p>Left text.</p></td>
                <td><table><tr><td>Inner cell</td></tr></table></td></tr></table>
                """, Format.HTML, null);

        assertEquals(List.of(new Block(List.of("Left"), "Left text."), new Block(List.of("Left"), "Inner cell")),
                doc.blocks());
    }

    @Test
    void permalinkAnchorsAreNotPartOfSectionNames() throws Exception {
        ExtractedDocument doc = Extractors.fromText("""
                <h1>Guide<a class="headerlink" href="#guide">\u00B6</a></h1>
                <h2 id="setup">Setup <a href="#setup" aria-label="link"></a></h2>
                <p>Install.</p>
                <h2>See <a href="#other">other section</a></h2>
                <p>Body.</p>
                """, Format.HTML, null);

        assertEquals("Guide", doc.title());
        assertEquals(List.of(new Block(List.of("Guide", "Setup"), "Install."),
                new Block(List.of("Guide", "See other section"), "Body.")), doc.blocks());
    }

    @Test
    void declaredCharsetIsHonoured() throws Exception {
        Path file = dir.resolve("legacy.html");
        String html = "<html><head><meta charset=\"windows-1252\"><title>Caf\u00E9</title></head>"
                + "<body><p>Cr\u00E8me br\u00FBl\u00E9e \u20AC5</p></body></html>";
        Files.write(file, html.getBytes(Charset.forName("windows-1252")));

        ExtractedDocument doc = Extractors.extract(file, 1000);

        assertEquals("Caf\u00E9", doc.title());
        assertEquals("Cr\u00E8me br\u00FBl\u00E9e \u20AC5", doc.fullText());
    }

    @Test
    void invalidUtf8InAnUndeclaredPageIsRefusedWithItsOffset() throws Exception {
        Path file = dir.resolve("broken.html");
        byte[] bytes = "<p>caf\u00E9</p>".getBytes(StandardCharsets.ISO_8859_1); // 0xE9 alone at offset 6
        Files.write(file, bytes);

        ExtractionException e = assertThrows(ExtractionException.class, () -> Extractors.extract(file, 1000));

        assertEquals(Reason.INVALID_UTF8, e.reason());
        assertEquals(file + ": invalid UTF-8 at byte offset 6", e.getMessage());
    }

    @Test
    void pageWithOnlyBoilerplateIsEmpty() {
        ExtractionException e = assertThrows(ExtractionException.class, () -> Extractors.fromText(
                "<html><body><nav>Home</nav><script>x()</script></body></html>", Format.HTML, "menu"));

        assertEquals(Reason.EMPTY, e.reason());
        assertEquals("menu: no text content (only markup)", e.getMessage());
    }
}
