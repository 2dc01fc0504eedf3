package org.dindex.index;

import org.apache.lucene.document.Document;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.dindex.index.vectors.ExactRerank;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The index: Lucene (text, stored fields and the embeddings as a vector field with a jvector graph per segment, see
 * {@link LuceneStore}) plus the write-ahead log.
 *
 * <p><b>Writes</b> ({@link #write}, {@link #commit}, {@link #lookup}) must come from one thread, the daemon's index
 * writer. A write is appended to the WAL and fsynced, then applied to Lucene; it becomes visible to searches at the
 * next {@link #commit}, which commits Lucene (text and vectors alike) with the WAL sequence it covers, swaps the
 * {@link IndexSnapshot} readers get, and empties the WAL. <b>Reads</b> ({@link #acquire}) may come from any thread.
 *
 * <p><b>Recovery</b> at {@link #open}: WAL records newer than the last commit are replayed (idempotent: documents are
 * replaced by id) and committed. Nothing else needs rebuilding: the vectors and their graphs are in the commit.
 */
public final class ChunkIndex implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChunkIndex.class.getName());
    static final String KEY_WAL_SEQ = "wal_seq";
    static final String KEY_MODEL = "model";
    static final String KEY_DIMENSIONS = "dimensions";
    static final String KEY_COMMITTED_AT = "committed_at";
    /**
     * The layout of the Lucene documents; {@value #LAYOUT}: embeddings in the vector field {@link IndexFields#EMBEDDING}
     * and document records with their title stored only (see {@link IndexFields}). Layout 2 kept the embeddings as
     * stored bytes for a graph on the heap, layout 1 also indexed record titles; both are converted at {@link #open}.
     */
    static final String KEY_LAYOUT = "layout";
    static final String LAYOUT = "3";

    /** What the writer knows of a document written since the last commit; {@code chunks} below 0 when deleted. */
    private record Pending(String source, String contentHash, int chunks) {
        boolean deleted() {
            return chunks < 0;
        }
    }

    /** The WAL append failed: nothing of the write was applied, the index is unchanged. */
    public static final class WalWriteException extends IOException {
        WalWriteException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A document as the writer sees it: enough to decide "unchanged" without re-embedding. */
    public record DocState(String docId, String contentHash, int chunks) {
    }

    /** Result of a commit. */
    public record CommitInfo(long walSeq, int committedOps, long millis, Instant at) {
    }

    private final Path dir;
    private final String model;
    private final int dimensions;
    private final LuceneStore lucene;
    private final WriteAheadLog wal;
    private final Map<String, Pending> pending = new HashMap<>();
    private boolean clearedSinceCommit;
    private int pendingOps;
    private int pendingChunks;
    private volatile IndexSnapshot current;
    private volatile Instant lastCommitAt;
    private volatile long lastCommitMillis;
    private long generation;
    private int recoveredOps;
    private volatile boolean closed;

    private ChunkIndex(Path dir, String model, int dimensions, LuceneStore lucene, WriteAheadLog wal) {
        this.dir = dir;
        this.model = model;
        this.dimensions = dimensions;
        this.lucene = lucene;
        this.wal = wal;
    }

    /**
     * Opens (or creates) the index in {@code dir}, converting an older layout and replaying the WAL.
     *
     * @throws IndexMismatchException when the index was built with another model or dimension
     */
    public static ChunkIndex open(Path dir, String model, int dimensions) throws IOException {
        Files.createDirectories(dir);
        LuceneStore lucene = new LuceneStore(luceneDir(dir));
        ChunkIndex index = null;
        try {
            Map<String, String> data = lucene.commitData();
            String indexModel = data.get(KEY_MODEL);
            if (indexModel != null && (!indexModel.equals(model)
                    || !String.valueOf(dimensions).equals(data.get(KEY_DIMENSIONS)))) {
                throw new IndexMismatchException("the index in " + dir + " was built with model '" + indexModel
                        + "' (" + data.get(KEY_DIMENSIONS) + " dimensions) but the daemon is configured for '"
                        + model + "' (" + dimensions + "): set embedding.model back to '" + indexModel
                        + "', or re-index (dindex clear --yes, then index again)");
            }
            if (!data.isEmpty() && !LAYOUT.equals(data.get(KEY_LAYOUT))) {
                convertLayout(lucene, data);
            }
            long committedSeq = Long.parseLong(data.getOrDefault(KEY_WAL_SEQ, "0"));
            WriteAheadLog wal = WriteAheadLog.open(dir.resolve("wal").resolve("wal.log"));
            wal.advanceTo(committedSeq);
            int replayed = 0;
            index = new ChunkIndex(dir, model, dimensions, lucene, wal);
            for (WriteAheadLog.Entry e : wal.recovered()) {
                if (e.seq() > committedSeq) {
                    for (WriteOp op : WalCodec.decode(e.payload())) {
                        index.apply(op);
                        replayed++;
                    }
                }
            }
            if (replayed > 0) {
                LOG.info("replayed " + replayed + " operations from the write-ahead log");
            }
            index.recoveredOps = replayed;
            index.commitNow(true);
            return index;
        } catch (IOException | RuntimeException e) {
            if (index == null) {
                lucene.close();
            }
            throw e;
        }
    }

    /**
     * Brings an index written before layout {@value #LAYOUT} to it, in one commit: its embeddings are read back from
     * the stored bytes, so nothing is embedded again. A crash before the commit leaves the old layout, converted
     * again at the next open. The vector graphs are built as the new segments are flushed, which makes this about as
     * long as indexing the same vectors (logged as it goes).
     */
    private static void convertLayout(LuceneStore lucene, Map<String, String> data) throws IOException {
        long t0 = System.nanoTime();
        LOG.info("converting the index from layout " + data.getOrDefault(KEY_LAYOUT, "1") + " to " + LAYOUT
                + ": embeddings into Lucene's vector segments (no re-embedding); searches start when it is done");
        int documents = lucene.convertToCurrentLayout(n -> {
            if (n % 10_000 == 0) {
                LOG.info("converting the index: " + n + " documents so far");
            }
        });
        Map<String, String> converted = new HashMap<>(data);
        converted.put(KEY_LAYOUT, LAYOUT);
        converted.remove("next_ordinal");
        lucene.commit(converted);
        LOG.info("index converted to layout " + LAYOUT + ": " + documents + " documents in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    /** Appends {@code ops} to the WAL (fsynced), then applies them. When this returns the write is durable. */
    public long write(List<WriteOp> ops) throws IOException {
        long seq;
        try {
            seq = wal.append(WalCodec.encode(ops));
        } catch (IOException e) {
            throw new WalWriteException(e);
        }
        for (WriteOp op : ops) {
            apply(op);
        }
        return seq;
    }

    private void apply(WriteOp op) throws IOException {
        switch (op) {
            case WriteOp.Upsert u -> {
                DocumentRecord doc = u.doc();
                lucene.upsert(doc);
                pending.put(doc.docId(), new Pending(doc.source(), doc.contentHash(), doc.chunks().size()));
                pendingChunks += doc.chunks().size();
            }
            case WriteOp.DeleteDocuments d -> {
                for (String id : d.docIds()) {
                    pending.put(id, new Pending(null, null, -1));
                }
                lucene.deleteDocuments(d.docIds());
            }
            case WriteOp.DeleteSource s -> {
                List<String> ids = docIdsWithSourcePrefix(s.prefix());
                apply(new WriteOp.DeleteDocuments(ids));
            }
            case WriteOp.Clear c -> {
                lucene.deleteAll();
                pending.clear();
                clearedSinceCommit = true;
            }
        }
        pendingOps++;
    }

    /** Ids of documents whose source starts with {@code prefix}, as the writer sees them now. Writer thread. */
    public List<String> docIdsWithSourcePrefix(String prefix) throws IOException {
        Set<String> ids = new HashSet<>();
        if (!clearedSinceCommit) {
            Query q = new BooleanQuery.Builder()
                    .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)), BooleanClause.Occur.FILTER)
                    .add(new PrefixQuery(new Term(IndexFields.SOURCE, prefix)), BooleanClause.Occur.FILTER)
                    .build();
            ids.addAll(lucene.withCommitted(searcher -> {
                List<String> found = new ArrayList<>();
                StoredFields stored = searcher.storedFields();
                for (ScoreDoc sd : LuceneStore.allMatches(searcher, q)) {
                    found.add(stored.document(sd.doc, Set.of(IndexFields.DOC_ID)).get(IndexFields.DOC_ID));
                }
                return found;
            }));
        }
        pending.forEach((id, p) -> {
            if (p.deleted()) {
                ids.remove(id);
            } else if (p.source().startsWith(prefix)) {
                ids.add(id);
            }
        });
        return List.copyOf(ids);
    }

    /** The document as the writer sees it now (including uncommitted writes), if it exists. */
    public Optional<DocState> lookup(String docId) throws IOException {
        Pending p = pending.get(docId);
        if (p != null) {
            return p.deleted() ? Optional.empty() : Optional.of(new DocState(docId, p.contentHash(), p.chunks()));
        }
        if (clearedSinceCommit) {
            return Optional.empty();
        }
        Query q = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(IndexFields.DOC_ID, docId)), BooleanClause.Occur.FILTER)
                .build();
        return lucene.withCommitted(searcher -> {
            TopDocs top = searcher.search(q, 1);
            if (top.scoreDocs.length == 0) {
                return Optional.empty();
            }
            Document d = searcher.storedFields().document(top.scoreDocs[0].doc);
            return Optional.of(new DocState(docId, d.get(IndexFields.CONTENT_HASH),
                    d.getField(IndexFields.CHUNK_COUNT).numericValue().intValue()));
        });
    }

    /**
     * Waits until the background merges have caught up (for benchmarks and tools that want the index as a daemon
     * leaves it after a while, not as a bulk load left it); then {@link #commit()} records the merged segments.
     */
    public void awaitMerges() throws IOException {
        lucene.awaitMerges();
    }

    /** Segments in the current snapshot (each has its own vector graph: dense search cost grows with them). */
    public int segmentCount() {
        try (IndexSnapshot s = acquire()) {
            return s.searcher().getIndexReader().leaves().size();
        }
    }

    /** Commits everything written so far and makes it visible to new snapshots. */
    public CommitInfo commit() throws IOException {
        return commitNow(false);
    }

    private CommitInfo commitNow(boolean force) throws IOException {
        long t0 = System.nanoTime();
        int ops = pendingOps;
        if (ops > 0 || force || lucene.hasUncommittedChanges()) {
            Instant at = Instant.now();
            lucene.commit(Map.of(KEY_WAL_SEQ, Long.toString(wal.lastSeq()), KEY_MODEL, model,
                    KEY_DIMENSIONS, Integer.toString(dimensions), KEY_COMMITTED_AT, at.toString(),
                    KEY_LAYOUT, LAYOUT));
            IndexSearcher searcher = lucene.committed().acquire();
            IndexSnapshot previous = current;
            current = new IndexSnapshot(searcher, ++generation);
            if (previous != null) {
                previous.decRef();
            }
            wal.truncate();
            pending.clear();
            clearedSinceCommit = false;
            pendingOps = 0;
            pendingChunks = 0;
            lastCommitAt = at;
        }
        lastCommitMillis = (System.nanoTime() - t0) / 1_000_000;
        return new CommitInfo(wal.lastSeq(), ops, lastCommitMillis, lastCommitAt);
    }

    /**
     * A Lucene commit held on disk for a copy (a snapshot of the collection): the files it names, its commit data
     * (WAL sequence, model, dimensions, time) and what it holds.
     */
    public record HeldCommit(ChunkIndex index, IndexCommit commit, Path luceneDir,
                             Collection<String> files, Map<String, String> data, long documents,
                             long chunks) {
        public long generation() {
            return commit.getGeneration();
        }
    }

    /**
     * Commits every write so far, then holds that commit so that its files stay while they are copied (writes,
     * commits and merges go on meanwhile). Writer thread, so no write falls between the commit and the hold.
     * Release it with {@link #releaseCommit}.
     */
    public HeldCommit holdCommit() throws IOException {
        commitNow(false);
        IndexCommit commit = lucene.holdCommit();
        try {
            long[] counts = counts();  // the current snapshot is this commit: no other commit can come between
            return new HeldCommit(this, commit, luceneDir(), List.copyOf(commit.getFileNames()),
                    Map.copyOf(commit.getUserData()), counts[0], counts[1]);
        } catch (IOException | RuntimeException e) {
            lucene.releaseCommit(commit);
            throw e;
        }
    }

    /** Lets go of a commit {@link #holdCommit} held. */
    public void releaseCommit(HeldCommit held) throws IOException {
        lucene.releaseCommit(held.commit());
    }

    /** The current snapshot, with a reference held for the caller: close it when done. Any thread. */
    public IndexSnapshot acquire() {
        while (true) {
            IndexSnapshot s = current;
            if (s == null) {
                throw new DindexException(ErrorCode.UNAVAILABLE, closed
                        ? "the index was closed (its collection was deleted or replaced)"
                        : "the index is being reopened; retry");
            }
            if (s.tryIncRef()) {
                return s;
            }
        }
    }

    /** Documents and chunks of the current snapshot (its last commit). Any thread. */
    public long[] counts() throws IOException {
        try (IndexSnapshot snap = acquire()) {
            IndexSearcher s = snap.searcher();
            return new long[] {s.count(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC))),
                    s.count(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)))};
        }
    }

    public int pendingOps() {
        return pendingOps;
    }

    public int pendingChunks() {
        return pendingChunks;
    }

    public int recoveredOps() {
        return recoveredOps;
    }

    public Instant lastCommitAt() {
        return lastCommitAt;
    }

    public long lastCommitMillis() {
        return lastCommitMillis;
    }

    public String model() {
        return model;
    }

    public int dimensions() {
        return dimensions;
    }

    public long walBytes() throws IOException {
        return wal.sizeBytes();
    }

    public Path luceneDir() {
        return luceneDir(dir);
    }

    /** Where the Lucene index of the index in {@code indexDir} lives (beside its write-ahead log). */
    public static Path luceneDir(Path indexDir) {
        return indexDir.resolve("lucene");
    }

    /**
     * Candidates rescored at full precision per dense search, as a multiple of the beam. Compressed codes misrank
     * some true neighbours below the beam's worth of best candidates; rescoring twice as many keeps recall near
     * exact for a couple of hundred random vector reads per search (what a search costs when memory is tight).
     */
    static final int RERANK_FACTOR = 2;

    /** A dense hit: the chunk's doc id in the snapshot's searcher and its similarity (dot product, -1..1). */
    public record DenseHit(int doc, float score) {
    }

    /**
     * Dense search on a snapshot: the {@code k} chunks nearest to {@code query}, among those {@code filter} matches
     * when given. Lucene searches each segment's jvector graph with a beam of {@code max(k, beam)} (the filter
     * applied inside it) and exactly where a segment is small or the filter selective; the best
     * {@link #RERANK_FACTOR} x {@code max(k, beam)} of all segments, ranked by their compressed codes, are then
     * rescored from their full vectors once, here, instead of in every segment. An index or a filter of at
     * most {@code exactBelow} chunks is answered exactly here: at that size scoring every mapped vector is cheap
     * (docs/architecture.md, "The index"), and a graph walk degrades when few of its nodes are eligible. Any thread.
     */
    public List<DenseHit> denseSearch(IndexSnapshot snapshot, float[] query, int k, int beam, Query filter,
                                      int exactBelow) throws IOException {
        IndexSearcher searcher = snapshot.searcher();
        boolean small = filter == null ? searcher.getIndexReader().maxDoc() <= exactBelow
                : searcher.count(filter) <= exactBelow;
        if (small) {
            return DenseVectors.exact(searcher, query, k, filter);
        }
        int depth = RERANK_FACTOR * Math.max(k, beam);
        TopDocs top = searcher.search(new KnnFloatVectorQuery(IndexFields.EMBEDDING, query, depth, filter), depth);
        ScoreDoc[] best = ExactRerank.topK(searcher, IndexFields.EMBEDDING, query, top.scoreDocs, k);
        List<DenseHit> hits = new ArrayList<>(best.length);
        for (ScoreDoc hit : best) {
            hits.add(new DenseHit(hit.doc, DenseVectors.dotProduct(hit.score)));
        }
        return hits;
    }

    /** Exact dense search over every chunk: the ground truth for recall measurements. Any thread. */
    public List<DenseHit> exactDenseSearch(IndexSnapshot snapshot, float[] query, int k) throws IOException {
        return DenseVectors.exact(snapshot.searcher(), query, k, null);
    }

    /** The embeddings of chunk documents (doc ids of the snapshot's searcher); null where a doc has none. */
    public float[][] vectors(IndexSnapshot snapshot, int[] docs) throws IOException {
        return DenseVectors.of(snapshot.searcher(), docs);
    }

    /**
     * The heap the open vector segments hold (PQ codes, codebooks, upper graph layers): the full vectors stay in
     * mapped files.
     */
    public long vectorHeapBytes() {
        try (IndexSnapshot snap = acquire()) {
            return DenseVectors.heapBytes(snap.searcher());
        }
    }

    LuceneStore luceneStore() {
        return lucene;
    }

    /**
     * After a failed write or commit: lets go of Lucene's writer (and its lock) and of the write-ahead log, so that
     * the index can be opened afresh from its last commit plus the log, while searches go on with this index's last
     * snapshot until {@link #close()}. Writer thread; idempotent.
     */
    public synchronized void releaseWriter() {
        try {
            lucene.releaseWriter();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "releasing the failed index writer", e);
        }
        try {
            wal.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the write-ahead log of the failed index", e);
        }
    }

    /** Closes the stores. A second call does nothing. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IndexSnapshot s = current;
        current = null;
        if (s != null) {
            s.decRef();
        }
        wal.close();
        lucene.close();
    }
}
