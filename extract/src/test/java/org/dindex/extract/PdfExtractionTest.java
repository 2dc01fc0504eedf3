package org.dindex.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.dindex.extract.ExtractionException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PdfExtractionTest {
    @TempDir
    Path dir;

    /** Writes a PDF with one page per entry; each page's lines, an empty string leaving a blank line. */
    private static void writePdf(Path file, String title, List<List<String>> pages) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (List<String> lines : pages) {
                PDPage page = new PDPage();
                doc.addPage(page);
                try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
                    content.beginText();
                    content.setFont(font, 12);
                    content.setLeading(14.5f);
                    content.newLineAtOffset(72, 720);
                    for (String line : lines) {
                        if (!line.isEmpty()) {
                            content.showText(line);
                        }
                        content.newLine();
                    }
                    content.endText();
                }
            }
            if (title != null) {
                doc.getDocumentInformation().setTitle(title);
            }
            doc.save(file.toFile());
        }
    }

    @Test
    void textRoundTripsAsParagraphBlocksWithTheDocumentTitle() throws Exception {
        Path file = dir.resolve("report.pdf");
        writePdf(file, "Quarterly Report", List.of(
                List.of("The daemon answered every query within",
                        "ten milliseconds during the quarter.",
                        "",
                        "Memory use stayed below the configured limit."),
                List.of("Page two: next steps are sharding and replication.")));

        ExtractedDocument doc = Extractors.extract(file, 1_000_000);

        assertEquals("Quarterly Report", doc.title());
        assertEquals("pdf", doc.format());
        assertEquals(List.of(
                new Block(List.of(), "The daemon answered every query within ten milliseconds during the quarter."),
                new Block(List.of(), "Memory use stayed below the configured limit."),
                new Block(List.of(), "Page two: next steps are sharding and replication.")), doc.blocks());
    }

    @Test
    void titleFallsBackToTheFileName() throws Exception {
        Path file = dir.resolve("untitled-scan.pdf");
        writePdf(file, null, List.of(List.of("Some text.")));

        assertEquals("untitled-scan", Extractors.extract(file, 1_000_000).title());
    }

    @Test
    void officePrefixIsRemovedFromTheTitle() throws Exception {
        Path file = dir.resolve("minutes.pdf");
        writePdf(file, "Microsoft Word - Board Minutes", List.of(List.of("Minutes.")));

        assertEquals("Board Minutes", Extractors.extract(file, 1_000_000).title());
    }

    @Test
    void pdfWithoutTextIsEmpty() throws Exception {
        Path file = dir.resolve("scan.pdf");
        writePdf(file, "Scan", List.of(List.of(), List.of()));

        ExtractionException e = assertThrows(ExtractionException.class, () -> Extractors.extract(file, 1_000_000));

        assertEquals(Reason.EMPTY, e.reason());
        assertEquals(file + ": no extractable text (scanned?)", e.getMessage());
    }

    @Test
    void damagedPdfIsUnreadableWithPdfboxsMessage() throws Exception {
        Path file = dir.resolve("damaged.pdf");
        Files.writeString(file, "this is not a PDF at all\n");

        ExtractionException e = assertThrows(ExtractionException.class, () -> Extractors.extract(file, 1_000_000));

        assertEquals(Reason.UNREADABLE, e.reason());
        assertTrue(e.getMessage().startsWith(file + ": cannot open PDF: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void passwordProtectedPdfIsUnreadable() throws Exception {
        Path plain = dir.resolve("plain.pdf");
        Path file = dir.resolve("secret.pdf");
        writePdf(plain, "Secret", List.of(List.of("Classified.")));
        try (PDDocument doc = org.apache.pdfbox.Loader.loadPDF(plain.toFile())) {
            StandardProtectionPolicy policy =
                    new StandardProtectionPolicy("owner-pw", "user-pw", new AccessPermission());
            policy.setEncryptionKeyLength(128);
            doc.protect(policy);
            doc.save(file.toFile());
        }

        ExtractionException e = assertThrows(ExtractionException.class, () -> Extractors.extract(file, 1_000_000));

        assertEquals(Reason.UNREADABLE, e.reason());
        assertTrue(e.getMessage().startsWith(file + ": cannot open PDF: encrypted ("), e.getMessage());
    }

    @Test
    void pdfCannotBePassedAsText() {
        ExtractionException e = assertThrows(ExtractionException.class,
                () -> Extractors.fromText("%PDF-1.7", Format.PDF, "upload"));

        assertEquals(Reason.UNSUPPORTED, e.reason());
        assertEquals("upload: PDF content cannot be passed as text (extract the file instead)", e.getMessage());
    }

    @Test
    void hyphenatedLineEndsKeepTheHyphenWithoutASpace() {
        assertEquals("a well-known fact and more", PdfExtractor.joinLines("a well-\nknown fact\nand more"));
    }
}
