package org.dindex.extract;

import java.io.IOException;
import java.util.regex.Pattern;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;
import org.dindex.extract.ExtractionException.Reason;

/**
 * PDF via pdfbox: the text layer of each page, split into paragraph blocks (PDFs have no reliable headings, so
 * blocks carry no section).
 *
 * <p>Why page by page: a paragraph is never assumed to run across a page break (page headers and footers sit
 * between), and only one page of text is held at a time besides the blocks. Lines inside a paragraph are joined
 * with spaces because PDF line breaks are layout, not meaning.
 */
final class PdfExtractor {
    /** Written by the stripper before each paragraph it detects (from line spacing and indentation). */
    private static final String PARAGRAPH_START = "\n\n";
    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n[\\t\\x0B\\f\\p{Zs}]*\\n[\\s\\p{Zs}]*");

    private static final Pattern OFFICE_PREFIX = Pattern.compile("^Microsoft (?:Word|PowerPoint|Excel) - ");

    private PdfExtractor() {
    }

    /** Opens the PDF; the file and in-memory variants differ only here. */
    private interface PdfSource {
        PDDocument load() throws IOException;
    }

    static ExtractedDocument extract(SourceFile file, String fallbackTitle) throws ExtractionException {
        return extract(file.name(), () -> Loader.loadPDF(file.path().toFile()), fallbackTitle);
    }

    /**
     * A PDF already in memory (a web page fetched by the crawler); name is only used in messages.
     */
    static ExtractedDocument extract(String name, byte[] bytes, String fallbackTitle) throws ExtractionException {
        return extract(name, () -> Loader.loadPDF(bytes), fallbackTitle);
    }

    private static ExtractedDocument extract(String name, PdfSource source, String fallbackTitle)
            throws ExtractionException {
        PDDocument doc;
        try {
            doc = source.load();
        } catch (InvalidPasswordException e) {
            throw new ExtractionException(Reason.UNREADABLE,
                    name + ": cannot open PDF: encrypted (" + message(e) + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new ExtractionException(Reason.UNREADABLE, name + ": cannot open PDF: " + message(e), e);
        }
        try (doc) {
            String title = title(doc.getDocumentInformation());
            BlockSink sink = new BlockSink();
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setLineSeparator("\n");
            stripper.setParagraphStart(PARAGRAPH_START);
            stripper.setParagraphEnd("");
            stripper.setPageStart("");
            stripper.setPageEnd("\n");
            for (int page = 1; page <= doc.getNumberOfPages(); page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                for (String paragraph : PARAGRAPH_BREAK.split(stripper.getText(doc))) {
                    sink.prose(joinLines(paragraph));
                }
            }
            var blocks = sink.blocks();
            if (blocks.isEmpty()) {
                throw new ExtractionException(Reason.EMPTY, name + ": no extractable text (scanned?)");
            }
            return new ExtractedDocument(title != null ? title : fallbackTitle, blocks, Format.PDF.id());
        } catch (IOException | RuntimeException e) {
            throw new ExtractionException(Reason.UNREADABLE, name + ": cannot read PDF text: " + message(e), e);
        }
    }

    /**
     * The title from the document information, without the "Microsoft Word - " prefix that printing to PDF from
     * Office adds (it would otherwise head every such document in search results).
     */
    static String title(PDDocumentInformation info) {
        String title = info == null ? null : TextNormalizer.title(info.getTitle());
        if (title != null) {
            title = TextNormalizer.title(OFFICE_PREFIX.matcher(title).replaceFirst(""));
        }
        return title;
    }

    /**
     * Lines of one paragraph joined with spaces; a line ending in a hyphen after a letter is joined without a
     * space, keeping the hyphen ("well-" + "known" gives "well-known", never "well- known").
     */
    static String joinLines(String paragraph) {
        StringBuilder out = new StringBuilder(paragraph.length());
        for (String raw : paragraph.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (!out.isEmpty()) {
                int len = out.length();
                boolean hyphenated = len >= 2 && out.charAt(len - 1) == '-' && Character.isLetter(out.charAt(len - 2));
                if (!hyphenated) {
                    out.append(' ');
                }
            }
            out.append(line);
        }
        return out.toString();
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip();
    }
}
