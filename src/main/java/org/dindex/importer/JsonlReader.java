package org.dindex.importer;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;

/**
 * Reads documents from a JSON Lines file, one object per line: {@code {"id", "title", "text", "url", "metadata"}}.
 * BEIR corpora ({@code corpus.jsonl}) name the id {@code "_id"}; both are accepted. Gzip files are recognised by
 * their magic bytes.
 *
 * <p>A bad line does not end the import: it comes back as a {@link JsonlError} naming the line, and reading goes
 * on. So does a line over {@link #MAX_LINE_CHARS}, which is read past without being held. {@link #linesRead()} counts physical lines, blank ones included, so it can serve as a checkpoint that
 * {@link #skipLines(long)} resumes from. Not thread-safe.
 */
public final class JsonlReader implements Closeable {
    /** What {@link #next()} returns: a {@link JsonlRecord}, an {@link ExportedChunk} or a {@link JsonlError}. */
    public sealed interface Entry permits JsonlRecord, JsonlError, ExportedChunk {
    }

    /**
     * A line of {@code dindex export}: one chunk of a document ({@code chunk_id}, {@code document_id},
     * {@code content}, ...; with {@code --with-vectors} also its {@code vector}, {@code model} and the document's
     * {@code content_hash}).
     *
     * @param chunk the line as written
     * @param line  the 1-based line number in the file
     */
    public record ExportedChunk(JsonObject chunk, long line) implements Entry {
        public String documentId() {
            return chunk.getString("document_id");
        }
    }

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Far above any real document; a longer line is reported and skipped, never held in memory. */
    public static final int MAX_LINE_CHARS = 32 * 1024 * 1024;

    private final BufferedReader lines;
    private final StringBuilder line = new StringBuilder();
    private long linesRead;

    private JsonlReader(BufferedReader lines) {
        this.lines = lines;
    }

    /** Opens a {@code .jsonl} file, plain or gzip-compressed. */
    public static JsonlReader open(Path file) throws IOException {
        return open(Files.newInputStream(file));
    }

    /** Reads JSONL from a stream, plain or gzip-compressed; the reader owns (and closes) the stream. */
    public static JsonlReader open(InputStream raw) throws IOException {
        try {
            BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            InputStream data = b0 == 0x1F && b1 == 0x8B ? new GZIPInputStream(in, 1 << 16) : in;
            // A decoder that replaces malformed bytes: one bad byte should cost at most one field, not the file.
            return new JsonlReader(new BufferedReader(new InputStreamReader(data, StandardCharsets.UTF_8), 1 << 16));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** How many lines were consumed so far, blank and bad ones included. */
    public long linesRead() {
        return linesRead;
    }

    /** Skips up to {@code n} lines without parsing them; returns how many there were. */
    public long skipLines(long n) throws IOException {
        long skipped = 0;
        while (skipped < n && readLine() != READ_END) {
            skipped++;
            linesRead++;
        }
        return skipped;
    }

    /** The next document or bad line, or null at the end of the file. Blank lines are passed over. */
    public Entry next() throws IOException {
        String text;
        do {
            int read = readLine();
            if (read == READ_END) {
                return null;
            }
            linesRead++;
            if (read == READ_TOO_LONG) {
                return new JsonlError(linesRead, "line over " + MAX_LINE_CHARS + " characters: skipped");
            }
            text = line.toString();
            if (linesRead == 1 && text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        } while (text.isBlank());
        return parse(text, linesRead);
    }

    private static final int READ_LINE = 0;
    private static final int READ_TOO_LONG = 1;
    private static final int READ_END = 2;

    /**
     * Reads one line (without its terminator) into {@link #line}, keeping at most {@link #MAX_LINE_CHARS} of it:
     * {@code BufferedReader.readLine} would hold a line of any length.
     */
    private int readLine() throws IOException {
        line.setLength(0);
        boolean tooLong = false;
        boolean any = false;
        int c;
        while ((c = lines.read()) >= 0) {
            any = true;
            if (c == '\n') {
                break;
            }
            if (tooLong) {
                continue;
            }
            if (line.length() >= MAX_LINE_CHARS) {
                tooLong = true;
                line.setLength(0);
                line.trimToSize();
                continue;
            }
            line.append((char) c);
        }
        if (!any) {
            return READ_END;
        }
        if (!tooLong && !line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
            line.setLength(line.length() - 1);
        }
        return tooLong ? READ_TOO_LONG : READ_LINE;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }

    private static Entry parse(String line, long number) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage();
            int newline = reason.indexOf('\n');
            if (newline >= 0) {
                reason = reason.substring(0, newline);
            }
            int column = e.getLocation() == null ? -1 : e.getLocation().getColumnNr();
            return error(number, "not valid JSON: " + reason + (column > 0 ? " (column " + column + ")" : ""));
        }
        if (!node.isObject()) {
            return error(number, "not a JSON object");
        }
        if (node.has("chunk_id") && node.has("document_id")) {
            return exported(line, node, number);
        }
        JsonNode id = node.hasNonNull("id") ? node.get("id") : node.get("_id");
        if (id == null || id.isNull()) {
            return error(number, "missing \"id\"");
        }
        if (!id.isTextual() && !id.isIntegralNumber()) {
            return error(number, "\"id\" must be a string");
        }
        if (id.asText().isBlank()) {
            return error(number, "blank \"id\"");
        }
        JsonNode text = node.get("text");
        if (text == null || text.isNull()) {
            return error(number, "missing \"text\"");
        }
        if (!text.isTextual()) {
            return error(number, "\"text\" must be a string");
        }
        if (text.asText().isBlank()) {
            return error(number, "blank \"text\"");
        }
        for (String optional : new String[] {"title", "url"}) {
            JsonNode value = node.get(optional);
            if (value != null && !value.isNull() && !value.isTextual()) {
                return error(number, "\"" + optional + "\" must be a string");
            }
        }
        JsonNode metadata = node.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
            return error(number, "\"metadata\" must be an object");
        }
        return new JsonlRecord(id.asText().strip(), blankToNull(node.get("title")), text.asText(),
                blankToNull(node.get("url")), metadata(metadata), number);
    }

    /** A line of an export: checked for what an import needs to put the chunk back. */
    private static Entry exported(String line, JsonNode node, long number) {
        for (String field : new String[] {"chunk_id", "document_id", "source", "content"}) {
            JsonNode value = node.get(field);
            if (value == null || !value.isTextual() || value.asText().isBlank()) {
                return error(number, "an exported chunk needs a non-empty \"" + field + "\" string");
            }
        }
        JsonNode index = node.get("chunk_index");
        if (index == null || !index.isIntegralNumber() || index.asInt() < 0) {
            return error(number, "an exported chunk needs \"chunk_index\", a whole number >= 0");
        }
        return new ExportedChunk(new JsonObject(line), number);
    }

    /** Metadata values as strings: scalars as their text, nested objects and arrays as compact JSON. */
    private static Map<String, String> metadata(JsonNode metadata) {
        Map<String, String> map = new LinkedHashMap<>();
        if (metadata != null) {
            for (Map.Entry<String, JsonNode> field : metadata.properties()) {
                JsonNode value = field.getValue();
                if (!value.isNull()) {
                    map.put(field.getKey(), value.isValueNode() ? value.asText() : value.toString());
                }
            }
        }
        return map;
    }

    private static String blankToNull(JsonNode value) {
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText().strip();
    }

    private static JsonlError error(long line, String message) {
        return new JsonlError(line, "line " + line + ": " + message);
    }
}
