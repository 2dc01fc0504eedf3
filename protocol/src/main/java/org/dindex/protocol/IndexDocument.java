package org.dindex.protocol;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A document sent to {@link Addresses#INDEX_SUBMIT} as content: {@code source} identifies it (indexing the same
 * source again replaces it); {@code format} is text, markdown or html.
 */
public record IndexDocument(String source, String title, String url, String text, String format,
                            Map<String, String> metadata) {
    public IndexDocument {
        format = format == null ? "text" : format;
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static IndexDocument text(String source, String title, String text) {
        return new IndexDocument(source, title, null, text, "text", Map.of());
    }

    public JsonObject toJson() {
        JsonObject d = new JsonObject().put("source", source).put("text", text).put("format", format);
        if (title != null) {
            d.put("title", title);
        }
        if (url != null) {
            d.put("url", url);
        }
        if (!metadata.isEmpty()) {
            d.put("metadata", new JsonObject(new LinkedHashMap<>(metadata)));
        }
        return d;
    }

    public static IndexDocument fromJson(JsonObject d) {
        Map<String, String> metadata = new LinkedHashMap<>();
        d.getJsonObject("metadata", new JsonObject()).forEach(e -> metadata.put(e.getKey(),
                String.valueOf(e.getValue())));
        return new IndexDocument(d.getString("source"), d.getString("title"), d.getString("url"),
                d.getString("text"), d.getString("format"), metadata);
    }
}
