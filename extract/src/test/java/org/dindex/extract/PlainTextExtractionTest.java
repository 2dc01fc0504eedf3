package org.dindex.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainTextExtractionTest {
    private static final long LIMIT = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void paragraphsBecomeBlocksWithoutSectionAndTitleIsTheFileName() throws Exception {
        Path file = dir.resolve("release-notes.txt");
        Files.writeString(file, """
                Release notes for version 2.3

                This release makes indexing about twice as fast on large folders,
                because files are now read   and parsed\tin parallel.


                Known issues:
                  - PDF files with broken fonts may yield no text.
                  - Very long lines are split.

                Thanks to everyone who reported bugs.
                """);

        ExtractedDocument doc = Extractors.extract(file, LIMIT);

        assertEquals("release-notes", doc.title());
        assertEquals("text", doc.format());
        assertEquals(List.of(
                new Block(List.of(), "Release notes for version 2.3"),
                new Block(List.of(), "This release makes indexing about twice as fast on large folders,\n"
                        + "because files are now read and parsed in parallel."),
                new Block(List.of(), "Known issues:\n- PDF files with broken fonts may yield no text.\n"
                        + "- Very long lines are split."),
                new Block(List.of(), "Thanks to everyone who reported bugs.")), doc.blocks());
    }

    @Test
    void crlfAndByteOrderMarkAreNormalised() throws Exception {
        Path file = dir.resolve("windows.txt");
        byte[] body = "First line\r\nsecond line\r\n\r\nNext paragraph\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        Files.write(file, withBom);

        ExtractedDocument doc = Extractors.extract(file, LIMIT);

        assertEquals(List.of(new Block(List.of(), "First line\nsecond line"), new Block(List.of(), "Next paragraph")),
                doc.blocks());
        assertEquals("First line\nsecond line\n\nNext paragraph", doc.fullText());
    }

    @Test
    void textIsNormalisedToNfcAndUnicodeSpacesCollapse() throws Exception {
        // "café" with a combining acute accent, a no-break space and an ideographic space.
        ExtractedDocument doc = Extractors.fromText("cafe\u0301\u00A0\u00A0au\u3000lait", Format.TEXT, "drinks");

        assertEquals("caf\u00E9 au lait", doc.blocks().getFirst().text());
        assertEquals("drinks", doc.title());
    }

    @Test
    void controlCharactersAreDroppedAndFormFeedSeparatesParagraphs() throws Exception {
        ExtractedDocument doc = Extractors.fromText("page one\u0007 text\fpage two", Format.TEXT, null);

        assertEquals(List.of(new Block(List.of(), "page one text"), new Block(List.of(), "page two")), doc.blocks());
        assertNull(doc.title());
    }

    @Test
    void unknownExtensionThatIsTextIsExtractedAsText() throws Exception {
        Path file = dir.resolve("server.log");
        Files.writeString(file, "2024-05-01 started\n2024-05-01 listening on /run/dindex.sock\n\n"
                + "2024-05-02 \u001B[33mwarning\u001B[0m disk almost full\n");

        ExtractedDocument doc = Extractors.extract(file, LIMIT);

        assertEquals("text", doc.format());
        assertEquals("server", doc.title());
        assertEquals(2, doc.blocks().size());
        assertEquals("2024-05-01 started\n2024-05-01 listening on /run/dindex.sock", doc.blocks().getFirst().text());
    }

    @Test
    void fileWithoutExtensionIsSniffedAndKeepsItsWholeNameAsTitle() throws Exception {
        Path file = dir.resolve("README");
        Files.writeString(file, "Plain readme.\n");

        ExtractedDocument doc = Extractors.extract(file, LIMIT);

        assertEquals("README", doc.title());
        assertEquals("text", doc.format());
    }

    @Test
    void extensionMatchingIgnoresCase() throws Exception {
        Path file = dir.resolve("NOTES.TXT");
        Files.writeString(file, "upper case extension\n");

        assertEquals("NOTES", Extractors.extract(file, LIMIT).title());
    }
}
