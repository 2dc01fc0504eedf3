package org.dindex.support;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds small MediaWiki XML exports for tests, in the shape of a real {@code pages-articles} dump (siteinfo with
 * base and namespaces, pages with revisions), written plain, as bz2, or as a multistream bz2 (several bz2 streams back
 * to back, like Wikipedia's multistream dumps).
 */
public final class WikiDump {
    public record Page(long id, String title, int ns, String redirectTo, String timestamp, String text) {
    }

    private final List<Page> pages = new ArrayList<>();
    private long nextId = 10;

    public WikiDump article(String title, String text) {
        pages.add(new Page(nextId++, title, 0, null, "2024-03-0" + (1 + pages.size() % 9) + "T12:00:00Z", text));
        return this;
    }

    public WikiDump page(int ns, String title, String text) {
        pages.add(new Page(nextId++, title, ns, null, "2024-04-01T08:30:00Z", text));
        return this;
    }

    public WikiDump redirect(String title, String target, String text) {
        pages.add(new Page(nextId++, title, 0, target, "2024-05-01T00:00:00Z", text));
        return this;
    }

    public List<Page> pages() {
        return pages;
    }

    public static String header() {
        return """
                <mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">
                  <siteinfo>
                    <sitename>Testpedia</sitename>
                    <dbname>testwiki</dbname>
                    <base>https://test.example.org/wiki/Main_Page</base>
                    <generator>MediaWiki 1.42.0</generator>
                    <case>first-letter</case>
                    <namespaces>
                      <namespace key="0" case="first-letter" />
                      <namespace key="1" case="first-letter">Talk</namespace>
                      <namespace key="14" case="first-letter">Category</namespace>
                    </namespaces>
                  </siteinfo>
                """;
    }

    public static String footer() {
        return "</mediawiki>\n";
    }

    public static String xml(Page p) {
        StringBuilder sb = new StringBuilder("  <page>\n    <title>").append(escape(p.title())).append("</title>\n")
                .append("    <ns>").append(p.ns()).append("</ns>\n    <id>").append(p.id()).append("</id>\n");
        if (p.redirectTo() != null) {
            sb.append("    <redirect title=\"").append(escape(p.redirectTo())).append("\" />\n");
        }
        sb.append("    <revision>\n      <id>").append(p.id() * 100).append("</id>\n      <timestamp>")
                .append(p.timestamp()).append("</timestamp>\n      <model>wikitext</model>\n")
                .append("      <format>text/x-wiki</format>\n      <text bytes=\"").append(p.text().length())
                .append("\" xml:space=\"preserve\">").append(escape(p.text())).append("</text>\n")
                .append("    </revision>\n  </page>\n");
        return sb.toString();
    }

    public String xml() {
        StringBuilder sb = new StringBuilder(header());
        pages.forEach(p -> sb.append(xml(p)));
        return sb.append(footer()).toString();
    }

    public Path writePlain(Path file) throws IOException {
        return Files.writeString(file, xml());
    }

    public Path writeBz2(Path file) throws IOException {
        try (OutputStream out = new BZip2CompressorOutputStream(Files.newOutputStream(file))) {
            out.write(xml().getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    /** Header in one bz2 stream, then pages in streams of {@code perStream}, then the footer in its own stream. */
    public Path writeMultistreamBz2(Path file, int perStream) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(bz2(header()));
            for (int i = 0; i < pages.size(); i += perStream) {
                StringBuilder sb = new StringBuilder();
                pages.subList(i, Math.min(pages.size(), i + perStream)).forEach(p -> sb.append(xml(p)));
                out.write(bz2(sb.toString()));
            }
            out.write(bz2(footer()));
        }
        return file;
    }

    private static byte[] bz2(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new BZip2CompressorOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
