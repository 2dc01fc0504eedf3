package org.dindex.index;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.lucene.document.Document;

import java.util.Arrays;
import java.util.Set;

/** A stored chunk document as JSON: the one shape export, search results and tools share. */
public final class StoredChunks {
    private StoredChunks() {
    }

    /** The stored fields {@link #toJson} reads. Pass it to {@code StoredFields.document(doc, FIELDS)}. */
    public static final Set<String> FIELDS = Set.of(IndexFields.CHUNK_ID, IndexFields.DOC_ID,
            IndexFields.SOURCE, IndexFields.TITLE, IndexFields.URL, IndexFields.ORDINAL, IndexFields.SECTION,
            IndexFields.POSITION, IndexFields.TOKENS, IndexFields.PREV_ID, IndexFields.NEXT_ID, IndexFields.TIMESTAMP,
            IndexFields.INDEXED_AT, IndexFields.METADATA, IndexFields.TEXT);

    public static JsonObject toJson(Document d) {
        String section = d.get(IndexFields.SECTION);
        JsonArray sections = new JsonArray();
        if (section != null && !section.isEmpty()) {
            Arrays.stream(section.split(IndexFields.SECTION_SEPARATOR, -1)).forEach(sections::add);
        }
        String metadata = d.get(IndexFields.METADATA);
        return new JsonObject()
                .put("chunk_id", d.get(IndexFields.CHUNK_ID))
                .put("document_id", d.get(IndexFields.DOC_ID))
                .put("source", d.get(IndexFields.SOURCE))
                .put("title", d.get(IndexFields.TITLE))
                .put("url", d.get(IndexFields.URL))
                .put("chunk_index", number(d, IndexFields.ORDINAL))
                .put("section_hierarchy", sections)
                .put("position", d.getField(IndexFields.POSITION) == null ? null
                        : d.getField(IndexFields.POSITION).numericValue().doubleValue())
                .put("token_count", number(d, IndexFields.TOKENS))
                .put("previous_chunk_id", emptyToNull(d.get(IndexFields.PREV_ID)))
                .put("next_chunk_id", emptyToNull(d.get(IndexFields.NEXT_ID)))
                .put("timestamp", longValue(d, IndexFields.TIMESTAMP))
                .put("indexed_at", longValue(d, IndexFields.INDEXED_AT))
                .put("metadata", metadata == null ? new JsonObject() : new JsonObject(metadata))
                .put("content", d.get(IndexFields.TEXT));
    }

    private static Integer number(Document d, String field) {
        var f = d.getField(field);
        return f == null ? null : f.numericValue().intValue();
    }

    static Long longValue(Document d, String field) {
        var f = d.getField(field);
        return f == null || f.numericValue() == null ? null : f.numericValue().longValue();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
