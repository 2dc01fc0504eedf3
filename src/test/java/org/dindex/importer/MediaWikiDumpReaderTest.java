package org.dindex.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaWikiDumpReaderTest {
    private static final String HEADER = """
            <mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xsi:schemaLocation="http://www.mediawiki.org/xml/export-0.11/ \
            http://www.mediawiki.org/xml/export-0.11.xsd" version="0.11" xml:lang="en">
              <siteinfo>
                <sitename>Wikipedia</sitename>
                <dbname>enwiki</dbname>
                <base>https://en.wikipedia.org/wiki/Main_Page</base>
                <generator>MediaWiki 1.43.0-wmf.1</generator>
                <case>first-letter</case>
                <namespaces>
                  <namespace key="-2" case="first-letter">Media</namespace>
                  <namespace key="0" case="first-letter" />
                  <namespace key="1" case="first-letter">Talk</namespace>
                  <namespace key="14" case="first-letter">Category</namespace>
                </namespaces>
              </siteinfo>
            """;
    private static final String ARTICLE = """
              <page>
                <title>Brno</title>
                <ns>0</ns>
                <id>10</id>
                <revision>
                  <id>1210000001</id>
                  <parentid>1200000000</parentid>
                  <timestamp>2024-03-01T12:00:00Z</timestamp>
                  <contributor>
                    <username>Example</username>
                    <id>4242</id>
                  </contributor>
                  <comment>copyedit</comment>
                  <model>wikitext</model>
                  <format>text/x-wiki</format>
                  <text bytes="97" sha1="0123456789abcdef" xml:space="preserve">'''Brno''' is a city.\
            &lt;ref&gt;{{cite web|url=https://brno.cz}}&lt;/ref&gt;
            == History ==
            Founded in 1243 &amp; more.</text>
                  <sha1>0123456789abcdef</sha1>
                </revision>
              </page>
            """;
    private static final String REDIRECT = """
              <page>
                <title>Brünn</title>
                <ns>0</ns>
                <id>11</id>
                <redirect title="Brno" />
                <revision>
                  <id>1210000002</id>
                  <timestamp>2023-01-02T03:04:05Z</timestamp>
                  <text xml:space="preserve">#REDIRECT [[Brno]]

            {{Redirect category shell|{{R from alternative language|de|cs}}}}</text>
                </revision>
              </page>
            """;
    /** A redirect without a redirect element, its leftover article text still below the redirect line. */
    private static final String LONG_REDIRECT = """
              <page>
                <title>Brunn (old)</title>
                <ns>0</ns>
                <id>12</id>
                <revision>
                  <timestamp>2022-05-06T07:08:09Z</timestamp>
                  <text xml:space="preserve">  #redirect [[Brno#History|history]]
            %s</text>
                </revision>
              </page>
            """.formatted("Old article text that nobody removed. ".repeat(500));
    private static final String TALK = """
              <page>
                <title>Talk:Brno</title>
                <ns>1</ns>
                <id>13</id>
                <restrictions>edit=sysop:move=sysop</restrictions>
                <discussionthreadinginfo>
                  <ThreadSubject>Population</ThreadSubject>
                  <ThreadPage><title>Not the title</title><id>99</id></ThreadPage>
                </discussionthreadinginfo>
                <revision>
                  <id>1210000004</id>
                  <text xml:space="preserve">Is the population figure current? ~~~~</text>
                </revision>
              </page>
              <unknownRootElement><page><title>Not a page</title><id>98</id></page></unknownRootElement>
            """;
    private static final String TWO_REVISIONS = """
              <page>
                <title>Moravia</title>
                <ns>0</ns>
                <id>14</id>
                <revision>
                  <id>1</id>
                  <timestamp>2020-01-01T00:00:00Z</timestamp>
                  <text xml:space="preserve">Old text.</text>
                </revision>
                <revision>
                  <id>2</id>
                  <parentid>1</parentid>
                  <timestamp>2023-06-15T08:30:00Z</timestamp>
                  <text xml:space="preserve">New text.</text>
                </revision>
              </page>
            """;
    private static final String FOOTER = "</mediawiki>\n";
    private static final String DUMP = HEADER + ARTICLE + REDIRECT + LONG_REDIRECT + TALK + TWO_REVISIONS + FOOTER;

    @TempDir
    Path dir;

    @Test
    void readsSiteInfoAndEveryPage() throws IOException {
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(write("dump.xml", utf8(DUMP)))) {
            SiteInfo site = reader.siteInfo();
            assertEquals("Wikipedia", site.siteName());
            assertEquals("https://en.wikipedia.org/wiki/Main_Page", site.base());
            assertEquals("https://en.wikipedia.org/wiki/", site.articlePathPrefix());
            assertEquals(Map.of(-2, "Media", 0, "", 1, "Talk", 14, "Category"), site.namespaces());
            assertEquals(0, reader.pagesRead());

            List<WikiPage> pages = readAll(reader);
            assertEquals(5, reader.pagesRead());
            assertEquals(5, pages.size());

            WikiPage article = pages.get(0);
            assertEquals(new WikiPage(10, "Brno", 0, null, Instant.parse("2024-03-01T12:00:00Z"),
                    "'''Brno''' is a city.<ref>{{cite web|url=https://brno.cz}}</ref>\n== History ==\n"
                            + "Founded in 1243 & more."), article);
            assertFalse(article.isRedirect());
            assertEquals("https://en.wikipedia.org/wiki/Brno", site.articleUrl(article.title()));

            WikiPage redirect = pages.get(1);
            assertEquals(11, redirect.pageId());
            assertEquals("Brno", redirect.redirectTarget());
            assertTrue(redirect.isRedirect());
            assertEquals(Instant.parse("2023-01-02T03:04:05Z"), redirect.revisionTimestamp());
            assertEquals("https://en.wikipedia.org/wiki/Br%C3%BCnn", site.articleUrl(redirect.title()));

            WikiPage longRedirect = pages.get(2);
            assertTrue(longRedirect.isRedirect());
            assertEquals("Brno#History", longRedirect.redirectTarget());
            assertTrue(longRedirect.wikitext().length() > 10_000);

            WikiPage talk = pages.get(3);
            assertEquals(new WikiPage(13, "Talk:Brno", 1, null, null, "Is the population figure current? ~~~~"),
                    talk);
            assertEquals("https://en.wikipedia.org/wiki/Talk:Brno", site.articleUrl(talk.title()));

            WikiPage moravia = pages.get(4);
            assertEquals(new WikiPage(14, "Moravia", 0, null, Instant.parse("2023-06-15T08:30:00Z"), "New text."),
                    moravia);

            assertNull(reader.next());
            assertEquals(5, reader.pagesRead());
        }
    }

    @Test
    void plainBzip2MultistreamBzip2AndGzipYieldTheSamePages() throws IOException {
        List<WikiPage> expected = readAll(write("dump.xml", utf8(DUMP)));
        assertEquals(5, expected.size());

        // Wikipedia's multistream layout: header, then pages in independent streams, then the footer alone.
        byte[] multistream = concat(bzip2(HEADER + ARTICLE + REDIRECT), bzip2(LONG_REDIRECT + TALK),
                bzip2(TWO_REVISIONS), bzip2(FOOTER));
        byte[] gzipMembers = concat(gzip(HEADER + ARTICLE), gzip(REDIRECT + LONG_REDIRECT + TALK + TWO_REVISIONS),
                gzip(FOOTER));

        assertEquals(expected, readAll(write("dump.xml.bz2", bzip2(DUMP))));
        assertEquals(expected, readAll(write("dump-multistream.xml.bz2", multistream)));
        assertEquals(expected, readAll(write("dump.xml.gz", gzip(DUMP))));
        assertEquals(expected, readAll(write("dump-members.xml.gz", gzipMembers)));
    }

    @Test
    void compressionIsDetectedByContentNotByName() throws IOException {
        List<WikiPage> expected = readAll(write("dump.xml", utf8(DUMP)));
        assertEquals(expected, readAll(write("renamed-bz2.xml", bzip2(DUMP))));
        assertEquals(expected, readAll(write("renamed-gz.txt", gzip(DUMP))));
        assertEquals(expected, readAll(write("plain.xml.bz2", utf8(DUMP))));
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(new ByteArrayInputStream(bzip2(DUMP)))) {
            assertEquals(expected, readAll(reader));
        }
    }

    @Test
    void brokenXmlReturnsEarlierPagesThenFailsWithPosition() throws IOException {
        String broken = HEADER + ARTICLE + REDIRECT + """
                  <page>
                    <title>Third</titel>
                    <ns>0</ns>
                  </page>
                """ + TWO_REVISIONS + FOOTER;
        long badLine = broken.lines().takeWhile(line -> !line.contains("</titel>")).count() + 1;

        for (byte[] bytes : List.of(utf8(broken), bzip2(broken))) {
            try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(new ByteArrayInputStream(bytes))) {
                assertEquals("Brno", reader.next().title());
                assertEquals("Brünn", reader.next().title());
                DumpFormatException e = assertThrows(DumpFormatException.class, reader::next);
                assertEquals(badLine, e.line());
                assertTrue(e.column() > 0, "column " + e.column());
                assertTrue(e.getMessage().startsWith("broken XML at line " + badLine + ", column " + e.column()
                        + ": "), e.getMessage());
                assertTrue(e.getMessage().contains("title"), e.getMessage());
                assertFalse(e.getMessage().contains("ParseError"), e.getMessage());
                assertEquals(2, reader.pagesRead());
                assertSame(e, assertThrows(DumpFormatException.class, reader::next), "the failure repeats");
            }
        }
    }

    @Test
    void truncatedDumpsFailWithAFormatErrorInsteadOfHanging() throws IOException {
        StringBuilder big = new StringBuilder(HEADER);
        for (int i = 0; big.length() < 3_000_000; i++) {
            big.append(TWO_REVISIONS.replace("<id>14</id>", "<id>" + (100 + i) + "</id>")
                    .replace("New text.", "Text number " + i * 7919L % 100_003 + "."));
        }
        String dump = big.append(FOOTER).toString();
        for (byte[] whole : List.of(bzip2(dump), gzip(dump), utf8(dump))) {
            byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
            List<WikiPage> pages = new ArrayList<>();
            DumpFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThrows(
                    DumpFormatException.class, () -> readInto(truncated, pages)));
            assertTrue(pages.size() > 1000, "pages before the cut: " + pages.size());
            assertTrue(e.line() > 1000, e.getMessage());
        }
        // Cut inside the first bzip2 block: the decoder fails while the dump is being opened.
        byte[] stub = bzip2(DUMP);
        DumpFormatException e = assertThrows(DumpFormatException.class,
                () -> MediaWikiDumpReader.open(new ByteArrayInputStream(Arrays.copyOf(stub, stub.length / 2))));
        assertTrue(e.getMessage().startsWith("cannot read the bzip2 data"), e.getMessage());
    }

    @Test
    void skipPageAndPagesReadSupportResuming() throws IOException {
        Path file = write("dump.xml.bz2", bzip2(DUMP));
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(file)) {
            assertEquals(3, reader.skipPages(3));
            assertEquals(3, reader.pagesRead());
            assertEquals("Talk:Brno", reader.next().title());
            assertEquals(4, reader.pagesRead());
            assertTrue(reader.skipPage());
            assertFalse(reader.skipPage());
            assertNull(reader.next());
            assertEquals(5, reader.pagesRead());
        }
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(file)) {
            assertEquals(5, reader.skipPages(100));
            assertNull(reader.next());
        }
    }

    @Test
    void millionsOfEntitiesAreNotMistakenForAnEntityExpansionAttack() throws IOException {
        // The JDK's default limits stop after 100,000 entity characters; every real dump has far more.
        String text = "&lt;ref&gt;x&lt;/ref&gt; &amp; ".repeat(40_000);
        String dump = HEADER + ARTICLE.replace("Founded in 1243 &amp; more.", text) + FOOTER;
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(new ByteArrayInputStream(utf8(dump)))) {
            assertTrue(reader.next().wikitext().endsWith("<ref>x</ref> & "));
        }
    }

    @Test
    void externalEntitiesAreNeverResolved() throws IOException {
        Path secret = write("secret.txt", utf8("TOP-SECRET"));
        String dump = "<?xml version=\"1.0\"?>\n<!DOCTYPE mediawiki [ <!ENTITY xxe SYSTEM \"" + secret.toUri()
                + "\"> ]>\n<mediawiki><page><title>X</title><ns>0</ns><id>1</id><revision><text>&xxe;</text>"
                + "</revision></page></mediawiki>";
        IOException e = assertThrows(IOException.class,
                () -> readAll(MediaWikiDumpReader.open(new ByteArrayInputStream(utf8(dump)))));
        assertFalse(e.getMessage().contains("TOP-SECRET"));
    }

    @Test
    void oldExportsWithoutNamespaceUriNsOrRedirectTitleStillRead() throws IOException {
        String dump = """
                <mediawiki version="0.4">
                  <siteinfo>
                    <sitename>Wiktionary</sitename>
                    <namespaces><namespace key="1">Talk</namespace></namespaces>
                  </siteinfo>
                  <page>
                    <title>Talk:Word</title>
                    <id>5</id>
                    <revision><timestamp>not a date</timestamp><text>Hi</text></revision>
                  </page>
                  <page>
                    <title>Wrod</title>
                    <id>6</id>
                    <redirect />
                    <revision><text>#REDIRECT [[Word]]</text></revision>
                  </page>
                </mediawiki>
                """;
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(new ByteArrayInputStream(utf8(dump)))) {
            assertNull(reader.siteInfo().articleUrl("Word"), "no base, no URL");
            assertEquals(new WikiPage(5, "Talk:Word", 1, null, null, "Hi"), reader.next());
            assertEquals("Word", reader.next().redirectTarget());
            assertNull(reader.next());
        }
    }

    @Test
    void dumpWithoutSiteInfoOrPages() throws IOException {
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(new ByteArrayInputStream(utf8("<mediawiki/>")))) {
            assertEquals(SiteInfo.empty(), reader.siteInfo());
            assertNull(reader.next());
            assertEquals(0, reader.pagesRead());
        }
    }

    @Test
    void pageWithoutIdIsAFormatError() throws IOException {
        String dump = HEADER + ARTICLE + "<page><title>No id</title><ns>0</ns></page>" + FOOTER;
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(new ByteArrayInputStream(utf8(dump)))) {
            assertEquals("Brno", reader.next().title());
            DumpFormatException e = assertThrows(DumpFormatException.class, reader::next);
            assertTrue(e.getMessage().contains("<page> without <id>"), e.getMessage());
            assertTrue(e.line() > 1);
        }
    }

    @Test
    void articleUrlsArePercentEncodedPaths() {
        SiteInfo site = SiteInfo.of("Wikipedia", "https://en.wikipedia.org/wiki/Main_Page", Map.of());
        assertEquals("https://en.wikipedia.org/wiki/AC/DC", site.articleUrl("AC/DC"));
        assertEquals("https://en.wikipedia.org/wiki/Thirty_Years%27_War", site.articleUrl("Thirty Years' War"));
        assertEquals("https://en.wikipedia.org/wiki/C%2B%2B", site.articleUrl("C++"));
        assertEquals("https://en.wikipedia.org/wiki/What%3F_(film)", site.articleUrl("What? (film)"));
        assertEquals("https://en.wikipedia.org/wiki/100%25_Love", site.articleUrl("100% Love"));
        assertEquals("https://en.wikipedia.org/wiki/Hash%23tag", site.articleUrl("Hash#tag"));
        assertEquals("https://en.wikipedia.org/wiki/Paris,_Texas", site.articleUrl("Paris, Texas"));
        assertEquals("https://en.wikipedia.org/wiki/AT%26T", site.articleUrl("AT&T"));
        assertEquals("https://en.wikipedia.org/wiki/%E6%9D%B1%E4%BA%AC", site.articleUrl("東京"));

        SiteInfo script = SiteInfo.of("Wiki", "https://wiki.example.org/index.php?title=Main_Page", Map.of());
        assertEquals("https://wiki.example.org/index.php?title=Help:Contents", script.articleUrl("Help:Contents"));
        assertNull(SiteInfo.of("Wiki", null, Map.of()).articleUrl("Anything"));
        assertNull(SiteInfo.of("Wiki", "not a url", Map.of()).articleUrl("Anything"));
    }

    @Test
    void redirectTextIsRecognisedOnlyAtTheStart() {
        assertEquals("Foo", WikiPage.redirectTargetOf("#REDIRECT [[Foo]]"));
        assertEquals("Foo bar", WikiPage.redirectTargetOf("\n  #redirect:[[Foo_bar|label]] {{R from move}}"));
        assertEquals("Foo", WikiPage.redirectTargetOf("#Redirect[[Foo]]\n" + "Long leftover text. ".repeat(1000)));
        assertNull(WikiPage.redirectTargetOf("See #REDIRECT [[Foo]]"));
        assertNull(WikiPage.redirectTargetOf("#REDIRECTION [[Foo]]"));
        assertNull(WikiPage.redirectTargetOf("#REDIRECT nothing"));
        assertNull(WikiPage.redirectTargetOf(null));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static List<WikiPage> readAll(Path file) throws IOException {
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(file)) {
            return readAll(reader);
        }
    }

    private static void readInto(byte[] dump, List<WikiPage> pages) throws IOException {
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(new ByteArrayInputStream(dump))) {
            for (WikiPage page = reader.next(); page != null; page = reader.next()) {
                pages.add(page);
            }
        }
    }

    private static List<WikiPage> readAll(MediaWikiDumpReader reader) throws IOException {
        List<WikiPage> pages = new ArrayList<>();
        for (WikiPage page = reader.next(); page != null; page = reader.next()) {
            pages.add(page);
        }
        return pages;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bzip2(String s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new BZip2CompressorOutputStream(bytes)) {
            out.write(utf8(s));
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(String s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(utf8(s));
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
