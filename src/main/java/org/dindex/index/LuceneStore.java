package org.dindex.index;

import io.vertx.core.json.JsonObject;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntField;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lucene holds chunk text (BM25 with the English analyzer), every stored field, metadata terms, and each chunk's
 * vector bytes (the durable copy the vector graph is rebuilt from) with its vector ordinal. The searcher manager is
 * refreshed only right after a commit, so every reader sees whole commits. Not thread-safe for writes: the index
 * writer thread owns them.
 */
final class LuceneStore implements AutoCloseable {
    static final Analyzer ANALYZER = IndexFields.ANALYZER;

    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager committed;

    LuceneStore(Path dir) throws IOException {
        directory = FSDirectory.open(dir);
        IndexWriterConfig config = new IndexWriterConfig(ANALYZER)
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setRAMBufferSizeMB(64)
                .setCommitOnClose(false)
                .setMergeScheduler(new ConcurrentMergeScheduler() {
                    @Override
                    protected void doMerge(MergeSource source, MergePolicy.OneMerge merge) throws IOException {
                        org.dindex.platform.BackgroundPriority.lower();  // merges are background work
                        super.doMerge(source, merge);
                    }
                });
        writer = new IndexWriter(directory, config);
        committed = new SearcherManager(writer, new SearcherFactory() {
            @Override
            public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
                OrdinalDocs.warm(reader.leaves());
                return SegmentSearch.searcher(reader);
            }
        });
    }

    /** User data of the last commit (empty for a new index). */
    Map<String, String> commitData() throws IOException {
        if (!DirectoryReader.indexExists(directory)) {
            return Map.of();
        }
        Map<String, String> data = new HashMap<>();
        writer.getLiveCommitData().forEach(e -> data.put(e.getKey(), e.getValue()));
        return data;
    }

    /** Adds or replaces {@code doc}; {@code vectorOrdinals[i]} is chunk i's ordinal in the vector store. */
    void upsert(DocumentRecord doc, int[] vectorOrdinals) throws IOException {
        List<Document> docs = new ArrayList<>(doc.chunks().size() + 1);
        Shared shared = new Shared(doc.docId(), doc.source(), doc.title(), doc.url(), doc.timestamp(),
                doc.indexedAt(), doc.metadata(), new JsonObject(new HashMap<>(doc.metadata())).encode());
        for (int i = 0; i < doc.chunks().size(); i++) {
            ChunkRecord c = doc.chunks().get(i);
            Document d = new Document();
            d.add(new StringField(IndexFields.KIND, IndexFields.KIND_CHUNK, Field.Store.NO));
            d.add(new StringField(IndexFields.CHUNK_ID, c.chunkId(), Field.Store.YES));
            d.add(new SortedDocValuesField(IndexFields.CHUNK_ID, new BytesRef(c.chunkId())));
            d.add(new StoredField(IndexFields.PREV_ID, i == 0 ? "" : ChunkRecord.id(doc.docId(), i - 1)));
            d.add(new StoredField(IndexFields.NEXT_ID, i == doc.chunks().size() - 1 ? ""
                    : ChunkRecord.id(doc.docId(), i + 1)));
            d.add(new IntField(IndexFields.ORDINAL, c.ordinal(), Field.Store.YES));
            // Points (dense hits -> chunk documents), doc values (filters -> accepted ordinals), stored (rebuilds).
            d.add(new IntField(IndexFields.VECTOR_ORDINAL, vectorOrdinals[i], Field.Store.YES));
            addShared(d, shared, true);
            d.add(new TextField(IndexFields.TEXT, c.text(), Field.Store.YES));
            d.add(new StoredField(IndexFields.SECTION, String.join(IndexFields.SECTION_SEPARATOR, c.section())));
            d.add(new StoredField(IndexFields.POSITION, c.position()));
            d.add(new StoredField(IndexFields.TOKENS, c.tokens()));
            d.add(new StoredField(IndexFields.VECTOR, new BytesRef(VectorCodec.encode(c.vector()))));
            docs.add(d);
        }
        docs.add(record(shared, doc.contentHash(), doc.chunks().size()));
        writer.updateDocuments(new Term(IndexFields.DOC_ID, doc.docId()), docs);
    }

    /** The fields chunk documents and their document's record both carry. */
    private record Shared(String docId, String source, String title, String url, long timestamp, long indexedAt,
                          Map<String, String> metadata, String metadataJson) {
    }

    /** A document's record; its title is stored only, so that text queries never match records. */
    private static Document record(Shared shared, String contentHash, int chunkCount) {
        Document record = new Document();
        record.add(new StringField(IndexFields.KIND, IndexFields.KIND_DOC, Field.Store.NO));
        addShared(record, shared, false);
        record.add(new StoredField(IndexFields.CONTENT_HASH, contentHash));
        record.add(new StoredField(IndexFields.CHUNK_COUNT, chunkCount));
        return record;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** A stored number, 0 when absent (a record is rewritten whatever it lacks rather than stop the daemon). */
    private static long number(Document d, String field) {
        Long value = StoredChunks.longValue(d, field);
        return value == null ? 0 : value;
    }

    private static void addShared(Document d, Shared doc, boolean indexTitle) {
        d.add(new StringField(IndexFields.DOC_ID, doc.docId(), Field.Store.YES));
        d.add(new StringField(IndexFields.SOURCE, doc.source(), Field.Store.YES));
        if (doc.title() != null) {
            d.add(indexTitle ? new TextField(IndexFields.TITLE, doc.title(), Field.Store.YES)
                    : new StoredField(IndexFields.RECORD_TITLE, doc.title()));
        }
        if (doc.url() != null) {
            d.add(new StoredField(IndexFields.URL, doc.url()));
        }
        d.add(new LongField(IndexFields.TIMESTAMP, doc.timestamp(), Field.Store.YES));
        d.add(new LongField(IndexFields.INDEXED_AT, doc.indexedAt(), Field.Store.YES));
        doc.metadata().forEach((k, v) -> d.add(new StringField(IndexFields.META, k + "=" + v, Field.Store.NO)));
        d.add(new StoredField(IndexFields.METADATA, doc.metadataJson()));
    }

    /**
     * Rewrites every document record of the last commit with its title stored only (indexes written before
     * 2026-12-06 indexed it, so text queries needed a filter to skip records). Deletes the records, then adds the
     * rewritten ones read from a commit-time searcher, which still sees the old ones (a delete applies only to
     * documents added before it). Nothing is committed here: a crash before the caller's commit leaves the old
     * layout, and the next open runs this again. Returns the number of records rewritten.
     */
    int rewriteRecordsWithStoredTitles() throws IOException {
        return withCommitted(searcher -> {
            Query records = new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC));
            writer.deleteDocuments(records);
            int n = 0;
            StoredFields stored = searcher.storedFields();
            for (ScoreDoc sd : allMatches(searcher, records)) {
                Document old = stored.document(sd.doc);
                if (old.get(IndexFields.DOC_ID) == null) {
                    continue;  // no id, no way to address it: dropped with the other old records
                }
                Map<String, String> metadata = new HashMap<>();
                String json = old.get(IndexFields.METADATA) == null ? "{}" : old.get(IndexFields.METADATA);
                try {
                    new JsonObject(json).forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
                } catch (io.vertx.core.json.DecodeException unreadable) {
                    json = "{}";  // the record keeps its other fields; its chunks keep their own metadata
                }
                Shared shared = new Shared(old.get(IndexFields.DOC_ID), orEmpty(old.get(IndexFields.SOURCE)),
                        old.get(IndexFields.TITLE), old.get(IndexFields.URL), number(old, IndexFields.TIMESTAMP),
                        number(old, IndexFields.INDEXED_AT), metadata, json);
                writer.addDocument(record(shared, orEmpty(old.get(IndexFields.CONTENT_HASH)),
                        (int) number(old, IndexFields.CHUNK_COUNT)));
                n++;
            }
            return n;
        });
    }

    void deleteDocuments(List<String> docIds) throws IOException {
        writer.deleteDocuments(docIds.stream().map(id -> new Term(IndexFields.DOC_ID, id)).toArray(Term[]::new));
    }

    void deleteAll() throws IOException {
        writer.deleteAll();
    }

    interface SearcherFunction<T> {
        T apply(IndexSearcher searcher) throws IOException;
    }

    /**
     * Every document matching {@code query}, in no particular order. Counted first on purpose:
     * {@code search(query, Integer.MAX_VALUE)} sizes its hit queue by the index and fills it up front, which at a
     * million chunks cost 45 ms and tens of MB per call to return a document's handful of chunks (under 1 ms now).
     */
    static ScoreDoc[] allMatches(IndexSearcher searcher, Query query) throws IOException {
        int n = searcher.count(query);
        return n == 0 ? new ScoreDoc[0] : searcher.search(query, n).scoreDocs;
    }

    /**
     * Runs {@code fn} on the last committed state, searching its segments one after another on the calling thread:
     * the writer's lookups are background work and must not take the segment threads searches use.
     */
    <T> T withCommitted(SearcherFunction<T> fn) throws IOException {
        IndexSearcher s = committed.acquire();
        try {
            return fn.apply(new IndexSearcher(s.getIndexReader()));
        } finally {
            committed.release(s);
        }
    }

    void commit(Map<String, String> userData) throws IOException {
        writer.setLiveCommitData(userData.entrySet());
        writer.commit();
        committed.maybeRefreshBlocking();
    }

    /** The searcher manager that moves only at commits: what searches use. */
    SearcherManager committed() {
        return committed;
    }

    boolean hasUncommittedChanges() {
        return writer.hasUncommittedChanges();
    }

    /**
     * Closes the writer (dropping uncommitted changes: they are in the write-ahead log) and releases its lock, so
     * the index can be opened afresh after a failure; the searchers already handed out keep working. Idempotent.
     */
    void releaseWriter() throws IOException {
        if (writer.isOpen()) {
            writer.rollback();
        }
    }

    @Override
    public void close() throws IOException {
        committed.close();
        releaseWriter();
        directory.close();
    }
}
