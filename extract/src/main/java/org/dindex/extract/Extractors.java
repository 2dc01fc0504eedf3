package org.dindex.extract;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

import org.dindex.extract.ExtractionException.Reason;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * Entry points of extraction: turn a file, or text already in memory, into a title and blocks of normalised text.
 *
 * <p>Every way a file can fail to yield text is reported as an {@link ExtractionException} with a reason and a
 * one-line message naming the file, never as an unchecked exception, so the indexer can log it, count it and go
 * on with the next file. All methods are stateless and safe to call from many threads.
 */
public final class Extractors {
    private Extractors() {
    }

    /**
     * Extracts a file: format chosen by extension (.txt/.text -> TEXT, .md/.markdown -> MARKDOWN, .html/.htm ->
     * HTML, .pdf -> PDF); any other extension is sniffed: text (valid UTF-8, no NUL bytes, few control chars) is
     * extracted as TEXT, binary is refused with Reason.BINARY and a reason such as "binary file (contains NUL
     * bytes)". maxBytes: files larger are refused with TOO_LARGE naming size and limit. Empty or whitespace-only
     * content -> EMPTY. Invalid UTF-8 in a text/markdown/html file -> INVALID_UTF8 naming the byte offset.
     * Unreadable (permissions, missing, a folder) -> UNREADABLE.
     *
     * <p>The title falls back to the file name without its extension. HTML is decoded as UTF-8 unless the page
     * declares another charset (BOM or {@code <meta charset>}).
     *
     * @param maxBytes largest file size accepted, in bytes; must be positive
     */
    public static ExtractedDocument extract(Path file, long maxBytes) throws ExtractionException {
        Objects.requireNonNull(file, "file");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        SourceFile source = SourceFile.open(file, maxBytes);
        String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        String fallbackTitle = TextNormalizer.title(Format.baseName(fileName));
        Optional<Format> format = Format.forFileName(fileName);
        if (format.isPresent() && format.get() == Format.PDF) {
            return PdfExtractor.extract(source, fallbackTitle);
        }
        byte[] bytes = source.readAll();
        if (format.isEmpty()) {
            return fromText(source.name(), sniffText(source.name(), bytes), Format.TEXT, fallbackTitle);
        }
        return switch (format.get()) {
            case HTML -> html(source.name(), bytes, null, file.toUri().toString(), fallbackTitle);
            case TEXT, MARKDOWN -> fromText(source.name(), decodeText(source.name(), bytes), format.get(),
                    fallbackTitle);
            case PDF -> throw new IllegalStateException("PDF is extracted from the file");
        };
    }

    /**
     * Extracts already-loaded text of the given format (HTTP and import paths use this); fallbackTitle used when
     * the content has none. Messages name the document by its fallback title (or "document" without one).
     *
     * @throws ExtractionException EMPTY when there is no text, UNSUPPORTED for {@link Format#PDF}, which is
     *                             binary and can only be extracted from a file
     */
    public static ExtractedDocument fromText(String text, Format format, String fallbackTitle)
            throws ExtractionException {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(format, "format");
        String title = TextNormalizer.title(fallbackTitle);
        return fromText(title != null ? title : "document", text, format, title);
    }

    /**
     * Extracts content already in memory, such as a page fetched over HTTP, with the same rules as
     * {@link #extract(Path, long)} applies to a file of that format. Equivalent to
     * {@link #fromBytes(byte[], Format, String, String, String, Charset)} without a declared charset.
     */
    public static ExtractedDocument fromBytes(byte[] bytes, Format format, String name, String baseUri,
            String fallbackTitle) throws ExtractionException {
        return fromBytes(bytes, format, name, baseUri, fallbackTitle, null);
    }

    /**
     * Extracts content already in memory (the crawler's pages): HTML, TEXT, MARKDOWN and PDF, so that PDFs, which
     * {@link #fromText} cannot take, need not be written to a temporary file first.
     *
     * <p>Why a declared charset: on the web the encoding is often stated only in the {@code Content-Type} header,
     * which takes precedence over {@code <meta charset>} (a byte order mark still wins, as browsers do). Without one
     * (null) HTML is detected as for files and text must be UTF-8. Content declared UTF-8 is checked strictly, as
     * files are; another declared charset is decoded as declared.
     *
     * @param name            how messages name the document (a URL, say)
     * @param baseUri         base for relative links in HTML; may be null
     * @param fallbackTitle   title used when the content has none; may be null
     * @param declaredCharset charset stated outside the content, or null; ignored for PDF
     * @throws ExtractionException EMPTY for no bytes or no text, BINARY for NUL bytes in text, INVALID_UTF8,
     *                             UNREADABLE for a damaged PDF, UNSUPPORTED for UTF-16 text without a declared charset
     */
    public static ExtractedDocument fromBytes(byte[] bytes, Format format, String name, String baseUri,
            String fallbackTitle, Charset declaredCharset) throws ExtractionException {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(name, "name");
        String title = TextNormalizer.title(fallbackTitle);
        if (bytes.length == 0) {
            throw new ExtractionException(Reason.EMPTY, name + ": empty document");
        }
        boolean declaredUtf8 = declaredCharset == null || StandardCharsets.UTF_8.equals(declaredCharset);
        return switch (format) {
            case PDF -> PdfExtractor.extract(name, bytes, title);
            case HTML -> html(name, bytes, declaredUtf8 ? null : declaredCharset.name(), baseUri, title);
            case TEXT, MARKDOWN -> fromText(name, declaredUtf8 ? decodeText(name, bytes)
                    : decodeDeclared(name, bytes, declaredCharset), format, title);
        };
    }

    /** Text in a declared non-UTF-8 charset; NUL bytes are refused unless the charset is a wide one. */
    private static String decodeDeclared(String name, byte[] bytes, Charset charset) throws ExtractionException {
        String cs = charset.name().toUpperCase(Locale.ROOT);
        if (!cs.startsWith("UTF-16") && !cs.startsWith("UTF-32") && ContentSniffer.hasNul(bytes)) {
            throw new ExtractionException(Reason.BINARY, name + ": binary file (contains NUL bytes)");
        }
        return TextNormalizer.document(new String(bytes, charset));
    }

    private static ExtractedDocument fromText(String name, String text, Format format, String fallbackTitle)
            throws ExtractionException {
        if (text.isEmpty()) {
            // Files never get here empty: SourceFile refuses them as "empty file" before reading.
            throw new ExtractionException(Reason.EMPTY, name + ": empty document");
        }
        if (TextNormalizer.isBlank(text)) {
            throw new ExtractionException(Reason.EMPTY, name + ": contains only whitespace");
        }
        ExtractedDocument doc = switch (format) {
            case TEXT -> PlainTextExtractor.extract(text, fallbackTitle);
            case MARKDOWN -> MarkdownExtractor.extract(text, fallbackTitle);
            case HTML -> HtmlExtractor.extract(Jsoup.parse(text), fallbackTitle);
            case PDF -> throw new ExtractionException(Reason.UNSUPPORTED,
                    name + ": PDF content cannot be passed as text (extract the file instead)");
        };
        return requireText(name, doc);
    }

    private static ExtractedDocument requireText(String name, ExtractedDocument doc) throws ExtractionException {
        if (doc.blocks().isEmpty()) {
            throw new ExtractionException(Reason.EMPTY, name + ": no text content (only markup)");
        }
        return doc;
    }

    /**
     * The text of a file whose extension says it is text: UTF-8, else UTF-16 or Windows-1252 when the bytes are
     * clearly that ({@link LegacyText}); refuses NUL bytes and damaged UTF-8, naming the byte.
     */
    private static String decodeText(String name, byte[] bytes) throws ExtractionException {
        String wide = LegacyText.utf16(bytes);
        if (wide != null) {
            return TextNormalizer.document(wide);
        }
        if (ContentSniffer.hasNul(bytes)) {
            throw new ExtractionException(Reason.BINARY, name + ": binary file (contains NUL bytes)");
        }
        Utf8.Decoded decoded = Utf8.decode(bytes);
        if (decoded.valid()) {
            return decoded.text();
        }
        String legacy = LegacyText.windows1252(bytes);
        if (legacy == null) {
            throw invalidUtf8(name, decoded.invalidOffset());
        }
        return TextNormalizer.document(legacy);
    }

    /** The text of a file of unknown type (decoded as {@link #decodeText} does), or BINARY when it is not text. */
    private static String sniffText(String name, byte[] bytes) throws ExtractionException {
        String wide = LegacyText.utf16(bytes);
        if (wide != null) {
            return TextNormalizer.document(wide);
        }
        String binary = ContentSniffer.binaryReason(bytes);
        if (binary != null) {
            throw new ExtractionException(Reason.BINARY, name + ": " + binary);
        }
        Utf8.Decoded decoded = Utf8.decode(bytes);
        if (decoded.valid()) {
            return decoded.text();
        }
        String legacy = LegacyText.windows1252(bytes);
        if (legacy == null) {
            throw new ExtractionException(Reason.BINARY,
                    name + ": binary file (not valid UTF-8 at byte offset " + decoded.invalidOffset() + ")");
        }
        return TextNormalizer.document(legacy);
    }

    /**
     * HTML bytes: jsoup picks the charset (BOM, then the declared charsetName if not null, then
     * {@code <meta charset>}, else UTF-8); when that is UTF-8 the bytes are checked strictly, since jsoup would
     * otherwise silently replace invalid ones.
     */
    private static ExtractedDocument html(String name, byte[] bytes, String charsetName, String baseUri,
            String fallbackTitle) throws ExtractionException {
        if (!Utf8.hasUtf16Bom(bytes) && ContentSniffer.hasNul(bytes)) {
            throw new ExtractionException(Reason.BINARY, name + ": binary file (contains NUL bytes)");
        }
        Document doc;
        try {
            doc = Jsoup.parse(new ByteArrayInputStream(bytes), charsetName, baseUri == null ? "" : baseUri);
        } catch (IOException | RuntimeException e) {
            // In-memory input cannot fail to read; this is an unknown or unsupported declared charset.
            throw new ExtractionException(Reason.UNSUPPORTED, name + ": cannot decode HTML: " + e.getMessage(), e);
        }
        if (StandardCharsets.UTF_8.equals(doc.charset())) {
            Utf8.Decoded decoded = Utf8.decode(bytes);
            if (!decoded.valid()) {
                throw invalidUtf8(name, decoded.invalidOffset());
            }
            if (TextNormalizer.isBlank(decoded.text())) {
                throw new ExtractionException(Reason.EMPTY, name + ": contains only whitespace");
            }
        }
        return requireText(name, HtmlExtractor.extract(doc, fallbackTitle));
    }

    private static ExtractionException invalidUtf8(String name, long offset) {
        return new ExtractionException(Reason.INVALID_UTF8, name + ": invalid UTF-8 at byte offset " + offset);
    }
}
