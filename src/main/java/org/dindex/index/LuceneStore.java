package org.dindex.index;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntField;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.BytesRef;

import org.dindex.index.vectors.DindexCodec;
import org.dindex.index.vectors.JVectorFormat;
import org.dindex.platform.BackgroundPriority;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.IntConsumer;

/**
 * Lucene holds everything: chunk text (BM25 with the English analyzer), every stored field, metadata terms, and each
 * chunk's embedding as a vector field, whose segments {@link DindexCodec} writes with a jvector graph
 * ({@link JVectorFormat}). So one commit covers text and vectors, merges and deletions apply to both, and the vectors
 * stay in memory-mapped segment files instead of the heap. The searcher manager is refreshed only right after a
 * commit, so every reader sees whole commits. Not thread-safe for writes: the index writer thread owns them.
 */
final class LuceneStore implements AutoCloseable {
    static final Analyzer ANALYZER = IndexFields.ANALYZER;

    private final Directory directory;
    private final IndexWriter writer;
    private final SearcherManager committed;
    /** Keeps the last commit, and any commit a snapshot holds until it is released. */
    private final SnapshotDeletionPolicy commits =
            new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy());

    /**
     * Graph builds and PQ training at flush and merge: one thread per core at background priority, so an import's
     * graph work takes the cores only when searches leave them idle.
     */
    private static final ForkJoinPool GRAPH_BUILDS = new ForkJoinPool(Runtime.getRuntime().availableProcessors(),
            pool -> {
                ForkJoinWorkerThread t = new ForkJoinWorkerThread(pool) {
                    @Override
                    protected void onStart() {
                        super.onStart();
                        BackgroundPriority.lower();
                    }
                };
                t.setName("dindex-graph-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            }, null, false);

    LuceneStore(Path dir) throws IOException {
        directory = FSDirectory.open(dir);
        if (directory instanceof MMapDirectory mapped) {
            mapped.setReadAdvice(JVectorFormat::readAdvice);
        }
        IndexWriterConfig config = new IndexWriterConfig(ANALYZER)
                .setCodec(new DindexCodec(new JVectorFormat(JVectorFormat.DEFAULT_PQ_SUBSPACES,
                        JVectorFormat.DEFAULT_RERANK_DEPTH, GRAPH_BUILDS)))
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                .setIndexDeletionPolicy(commits)
                .setRAMBufferSizeMB(64)
                // Never compound files: inside a .cfs the vector files would lose their random read advice
                // (JVectorFormat.readAdvice goes by file name) and every rerank read would pull in read-ahead.
                .setUseCompoundFile(false)
                .setCommitOnClose(false)
                .setMergePolicy(mergePolicy())
                .setMergeScheduler(new ConcurrentMergeScheduler() {
                    @Override
                    protected void doMerge(MergeSource source, MergePolicy.OneMerge merge) throws IOException {
                        BackgroundPriority.lower();  // merges are background work
                        super.doMerge(source, merge);
                    }
                });
        writer = new IndexWriter(directory, config);
        committed = new SearcherManager(writer, new SearcherFactory() {
            @Override
            public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
                return SegmentSearch.searcher(reader);
            }
        });
    }

    /**
     * Half as many segments per tier as Lucene's default (10): every segment has its own vector graph, and a dense
     * search walks each of them with a full beam, so it costs about the number of segments times a graph search,
     * while BM25 barely notices. The price is more merging (a document is merged about once more on its way to the
     * largest tier, and each merge rebuilds the merged segment's graph), which runs in the background at low
     * priority.
     */
    private static TieredMergePolicy mergePolicy() {
        TieredMergePolicy policy = new TieredMergePolicy().setSegmentsPerTier(SEGMENTS_PER_TIER);
        policy.setNoCFSRatio(0.0);  // merged segments are not compound either (see the writer's configuration)
        return policy;
    }

    static final double SEGMENTS_PER_TIER = 5;

    /**
     * Starts the merges the policy wants and waits for every running merge to finish: an index left this way is what
     * a daemon's index looks like after its background merges caught up (benchmarks measure that state).
     */
    void awaitMerges() throws IOException {
        writer.maybeMerge();
        if (writer.getConfig().getMergeScheduler() instanceof ConcurrentMergeScheduler cms) {
            cms.sync();
        }
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

    /** Adds or replaces {@code doc}: its chunks (with their embeddings) and its record, in one update. */
    void upsert(DocumentRecord doc) throws IOException {
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
            d.add(new KnnFloatVectorField(IndexFields.EMBEDDING, c.vector(), VectorSimilarityFunction.DOT_PRODUCT));
            addShared(d, shared, true);
            d.add(new TextField(IndexFields.TEXT, c.text(), Field.Store.YES));
            d.add(new StoredField(IndexFields.SECTION, String.join(IndexFields.SECTION_SEPARATOR, c.section())));
            d.add(new StoredField(IndexFields.POSITION, c.position()));
            d.add(new StoredField(IndexFields.TOKENS, c.tokens()));
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
        // Records sort by id, so that a shard's documents can be listed page by page (StoredDocuments).
        record.add(new SortedDocValuesField(IndexFields.RECORD_ORDER, new BytesRef(shared.docId())));
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
        d.add(new IntField(IndexFields.BUCKET, DocumentIds.bucket(doc.docId()), Field.Store.NO));
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
     * Rewrites every document of the last commit in the current layout: chunks with their embedding as a vector field
     * (read back from the stored vector bytes of layouts before 3, so nothing is embedded again) and records with their
     * title stored only (layout 1 indexed it). Each document is rebuilt from a commit-time searcher, which still sees
     * the old documents while the writer replaces them. Nothing is committed here: a crash before the caller's commit
     * leaves the old layout, and the next open converts again. Returns the documents rewritten.
     */
    int convertToCurrentLayout(IntConsumer progress) throws IOException {
        return withCommitted(searcher -> {
            StoredFields stored = searcher.storedFields();
            Query records = new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC));
            writer.deleteDocuments(records);  // every old record; each is added again in the new layout below
            int n = 0;
            for (ScoreDoc sd : allMatches(searcher, records)) {
                Document record = stored.document(sd.doc);
                String docId = record.get(IndexFields.DOC_ID);
                if (docId == null) {
                    continue;  // no id, no way to address it: it stays deleted
                }
                List<ChunkRecord> chunks = new ArrayList<>();
                Query chunkQuery = new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)), BooleanClause.Occur.FILTER)
                        .add(new TermQuery(new Term(IndexFields.DOC_ID, docId)), BooleanClause.Occur.FILTER).build();
                for (ScoreDoc c : allMatches(searcher, chunkQuery)) {
                    Document chunk = stored.document(c.doc);
                    BytesRef bytes = chunk.getBinaryValue(IndexFields.LEGACY_VECTOR);
                    if (bytes == null) {
                        continue;  // a chunk without its vector cannot be searched densely: dropped, and check says so
                    }
                    String section = chunk.get(IndexFields.SECTION);
                    chunks.add(new ChunkRecord(chunk.get(IndexFields.CHUNK_ID), (int) number(chunk, IndexFields.ORDINAL),
                            orEmpty(chunk.get(IndexFields.TEXT)), section == null || section.isEmpty() ? List.of()
                            : List.of(section.split(IndexFields.SECTION_SEPARATOR, -1)),
                            chunk.getField(IndexFields.POSITION) == null ? 0
                                    : chunk.getField(IndexFields.POSITION).numericValue().doubleValue(),
                            (int) number(chunk, IndexFields.TOKENS),
                            VectorCodec.decode(bytes.bytes, bytes.offset, bytes.length)));
                }
                chunks.sort(Comparator.comparingInt(ChunkRecord::ordinal));
                Map<String, String> metadata = new HashMap<>();
                String json = record.get(IndexFields.METADATA) == null ? "{}" : record.get(IndexFields.METADATA);
                try {
                    new JsonObject(json).forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
                } catch (DecodeException unreadable) {
                    // the document keeps everything else
                }
                String title = record.get(IndexFields.RECORD_TITLE) != null ? record.get(IndexFields.RECORD_TITLE)
                        : record.get(IndexFields.TITLE);
                upsert(new DocumentRecord(docId, orEmpty(record.get(IndexFields.SOURCE)), title,
                        record.get(IndexFields.URL), orEmpty(record.get(IndexFields.CONTENT_HASH)), metadata,
                        number(record, IndexFields.TIMESTAMP), number(record, IndexFields.INDEXED_AT), chunks));
                progress.accept(++n);
            }
            // Leftovers of the old layout (chunks of no record, records of no id) are unsearchable: gone.
            writer.deleteDocuments(new BooleanQuery.Builder()
                    .add(new MatchAllDocsQuery(), BooleanClause.Occur.MUST)
                    .add(new FieldExistsQuery(IndexFields.EMBEDDING), BooleanClause.Occur.MUST_NOT)
                    .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)), BooleanClause.Occur.FILTER)
                    .build());
            return n;
        });
    }

    /** Merges down to at most {@code segments} segments (tests and benchmarks; normal merges run by themselves). */
    void forceMerge(int segments) throws IOException {
        writer.forceMerge(segments);
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
     * {@code search(query, Integer.MAX_VALUE)} sizes its hit queue by the index and fills it up front, so returning a
     * document's handful of chunks would cost as much as the index is large (docs/architecture.md, "The index").
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

    /**
     * Holds the last commit: its files stay on disk, whatever later commits and merges do, until
     * {@link #releaseCommit}. Any thread.
     */
    IndexCommit holdCommit() throws IOException {
        return commits.snapshot();
    }

    /** Lets go of a commit {@link #holdCommit} held; its files no later commit uses are deleted. Any thread. */
    void releaseCommit(IndexCommit commit) throws IOException {
        commits.release(commit);
        if (writer.isOpen()) {
            writer.deleteUnusedFiles();
        }
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
