package org.dindex.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.dindex.extract.ExtractionException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

class ExtractionErrorsTest {
    private static final long LIMIT = 1_000_000;
    /** The first bytes of a PNG file: signature, then the IHDR chunk header. */
    private static final byte[] PNG_HEADER = {
            (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R',
            0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, (byte) 0xC4, (byte) 0x89};

    @TempDir
    Path dir;

    private static ExtractionException refused(Reason reason, Executable call) {
        ExtractionException e = assertThrows(ExtractionException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        return e;
    }

    @Test
    void emptyFileIsEmpty() throws Exception {
        Path file = Files.createFile(dir.resolve("empty.txt"));

        ExtractionException e = refused(Reason.EMPTY, () -> Extractors.extract(file, LIMIT));

        assertEquals(file + ": empty file", e.getMessage());
    }

    @Test
    void whitespaceOnlyFileIsEmpty() throws Exception {
        Path file = dir.resolve("blank.md");
        Files.writeString(file, " \n\t\r\n\u00A0\n");

        ExtractionException e = refused(Reason.EMPTY, () -> Extractors.extract(file, LIMIT));

        assertEquals(file + ": contains only whitespace", e.getMessage());
    }

    @Test
    void whitespaceOnlyOrEmptyTextIsEmpty() {
        assertEquals("memo: contains only whitespace",
                refused(Reason.EMPTY, () -> Extractors.fromText("  \n ", Format.TEXT, "memo")).getMessage());
        assertEquals("document: empty document",
                refused(Reason.EMPTY, () -> Extractors.fromText("", Format.MARKDOWN, null)).getMessage());
    }

    @Test
    void binaryFileWithNulBytesIsRefused() throws Exception {
        Path file = dir.resolve("image.dat");
        Files.write(file, PNG_HEADER);

        ExtractionException e = refused(Reason.BINARY, () -> Extractors.extract(file, LIMIT));

        assertEquals(file + ": binary file (contains NUL bytes)", e.getMessage());
    }

    @Test
    void nulBytesInATextFileAreRefusedToo() throws Exception {
        Path file = dir.resolve("logo.txt");
        Files.write(file, PNG_HEADER);

        ExtractionException e = refused(Reason.BINARY, () -> Extractors.extract(file, LIMIT));

        assertEquals(file + ": binary file (contains NUL bytes)", e.getMessage());
    }

    @Test
    void manyControlCharactersMakeAnUnknownFileBinary() throws Exception {
        Path file = dir.resolve("data.bin");
        Files.write(file, new byte[] {'a', 0x01, 'b', 0x02, 'c', 0x03, 'd'});

        ExtractionException e = refused(Reason.BINARY, () -> Extractors.extract(file, LIMIT));

        assertEquals(file + ": binary file (too many control characters)", e.getMessage());
    }

    @Test
    void latin1AndWindows1252FilesAreDecoded() throws Exception {
        Path csv = dir.resolve("latin1.csv");
        Files.write(csv, "name;city\nRen\u00E9;Z\u00FCrich\n".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(Extractors.extract(csv, LIMIT).fullText().contains("Ren\u00E9;Z\u00FCrich"));
        Path txt = dir.resolve("quotes.txt");
        Files.write(txt, "\u201CGr\u00F6\u00DFe\u201D costs \u20AC5".getBytes(Charset.forName("windows-1252")));
        assertEquals("\u201CGr\u00F6\u00DFe\u201D costs \u20AC5", Extractors.extract(txt, LIMIT).fullText());
    }

    @Test
    void unknownFileThatIsNeitherUtf8NorLatin1IsBinary() throws Exception {
        Path file = dir.resolve("data.dat");
        Files.write(file, new byte[] {'a', 'b', (byte) 0x81, 'c', 'd', 'e'});

        ExtractionException e = refused(Reason.BINARY, () -> Extractors.extract(file, LIMIT));

        assertEquals(file + ": binary file (not valid UTF-8 at byte offset 2)", e.getMessage());
    }

    @Test
    void invalidUtf8InATextFileNamesTheByteOffset() throws Exception {
        Path file = dir.resolve("notes.txt");
        byte[] good = "Caf\u00E9 notes, line one\n".getBytes(StandardCharsets.UTF_8); // 22 bytes
        byte[] bytes = new byte[good.length + 4];
        System.arraycopy(good, 0, bytes, 0, good.length);
        bytes[good.length] = 'o';
        bytes[good.length + 1] = (byte) 0xC3; // lead byte of a two-byte sequence ...
        bytes[good.length + 2] = '(';         // ... followed by a non-continuation byte
        bytes[good.length + 3] = '\n';
        Files.write(file, bytes);

        ExtractionException e = refused(Reason.INVALID_UTF8, () -> Extractors.extract(file, LIMIT));

        assertEquals(file + ": invalid UTF-8 at byte offset 23", e.getMessage());
    }

    @Test
    void truncatedSequenceAtTheEndIsInvalid() throws Exception {
        Path file = dir.resolve("cut.md");
        Files.write(file, new byte[] {'#', ' ', 'x', '\n', (byte) 0xE2, (byte) 0x82});

        ExtractionException e = refused(Reason.INVALID_UTF8, () -> Extractors.extract(file, LIMIT));

        assertEquals(file + ": invalid UTF-8 at byte offset 4", e.getMessage());
    }

    @Test
    void utf16TextIsDecodedWithOrWithoutAByteOrderMark() throws Exception {
        String text = "Gr\u00FC\u00DFe aus Z\u00FCrich, line one\nline two";
        for (var cs : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
            Path bom = dir.resolve("bom-" + cs.name() + ".txt");
            Files.write(bom, ("\uFEFF" + text).getBytes(cs));
            String got = Extractors.extract(bom, LIMIT).fullText();
            assertTrue(got.startsWith("Gr\u00FC\u00DFe aus Z\u00FCrich, line one") && got.endsWith("line two"),
                    cs.name() + ": " + got);
            Path bare = dir.resolve("bare-" + cs.name() + ".log");
            Files.write(bare, text.getBytes(cs));
            assertTrue(Extractors.extract(bare, LIMIT).fullText().contains("aus Z\u00FCrich"), cs.name());
        }
    }

    @Test
    void oversizedFileIsRefusedNamingSizeAndLimit() throws Exception {
        Path file = dir.resolve("big.txt");
        Files.writeString(file, "x".repeat(3000));

        ExtractionException e = refused(Reason.TOO_LARGE, () -> Extractors.extract(file, 1024));

        assertEquals(file + ": too large (2.9 KiB; the limit is 1.0 KiB)", e.getMessage());
    }

    @Test
    void sizesThatRoundAlikeAreGivenInBytes() throws Exception {
        Path file = dir.resolve("edge.txt");
        Files.writeString(file, "x".repeat(1025));

        assertEquals(file + ": too large (1025 bytes; the limit is 1024 bytes)",
                refused(Reason.TOO_LARGE, () -> Extractors.extract(file, 1024)).getMessage());
        assertEquals(1025, Extractors.extract(file, 1025).length());
    }

    @Test
    void oversizedPdfIsRefusedBeforeParsing() throws Exception {
        Path file = dir.resolve("huge.pdf");
        Files.write(file, new byte[5000]);

        assertEquals(file + ": too large (4.9 KiB; the limit is 100 bytes)",
                refused(Reason.TOO_LARGE, () -> Extractors.extract(file, 100)).getMessage());
    }

    @Test
    void folderIsUnreadable() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("docs.md"));

        ExtractionException e = refused(Reason.UNREADABLE, () -> Extractors.extract(folder, LIMIT));

        assertEquals(folder + ": cannot read: is a folder", e.getMessage());
    }

    @Test
    void missingFileIsUnreadable() {
        Path file = dir.resolve("gone.txt");

        ExtractionException e = refused(Reason.UNREADABLE, () -> Extractors.extract(file, LIMIT));

        assertEquals(file + ": cannot read: no such file", e.getMessage());
    }

    @Test
    void nonPositiveLimitIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> Extractors.extract(dir.resolve("x.txt"), 0));
    }

    @Test
    void messagesAreAlwaysOneLine() {
        ExtractionException e = new ExtractionException(Reason.UNREADABLE, "a.pdf: cannot open PDF: bad\n  xref\r\n");

        assertEquals("a.pdf: cannot open PDF: bad xref", e.getMessage());
    }
}
