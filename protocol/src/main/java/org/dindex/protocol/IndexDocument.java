package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A document sent to {@link Addresses#INDEX_SUBMIT}: {@code source} identifies it (indexing the same source again
 * replaces it). Its content is either {@code text} in a {@code format} (text, markdown or html, which the daemon
 * extracts) or {@code blocks} already extracted by the caller (each a passage under its section headings; then
 * {@code format} only says what the file was).
 *
 * @param metadata  key: value strings, kept in this order
 * @param timestamp when the document was modified or fetched, epoch milliseconds; null: when the daemon receives it
 * @param blocks    the extracted content (the daemon refuses an empty list: nothing to index); null when the
 *                  content is {@code text}
 */
public record IndexDocument(String source, String title, String url, String text, String format,
                            Map<String, String> metadata, Long timestamp, List<Block> blocks) {
    /** A passage of extracted content and the headings it sits under, outermost first. */
    public record Block(List<String> section, String text) {
        public Block {
            section = section == null ? List.of() : List.copyOf(section);
        }

        JsonObject toJson() {
            return new JsonObject().put("section", new JsonArray(new ArrayList<>(section))).put("text", text);
        }

        static Block fromJson(JsonObject b) {
            return new Block(SearchResult.strings(b.getJsonArray("section")), b.getString("text"));
        }
    }

    public IndexDocument {
        format = format == null ? "text" : format;
        metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        blocks = blocks == null ? null : List.copyOf(blocks);
    }

    /** A document of {@code text} in {@code format}, stamped when the daemon receives it. */
    public IndexDocument(String source, String title, String url, String text, String format,
                         Map<String, String> metadata) {
        this(source, title, url, text, format, metadata, null, null);
    }

    public static IndexDocument text(String source, String title, String text) {
        return new IndexDocument(source, title, null, text, "text", Map.of());
    }

    /** A document the caller extracted into {@code blocks}; {@code format} is what it was (pdf, html...). */
    public static IndexDocument extracted(String source, String title, String url, String format,
                                          Map<String, String> metadata, long timestamp, List<Block> blocks) {
        return new IndexDocument(source, title, url, null, format, metadata, timestamp, blocks);
    }

    public JsonObject toJson() {
        JsonObject d = new JsonObject().put("source", source);
        if (text != null) {
            d.put("text", text);
        }
        d.put("format", format);
        if (title != null) {
            d.put("title", title);
        }
        if (url != null) {
            d.put("url", url);
        }
        if (!metadata.isEmpty()) {
            d.put("metadata", new JsonObject(new LinkedHashMap<>(metadata)));
        }
        if (timestamp != null) {
            d.put("timestamp", timestamp);
        }
        if (blocks != null) {
            JsonArray bs = new JsonArray();
            blocks.forEach(b -> bs.add(b.toJson()));
            d.put("blocks", bs);
        }
        return d;
    }

    public static IndexDocument fromJson(JsonObject d) {
        Map<String, String> metadata = new LinkedHashMap<>();
        d.getJsonObject("metadata", new JsonObject()).forEach(e -> metadata.put(e.getKey(),
                String.valueOf(e.getValue())));
        List<Block> blocks = null;
        if (d.getJsonArray("blocks") != null) {
            blocks = new ArrayList<>();
            for (Object o : d.getJsonArray("blocks")) {
                blocks.add(Block.fromJson((JsonObject) o));
            }
        }
        return new IndexDocument(d.getString("source"), d.getString("title"), d.getString("url"),
                d.getString("text"), d.getString("format"), metadata, d.getLong("timestamp"), blocks);
    }
}
