package org.dindex.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsRecordsWithAllFields() throws IOException {
        Path file = write("docs.jsonl", """
                {"id": "doc-1", "title": "Brno", "text": "Brno is a city.", "url": "https://example.org/brno", \
                "metadata": {"lang": "en", "year": 2024, "tags": ["a", "b"], "draft": false, "none": null}}
                {"id": 42, "text": "Numeric ids are accepted."}
                """);
        try (JsonlReader reader = JsonlReader.open(file)) {
            assertEquals(new JsonlRecord("doc-1", "Brno", "Brno is a city.", "https://example.org/brno",
                    Map.of("lang", "en", "year", "2024", "tags", "[\"a\",\"b\"]", "draft", "false"), 1),
                    reader.next());
            assertEquals(new JsonlRecord("42", null, "Numeric ids are accepted.", null, Map.of(), 2), reader.next());
            assertNull(reader.next());
            assertEquals(2, reader.linesRead());
        }
    }

    @Test
    void readsBeirCorpusLines() throws IOException {
        Path file = write("corpus.jsonl", """
                {"_id": "4983", "title": "", "text": "Microstructural development of human newborn cerebral \
                white matter.", "metadata": {}}
                {"_id": "5836", "title": "Induction of myelodysplasia", "text": "Myelodysplastic syndromes.", \
                "metadata": {"url": "https://example.org/5836"}}
                """);
        List<JsonlReader.Entry> entries = readAll(file);
        assertEquals(List.of(
                new JsonlRecord("4983", null, "Microstructural development of human newborn cerebral white matter.",
                        null, Map.of(), 1),
                new JsonlRecord("5836", "Induction of myelodysplasia", "Myelodysplastic syndromes.", null,
                        Map.of("url", "https://example.org/5836"), 2)), entries);
    }

    @Test
    void badLinesBecomeErrorsWithTheirLineNumberAndReadingGoesOn() throws IOException {
        Path file = write("mixed.jsonl", """
                {"id": "a", "text": "first"}

                {"id": "b", "text": "unterminated
                {"id": "c"}
                {"text": "no id"}
                {"id": "  ", "text": "blank id"}
                {"id": "d", "text": 17}
                {"id": "e", "text": "   "}
                ["an", "array"]
                {"id": "f", "text": "ok", "metadata": [1]}
                {"id": "g", "text": "ok", "title": {"nested": true}}
                {"id": "h", "text": "trailing"} garbage
                {"id": {"x": 1}, "text": "object id"}
                   \t
                {"id": "z", "text": "last"}
                """);
        List<JsonlReader.Entry> entries = readAll(file);
        assertEquals(new JsonlRecord("a", null, "first", null, Map.of(), 1), entries.get(0));
        JsonlError invalid = assertInstanceOf(JsonlError.class, entries.get(1));
        assertEquals(3, invalid.line());
        assertTrue(invalid.message().startsWith("line 3: not valid JSON: "), invalid.message());
        assertEquals(List.of(
                        "line 4: missing \"text\"",
                        "line 5: missing \"id\"",
                        "line 6: blank \"id\"",
                        "line 7: \"text\" must be a string",
                        "line 8: blank \"text\"",
                        "line 9: not a JSON object",
                        "line 10: \"metadata\" must be an object",
                        "line 11: \"title\" must be a string"),
                entries.subList(2, 10).stream().map(e -> ((JsonlError) e).message()).toList());
        JsonlError trailing = assertInstanceOf(JsonlError.class, entries.get(10));
        assertTrue(trailing.message().startsWith("line 12: not valid JSON: "), trailing.message());
        assertEquals("line 13: \"id\" must be a string", ((JsonlError) entries.get(11)).message());
        assertEquals(new JsonlRecord("z", null, "last", null, Map.of(), 15), entries.get(12));
        assertEquals(13, entries.size());
    }

    @Test
    void readsGzipFilesAndSkipsAByteOrderMark() throws IOException {
        Path file = dir.resolve("docs.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("\uFEFF{\"id\": \"1\", \"text\": \"compressed\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(List.of(new JsonlRecord("1", null, "compressed", null, Map.of(), 1)), readAll(file));
    }

    @Test
    void skipLinesResumesFromACheckpoint() throws IOException {
        Path file = write("docs.jsonl", """
                {"id": "1", "text": "one"}

                {"id": "3", "text": "three"}
                {"id": "4", "text": "four"}
                """);
        long checkpoint;
        try (JsonlReader reader = JsonlReader.open(file)) {
            reader.next();
            reader.next();
            checkpoint = reader.linesRead();
            assertEquals(3, checkpoint);
        }
        try (JsonlReader reader = JsonlReader.open(file)) {
            assertEquals(3, reader.skipLines(checkpoint));
            JsonlRecord next = assertInstanceOf(JsonlRecord.class, reader.next());
            assertEquals("4", next.id());
            assertEquals(4, next.line());
            assertNull(reader.next());
            assertEquals(0, reader.skipLines(10));
            assertEquals(4, reader.linesRead());
        }
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static List<JsonlReader.Entry> readAll(Path file) throws IOException {
        List<JsonlReader.Entry> entries = new ArrayList<>();
        try (JsonlReader reader = JsonlReader.open(file)) {
            for (JsonlReader.Entry entry = reader.next(); entry != null; entry = reader.next()) {
                entries.add(entry);
            }
        }
        return entries;
    }
}
