package org.dindex.importer;

import java.util.Map;
import java.util.Objects;

/**
 * One document from a JSON Lines file.
 *
 * @param id       the document's id ({@code "id"}, or {@code "_id"} as in BEIR corpora); never blank
 * @param title    the title, or null when the line has none
 * @param text     the document text; never blank
 * @param url      where the document lives, or null
 * @param metadata further string properties ({@code "metadata"} object); immutable, empty when absent
 * @param line     the 1-based line number in the file
 */
public record JsonlRecord(String id, String title, String text, String url, Map<String, String> metadata, long line)
        implements JsonlReader.Entry {
    public JsonlRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
