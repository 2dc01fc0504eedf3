package org.dindex.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.JsonTypes;
import org.dindex.extract.Block;
import org.dindex.extract.ExtractedDocument;
import org.dindex.extract.ExtractionException;
import org.dindex.extract.Extractors;
import org.dindex.extract.Format;
import org.dindex.protocol.QueryVectors;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One document of a {@code dindex.index.submit} request, validated. On the wire:
 * {@code {source, title?, url?, metadata?, timestamp?, blocks: [{section: [..], text}]}} as the CLI sends extracted
 * files, {@code {source, text, format?: text|markdown|html}} as HTTP clients send content, or, as an import of an
 * export with vectors sends it, already chunked: {@code {source, ..., chunks: [{text, section?, position?, tokens?,
 * vector?}], model?, content_hash?}} (the vectors are used as they are when {@code model} is the collection's).
 *
 * @param chunks      the document's chunks as given, or null when the daemon chunks its content
 * @param model       the model the given chunks' vectors were made with, or null
 * @param contentHash the content hash the document had where it was exported, or null
 */
public record DocumentRequest(String source, String title, String url, Map<String, String> metadata,
                              long timestamp, ExtractedDocument content, List<PreparedChunk> chunks, String model,
                              String contentHash) {
    /** A chunk as an export wrote it: its text and place, and its vector when the export carried it. */
    public record PreparedChunk(String text, List<String> section, double position, int tokens, float[] vector) {
    }

    public DocumentRequest(String source, String title, String url, Map<String, String> metadata, long timestamp,
                           ExtractedDocument content) {
        this(source, title, url, metadata, timestamp, content, null, null, null);
    }

    /**
     * The source a document of a request is known by, as {@link #parse} finds it ({@code source}, else {@code url}),
     * or null when it has none (parsing then fails with the reason).
     */
    public static String sourceOf(JsonObject json) {
        Object source = json.getValue("source");
        if (source instanceof String s && !s.isBlank()) {
            return s;
        }
        return json.getValue("url") instanceof String u && !u.isBlank() && (source == null || source instanceof String)
                ? u : null;
    }

    static DocumentRequest parse(JsonObject json) {
        String source = optionalString(json, "source", null);
        String url = optionalString(json, "url", source);
        if (source == null || source.isBlank()) {
            source = url == null || url.isBlank() ? null : url;
        }
        if (source == null) {
            throw DindexException.badRequest("document has no 'source' (or 'url')");
        }
        String title = optionalString(json, "title", source);
        title = title == null || title.isBlank() ? null : title.strip();
        url = url == null || url.isBlank() ? null : url;
        Map<String, String> metadata = new LinkedHashMap<>();
        Object meta = json.getValue("metadata");
        if (meta instanceof JsonObject m) {
            m.forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
        } else if (meta != null) {
            throw DindexException.badRequest("'metadata' of " + source + " must be an object, got "
                    + JsonTypes.describe(meta));
        }
        long timestamp = timestamp(json.getValue("timestamp"), source);
        ExtractedDocument content;
        Object blocks = json.getValue("blocks");
        if (json.getValue("chunks") != null) {
            return prepared(json, source, title, url, metadata, timestamp);
        }
        if (blocks instanceof JsonArray array) {
            List<Block> list = new ArrayList<>();
            for (Object o : array) {
                if (!(o instanceof JsonObject b) || !(b.getValue("text") instanceof String text)) {
                    throw DindexException.badRequest("every block of " + source + " needs a 'text' string");
                }
                List<String> section = new ArrayList<>();
                Object sectionValue = b.getValue("section");
                if (sectionValue instanceof JsonArray s) {
                    for (Object heading : s) {
                        if (!(heading instanceof String h)) {
                            throw DindexException.badRequest("the 'section' of a block of " + source + " must be an"
                                    + " array of strings, got " + JsonTypes.describe(heading) + " in it");
                        }
                        section.add(h);
                    }
                } else if (sectionValue != null) {
                    throw DindexException.badRequest("the 'section' of a block of " + source + " must be an array of"
                            + " strings, got " + JsonTypes.describe(sectionValue));
                }
                if (!text.isBlank()) {
                    list.add(new Block(section, text));
                }
            }
            if (list.isEmpty()) {
                throw DindexException.badRequest(source + ": no text to index (empty document)");
            }
            content = new ExtractedDocument(title, list, json.getValue("format") instanceof String f ? f : "text");
        } else if (json.getValue("text") instanceof String text || json.getValue("content") instanceof String) {
            String body = json.getValue("text") instanceof String t ? t : json.getString("content");
            Object formatValue = json.getValue("format");
            if (formatValue != null && !(formatValue instanceof String)) {
                throw DindexException.badRequest(source + ": 'format' must be text, markdown or html");
            }
            Format format = parseFormat(formatValue == null ? "text" : (String) formatValue, source);
            try {
                content = Extractors.fromText(body, format, title == null ? source : title);
            } catch (ExtractionException e) {
                throw DindexException.badRequest(e.getMessage());
            }
        } else {
            throw DindexException.badRequest(source + ": document needs 'blocks' or 'text'");
        }
        return new DocumentRequest(source, title != null ? title : content.title(), url, metadata, timestamp,
                content);
    }

    /** The most chunks one document may bring (far above what the chunker makes of the largest document). */
    static final int MAX_CHUNKS = 100_000;

    private static DocumentRequest prepared(JsonObject json, String source, String title, String url,
                                            Map<String, String> metadata, long timestamp) {
        if (!(json.getValue("chunks") instanceof JsonArray array) || array.isEmpty()) {
            throw DindexException.badRequest("'chunks' of " + source + " must be a non-empty array of {text, section?,"
                    + " position?, tokens?, vector?}");
        }
        if (array.size() > MAX_CHUNKS) {
            throw DindexException.badRequest(source + " has " + array.size() + " chunks, the limit is " + MAX_CHUNKS);
        }
        List<PreparedChunk> chunks = new ArrayList<>(array.size());
        List<Block> blocks = new ArrayList<>(array.size());
        for (Object o : array) {
            if (!(o instanceof JsonObject c) || !(c.getValue("text") instanceof String text) || text.isBlank()) {
                throw DindexException.badRequest("every chunk of " + source + " needs a non-empty 'text' string");
            }
            List<String> section = new ArrayList<>();
            if (c.getValue("section") instanceof JsonArray s) {
                s.forEach(h -> section.add(String.valueOf(h)));
            } else if (c.getValue("section") != null) {
                throw DindexException.badRequest("the 'section' of a chunk of " + source + " must be an array of"
                        + " strings");
            }
            double position = c.getValue("position") instanceof Number n ? n.doubleValue() : 0;
            int tokens = c.getValue("tokens") instanceof Number n ? n.intValue() : 0;
            float[] vector = null;
            if (c.getValue("vector") != null) {
                try {
                    vector = QueryVectors.decode(c.getValue("vector"));
                } catch (IllegalArgumentException e) {
                    throw DindexException.badRequest("a chunk vector of " + source + ": "
                            + e.getMessage().replace("query_vector", "vector"));
                }
            }
            chunks.add(new PreparedChunk(text, List.copyOf(section), position, tokens, vector));
            blocks.add(new Block(section, text));
        }
        String model = json.getValue("model") instanceof String m ? m : null;
        String hash = json.getValue("content_hash") instanceof String h && !h.isBlank() ? h : null;
        ExtractedDocument content = new ExtractedDocument(title, blocks, json.getValue("format") instanceof String f
                ? f : "text");
        return new DocumentRequest(source, title, url, metadata, timestamp, content, List.copyOf(chunks), model,
                hash);
    }

    /** A string field, or null when absent; any other JSON type is a bad request naming the document. */
    private static String optionalString(JsonObject json, String field, String source) {
        Object v = json.getValue(field);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw DindexException.badRequest("'" + field + "'" + (source == null ? "" : " of " + source)
                + " must be a string, got " + JsonTypes.describe(v));
    }

    /** Epoch milliseconds or an ISO-8601 instant; now when absent. */
    private static long timestamp(Object value, String source) {
        if (value == null) {
            return System.currentTimeMillis();
        }
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        if (value instanceof String s) {
            try {
                return Instant.parse(s).toEpochMilli();
            } catch (DateTimeParseException e) {
                // fall through to the error
            }
        }
        throw DindexException.badRequest("'timestamp' of " + source + " must be epoch milliseconds or an ISO-8601"
                + " instant, got " + JsonTypes.describe(value));
    }

    private static Format parseFormat(String name, String source) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "text", "txt" -> Format.TEXT;
            case "markdown", "md" -> Format.MARKDOWN;
            case "html" -> Format.HTML;
            default -> throw DindexException.badRequest(source + ": unknown format '" + name
                    + "' (text, markdown or html)");
        };
    }
}
