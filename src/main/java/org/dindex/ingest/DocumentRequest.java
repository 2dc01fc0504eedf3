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
 * files, or {@code {source, text, format?: text|markdown|html}} as HTTP clients send content.
 */
public record DocumentRequest(String source, String title, String url, Map<String, String> metadata,
                              long timestamp, ExtractedDocument content) {

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
