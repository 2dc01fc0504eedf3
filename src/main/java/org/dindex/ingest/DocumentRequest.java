package org.dindex.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.DindexException;
import org.dindex.ingest.extract.Block;
import org.dindex.ingest.extract.ExtractedDocument;
import org.dindex.ingest.extract.ExtractionException;
import org.dindex.ingest.extract.Extractors;
import org.dindex.ingest.extract.Format;

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
        String source = json.getValue("source") instanceof String s && !s.isBlank() ? s : null;
        String url = json.getValue("url") instanceof String u && !u.isBlank() ? u : null;
        if (source == null) {
            source = url;
        }
        if (source == null) {
            throw DindexException.badRequest("document has no 'source' (or 'url')");
        }
        String title = json.getValue("title") instanceof String t && !t.isBlank() ? t.strip() : null;
        Map<String, String> metadata = new LinkedHashMap<>();
        Object meta = json.getValue("metadata");
        if (meta instanceof JsonObject m) {
            m.forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
        } else if (meta != null) {
            throw DindexException.badRequest("'metadata' of " + source + " must be an object");
        }
        long timestamp = json.getValue("timestamp") instanceof Number n ? n.longValue() : System.currentTimeMillis();
        ExtractedDocument content;
        Object blocks = json.getValue("blocks");
        if (blocks instanceof JsonArray array) {
            List<Block> list = new ArrayList<>();
            for (Object o : array) {
                if (!(o instanceof JsonObject b) || !(b.getValue("text") instanceof String text)) {
                    throw DindexException.badRequest("every block of " + source + " needs a 'text' string");
                }
                List<String> section = new ArrayList<>();
                if (b.getValue("section") instanceof JsonArray s) {
                    s.forEach(x -> section.add(String.valueOf(x)));
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
