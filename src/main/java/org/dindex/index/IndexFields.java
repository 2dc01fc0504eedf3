package org.dindex.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;

/**
 * Lucene field names. Chunk documents and document records share one index, told apart by {@link #KIND}. Only chunk
 * documents have {@link #TEXT} and {@link #TITLE} terms (a record keeps its title in the stored-only
 * {@link #RECORD_TITLE}; Lucene wants one field indexed alike in every document), so a text query needs no
 * {@link #KIND} filter to match chunks alone, and BM25 does not pay for one (docs/architecture.md, "The index").
 */
public final class IndexFields {
    private IndexFields() {
    }

    /** The analyzer of {@link #TEXT} and {@link #TITLE}, for indexing and for queries. */
    public static final Analyzer ANALYZER =
            new EnglishAnalyzer();

    public static final String KIND = "kind";
    public static final String KIND_CHUNK = "chunk";
    public static final String KIND_DOC = "doc";

    public static final String CHUNK_ID = "chunk_id";
    public static final String DOC_ID = "doc_id";
    public static final String SOURCE = "source";
    public static final String TITLE = "title";
    /** A document record's title: stored, not indexed. */
    public static final String RECORD_TITLE = "record_title";
    public static final String URL = "url";
    public static final String TEXT = "text";
    public static final String SECTION = "section";
    public static final String POSITION = "position";
    public static final String ORDINAL = "ordinal";
    public static final String TOKENS = "tokens";
    public static final String TIMESTAMP = "timestamp";
    public static final String INDEXED_AT = "indexed_at";
    /** Indexed {@code key=value} terms for metadata filters. */
    public static final String META = "meta";
    /** Stored JSON of the metadata map. */
    public static final String METADATA = "metadata";
    /**
     * The chunk's embedding: a vector field (dot product of unit vectors) in {@code DindexCodec}'s jvector format.
     * Named apart from {@link #LEGACY_VECTOR}, since Lucene keeps one schema per field name across segments.
     */
    public static final String EMBEDDING = "embedding";
    /** Layouts before 3 stored each chunk's embedding as bytes under this name; read only to convert them. */
    public static final String LEGACY_VECTOR = "vector";
    /** The document's hash bucket ({@link DocumentIds#bucket}), indexed as a point: shards are ranges of it. */
    public static final String BUCKET = "bucket";
    /**
     * A document record's id as sorted doc values, to list records in id order. A field of its own: Lucene wants
     * {@link #DOC_ID} alike in chunks and records, and chunks do not need it sorted.
     */
    public static final String RECORD_ORDER = "record_order";
    public static final String PREV_ID = "prev_id";
    public static final String NEXT_ID = "next_id";
    public static final String CONTENT_HASH = "content_hash";
    public static final String CHUNK_COUNT = "chunk_count";

    /** Separates section levels in the stored {@link #SECTION} field. */
    public static final String SECTION_SEPARATOR = "\u001f";
}
