package org.dindex.importer;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Streams the pages of a MediaWiki XML export ({@code pages-articles.xml[.bz2|.gz]}), one page at a time.
 *
 * <p>Dumps run to tens of gigabytes, so nothing is ever held beyond the current page: a StAX cursor walks the
 * file, unknown elements are skipped whatever they contain, and element names are matched by local name so every
 * export schema version (with or without its namespace URI) reads alike. Only the last {@code <revision>} of a
 * page counts: full-history dumps list revisions oldest first.
 *
 * <p>Compression is recognised by magic bytes, not by the file name, because downloads get renamed. bzip2 is read
 * with concatenated streams enabled: Wikipedia's "multistream" dumps are many bzip2 streams back to back, and a
 * plain reader would stop silently after the first hundred pages.
 *
 * <p>Nothing a hostile file holds can take the heap: text is read in the parser's chunks (never coalesced), a page
 * whose title or text exceeds {@link #MAX_TITLE_CHARS} or {@link #MAX_TEXT_CHARS} comes back marked
 * {@link WikiPage#oversized()} with what went over dropped as it was read, and markup (tags with their attributes,
 * comments) is bounded by {@link MarkupLimit} in front of the parser, which itself has no such limit.
 *
 * <p>{@link #pagesRead()} counts every {@code <page>} consumed, redirects and other namespaces included, so it can
 * serve as a checkpoint: a resumed import opens the dump again and calls {@link #skipPages(long)}. Not thread-safe.
 */
public final class MediaWikiDumpReader implements Closeable {
    private static final int BUFFER = 1 << 16;
    /** MediaWiki titles are at most 255 bytes; anything far longer is not a real title. */
    public static final int MAX_TITLE_CHARS = 1024;
    /** Far above the largest real articles (a few MB of wikitext); a page's text beyond it is not kept. */
    public static final int MAX_TEXT_CHARS = 16 * 1024 * 1024;
    /** Other elements (ids, timestamps, site names) are short; longer ones make the dump invalid. */
    private static final int MAX_FIELD_CHARS = 4096;

    private final InputStream in;
    private final XMLStreamReader xml;
    private SiteInfo siteInfo = SiteInfo.empty();
    private Map<String, Integer> namespaceKeys = Map.of();
    /** True when the cursor sits on a {@code <page>} start tag that no call has consumed yet. */
    private boolean atPage;
    /** True once the root element (or the document) has ended. */
    private boolean ended;
    private long pagesRead;
    /** The error that broke the stream; repeated on every later call since the cursor cannot recover. */
    private IOException failure;

    private MediaWikiDumpReader(InputStream in) throws IOException {
        this.in = in;
        try {
            this.xml = newFactory().createXMLStreamReader(in);
            readHeader();
        } catch (XMLStreamException e) {
            throw broken(e);
        }
    }

    /** Opens a dump file, plain or compressed with bzip2 or gzip, and reads its header up to the first page. */
    public static MediaWikiDumpReader open(Path file) throws IOException {
        return open(Files.newInputStream(file));
    }

    /**
     * Reads a dump from a stream, plain or compressed, and reads its header up to the first page. The reader owns
     * the stream from now on: {@link #close()} closes it, and so does a failure here.
     */
    public static MediaWikiDumpReader open(InputStream raw) throws IOException {
        InputStream in = raw;
        try {
            in = decompressed(raw);
            return new MediaWikiDumpReader(in);
        } catch (IOException | RuntimeException e) {
            try {
                in.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        in.mark(3);
        byte[] magic = in.readNBytes(3);
        in.reset();
        boolean bzip2 = magic.length == 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h';
        boolean gzip = magic.length >= 2 && (magic[0] & 0xFF) == 0x1F && (magic[1] & 0xFF) == 0x8B;
        try {
            if (bzip2) {
                return new MarkupLimit(new BufferedInputStream(new BZip2CompressorInputStream(in, true), BUFFER));
            }
            return new MarkupLimit(gzip ? new GZIPInputStream(in, BUFFER) : in);
        } catch (IOException e) {
            // Both decoders read ahead when created, so a file cut short inside its first block fails right here.
            throw new DumpFormatException(-1, -1, "cannot read the " + (bzip2 ? "bzip2" : "gzip")
                    + " data (truncated or corrupt file?): " + e.getMessage(), e);
        }
    }

    /**
     * The JDK's own StAX parser (never a provider found on the class path), locked down: no DTDs and no external
     * entities, so a hostile file cannot read local files or expand entities without bound. With DTDs off, the
     * JDK's entity size limits only count the predefined entities ({@code &lt;}, {@code &amp;} ...), which a dump
     * uses millions of times; they are lifted, or any real dump would fail after its first hundred kilobytes.
     */
    private static XMLInputFactory newFactory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        // Text in chunks of the parser's buffer, never one string of whatever length the file holds.
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        for (String limit : new String[] {"jdk.xml.totalEntitySizeLimit", "jdk.xml.maxGeneralEntitySizeLimit",
                "jdk.xml.entityReplacementLimit"}) {
            factory.setProperty(limit, "0");
        }
        return factory;
    }

    /** The dump's {@code <siteinfo>}, or {@link SiteInfo#empty()} when it has none. */
    public SiteInfo siteInfo() {
        return siteInfo;
    }

    /** How many {@code <page>} elements were consumed so far by {@link #next()} and the skip methods. */
    public long pagesRead() {
        return pagesRead;
    }

    /** The next page, or null at the end of the dump. */
    public WikiPage next() throws IOException {
        checkUsable();
        try {
            if (!advanceToPage()) {
                return null;
            }
            WikiPage page = readPage();
            pagesRead++;
            return page;
        } catch (XMLStreamException e) {
            throw fail(broken(e));
        } catch (DumpFormatException e) {
            throw fail(e);
        }
    }

    /**
     * Moves past the next page without building it (its text is never kept) and counts it in
     * {@link #pagesRead()}. Returns false at the end of the dump.
     */
    public boolean skipPage() throws IOException {
        checkUsable();
        try {
            if (!advanceToPage()) {
                return false;
            }
            skipElement();
            pagesRead++;
            return true;
        } catch (XMLStreamException e) {
            throw fail(broken(e));
        }
    }

    /** Skips up to {@code pages} pages (see {@link #skipPage()}); returns how many there were. */
    public long skipPages(long pages) throws IOException {
        long skipped = 0;
        while (skipped < pages && skipPage()) {
            skipped++;
        }
        return skipped;
    }

    @Override
    public void close() throws IOException {
        try {
            xml.close();
        } catch (XMLStreamException e) {
            // Only releases parser buffers; the stream below is what matters and is closed next.
        } finally {
            in.close();
        }
    }

    private void checkUsable() throws IOException {
        if (failure != null) {
            throw failure;
        }
    }

    private IOException fail(IOException e) {
        failure = e;
        return e;
    }

    /** Reads everything before the first page: the root start tag and {@code <siteinfo>}. */
    private void readHeader() throws XMLStreamException, DumpFormatException {
        boolean root = false;
        while (!root && xml.hasNext()) {
            root = xml.next() == XMLStreamConstants.START_ELEMENT; // Passes over the prolog: comments, whitespace.
        }
        ended = !root;
        while (nextRootChild()) {
            switch (xml.getLocalName()) {
                case "siteinfo" -> readSiteInfo();
                case "page" -> {
                    atPage = true;
                    return;
                }
                default -> skipElement();
            }
        }
    }

    private void readSiteInfo() throws XMLStreamException {
        String name = null;
        String base = null;
        Map<Integer, String> namespaces = new HashMap<>();
        while (nextChild()) {
            switch (xml.getLocalName()) {
                case "sitename" -> name = field("sitename").strip();
                case "base" -> base = field("base").strip();
                case "namespaces" -> {
                    while (nextChild()) {
                        Integer key = parseIntOrNull(xml.getAttributeValue(null, "key"));
                        String text = field("namespace").strip();
                        if (key != null) {
                            namespaces.put(key, text);
                        }
                    }
                }
                default -> skipElement();
            }
        }
        siteInfo = SiteInfo.of(name, base, namespaces);
        Map<String, Integer> keys = new HashMap<>();
        namespaces.forEach((key, text) -> keys.put(text.toLowerCase(Locale.ROOT), key));
        namespaceKeys = keys;
    }

    private WikiPage readPage() throws XMLStreamException, DumpFormatException {
        String title = null;
        Integer namespace = null;
        Long id = null;
        String redirectTitle = null;
        boolean redirect = false;
        Instant timestamp = null;
        String text = null;
        String oversized = null;
        while (nextChild()) {
            switch (xml.getLocalName()) {
                case "title" -> {
                    title = boundedText(MAX_TITLE_CHARS);
                    if (title == null) {
                        oversized = "title over " + MAX_TITLE_CHARS + " characters";
                        title = "";
                    }
                    title = title.strip();
                }
                case "ns" -> namespace = (int) number("ns");
                case "id" -> id = number("id");
                case "redirect" -> {
                    redirect = true;
                    redirectTitle = xml.getAttributeValue(null, "title");
                    skipElement();
                }
                case "revision" -> {
                    // Later revisions replace earlier ones: history dumps list them oldest first.
                    timestamp = null;
                    text = null;
                    while (nextChild()) {
                        switch (xml.getLocalName()) {
                            case "timestamp" -> timestamp = instantOrNull(field("timestamp"));
                            case "text" -> {
                                text = boundedText(MAX_TEXT_CHARS);
                                if (text == null && oversized == null) {
                                    oversized = "text over " + MAX_TEXT_CHARS / (1024 * 1024) + " Mi characters";
                                }
                            }
                            default -> skipElement();
                        }
                    }
                }
                default -> skipElement();
            }
        }
        if (title == null || (title.isEmpty() && oversized == null) || id == null) {
            throw invalid("<page> without " + (id == null ? "<id>" : "<title>"));
        }
        if (oversized != null) {
            return new WikiPage(id, title.isEmpty() ? "(page " + id + ")" : title, namespace != null ? namespace : 0,
                    null, timestamp, "", oversized);
        }
        String target = redirectTitle != null && !redirectTitle.isBlank()
                ? redirectTitle.strip() : WikiPage.redirectTargetOf(text);
        if (target == null && redirect) {
            target = ""; // Old exports mark redirects with an empty <redirect/> and a text we could not parse.
        }
        return new WikiPage(id, title, namespace != null ? namespace : namespaceOf(title), target, timestamp, text);
    }

    /** The namespace of a title by its prefix, for old exports without {@code <ns>}. */
    private int namespaceOf(String title) {
        int colon = title.indexOf(':');
        if (colon <= 0) {
            return 0;
        }
        return namespaceKeys.getOrDefault(title.substring(0, colon).strip().toLowerCase(Locale.ROOT), 0);
    }

    /** Moves to the next child element of the root; false (for good) once the root has ended. */
    private boolean nextRootChild() throws XMLStreamException {
        if (ended) {
            return false;
        }
        if (!nextChild()) {
            ended = true;
            return false;
        }
        return true;
    }

    /**
     * Moves to the next child element of the current element: true on its start tag, false on the parent's end
     * tag (or the end of the document). Text and comments between elements are passed over.
     */
    private boolean nextChild() throws XMLStreamException {
        while (xml.hasNext()) {
            switch (xml.next()) {
                case XMLStreamConstants.START_ELEMENT -> {
                    return true;
                }
                case XMLStreamConstants.END_ELEMENT, XMLStreamConstants.END_DOCUMENT -> {
                    return false;
                }
                default -> {
                    // Whitespace, comments, processing instructions.
                }
            }
        }
        return false;
    }

    /** From a start tag, moves to its matching end tag without looking at anything inside. */
    private void skipElement() throws XMLStreamException {
        int depth = 1;
        while (depth > 0) {
            int event = xml.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
    }

    private boolean advanceToPage() throws XMLStreamException {
        if (atPage) {
            atPage = false;
            return true;
        }
        while (nextRootChild()) {
            if (xml.getLocalName().equals("page")) {
                return true;
            }
            skipElement();
        }
        return false;
    }

    /**
     * The text of the current element (from its start tag to its end tag), or null when it holds more than
     * {@code limit} characters; then the rest is read and dropped, never held. Comments inside are passed over.
     */
    private String boundedText(int limit) throws XMLStreamException {
        StringBuilder text = new StringBuilder();
        boolean over = false;
        while (true) {
            switch (xml.next()) {
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE,
                     XMLStreamConstants.ENTITY_REFERENCE -> {
                    int length = xml.getTextLength();
                    if (!over && text.length() + length > limit) {
                        over = true;
                        text = null;
                    } else if (!over) {
                        text.append(xml.getTextCharacters(), xml.getTextStart(), length);
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    return over ? null : text.toString();
                }
                case XMLStreamConstants.START_ELEMENT -> throw new XMLStreamException(
                        "element <" + xml.getLocalName() + "> inside a text-only element", xml.getLocation());
                case XMLStreamConstants.END_DOCUMENT -> throw new XMLStreamException(
                        "the document ended inside an element", xml.getLocation());
                default -> {
                    // Comments and processing instructions inside text.
                }
            }
        }
    }

    /** A short field's text; longer than {@link #MAX_FIELD_CHARS} makes the dump invalid. */
    private String field(String element) throws XMLStreamException {
        String text = boundedText(MAX_FIELD_CHARS);
        if (text == null) {
            throw new XMLStreamException("<" + element + "> is longer than " + MAX_FIELD_CHARS + " characters",
                    xml.getLocation());
        }
        return text;
    }

    private long number(String element) throws XMLStreamException, DumpFormatException {
        String text = field(element).strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw invalid("<" + element + "> is not a number: \"" + text + "\"");
        }
    }

    private static Integer parseIntOrNull(String s) {
        try {
            return s == null ? null : Integer.valueOf(s.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A malformed timestamp loses only the timestamp, not the page: it is metadata, not content. */
    private static Instant instantOrNull(String s) {
        try {
            return Instant.parse(s.strip());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private DumpFormatException invalid(String detail) {
        Location at = xml.getLocation();
        return new DumpFormatException(at.getLineNumber(), at.getColumnNumber(),
                "invalid dump at line " + at.getLineNumber() + ", column " + at.getColumnNumber() + ": " + detail,
                null);
    }

    /**
     * The parser's error as a {@link DumpFormatException} with its position. The JDK puts the position into the
     * message too ("ParseError at [row,col]:[12,5]\nMessage: ..."); only the part after "Message: " is kept. An
     * error of the stream below (a truncated bzip2 block) arrives wrapped the same way and is told apart.
     */
    private DumpFormatException broken(XMLStreamException e) {
        Location at = e.getLocation() != null ? e.getLocation() : xml == null ? null : xml.getLocation();
        long line = at == null ? -1 : at.getLineNumber();
        long column = at == null ? -1 : at.getColumnNumber();
        String where = " at line " + line + ", column " + column;
        if (e.getNestedException() instanceof DumpFormatException limit) {
            return limit;  // MarkupLimit refused what the parser was reading
        }
        if (e.getNestedException() instanceof IOException io) {
            return new DumpFormatException(line, column,
                    "cannot read the dump" + where + " (truncated or corrupt file?): " + io.getMessage(), e);
        }
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int message = detail.indexOf("Message: ");
        if (message >= 0) {
            detail = detail.substring(message + "Message: ".length());
        }
        return new DumpFormatException(line, column, "broken XML" + where + ": " + detail.strip(), e);
    }
}
