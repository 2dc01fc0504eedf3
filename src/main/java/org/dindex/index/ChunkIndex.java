package org.dindex.index;

import org.apache.lucene.document.Document;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.Bits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The index: Lucene (text, stored fields, durable vectors) plus the vector graph plus the write-ahead log, kept
 * consistent.
 *
 * <p><b>Writes</b> ({@link #write}, {@link #commit}, {@link #lookup}) must come from one thread, the daemon's index
 * writer. A write is appended to the WAL and fsynced, then applied to both stores; it becomes visible to searches at
 * the next {@link #commit}, which commits Lucene with the WAL sequence it covers, publishes the vector view, swaps the
 * {@link IndexSnapshot} readers get, and empties the WAL. <b>Reads</b> ({@link #acquire}) may come from any thread.
 *
 * <p><b>Recovery</b> at {@link #open}: the graph is rebuilt from the vectors Lucene stores at their recorded
 * ordinals, then WAL records newer than the last commit are replayed (idempotent: documents are replaced by id) and
 * committed.
 */
public final class ChunkIndex implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChunkIndex.class.getName());
    static final String KEY_WAL_SEQ = "wal_seq";
    static final String KEY_MODEL = "model";
    static final String KEY_DIMENSIONS = "dimensions";
    static final String KEY_COMMITTED_AT = "committed_at";
    /** The next vector ordinal: ordinals are never reused, so a graph snapshot can never mistake one vector for another. */
    static final String KEY_NEXT_ORDINAL = "next_ordinal";
    /**
     * The layout of the Lucene documents; {@value #LAYOUT}: document records store their title without indexing it
     * (see {@link IndexFields}). An index without it is upgraded at {@link #open}.
     */
    static final String KEY_LAYOUT = "layout";
    static final String LAYOUT = "2";
    /**
     * A graph snapshot is saved after a commit once this many graph changes (and a fifth of the graph) have piled up
     * since the last one, and at close. Saving a million-node graph takes seconds on the writer thread; rebuilding
     * it after a crash would take the better part of an hour, so a crash costs at most the inserts since.
     */
    static final int SNAPSHOT_AFTER_CHANGES = 50_000;

    /** What the writer knows of a document written since the last commit; ordinals null for a deleted one. */
    private record Pending(String source, String contentHash, int[] ordinals) {
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
    private final VectorStore vectors;
    private final WriteAheadLog wal;
    private boolean writerReleased;
    private final Map<String, Pending> pending = new HashMap<>();
    private boolean clearedSinceCommit;
    private int pendingOps;
    private int pendingChunks;
    private volatile IndexSnapshot current;
    private volatile Instant lastCommitAt;
    private volatile long lastCommitMillis;
    private long generation;
    private int recoveredOps;
    private String graphOrigin = "";
    private boolean closed;

    private ChunkIndex(Path dir, String model, int dimensions, LuceneStore lucene, VectorStore vectors,
                       WriteAheadLog wal) {
        this.dir = dir;
        this.model = model;
        this.dimensions = dimensions;
        this.lucene = lucene;
        this.vectors = vectors;
        this.wal = wal;
    }

    /**
     * Opens (or creates) the index in {@code dir}, rebuilding the vector graph and replaying the WAL.
     *
     * @throws IndexMismatchException when the index was built with another model or dimension
     */
    public static ChunkIndex open(Path dir, String model, int dimensions) throws IOException {
        Files.createDirectories(dir);
        LuceneStore lucene = new LuceneStore(dir.resolve("lucene"));
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
                upgradeLayout(lucene, data);
            }
            long committedSeq = Long.parseLong(data.getOrDefault(KEY_WAL_SEQ, "0"));
            VectorStore vectors = new VectorStore(dimensions);
            vectors.reserveOrdinalsBelow(Integer.parseInt(data.getOrDefault(KEY_NEXT_ORDINAL, "0")));
            long t0 = System.nanoTime();
            String how = vectors.restore(graphFile(dir), sink -> restoreVectors(lucene, sink));
            if (vectors.graphSize() > 0) {
                LOG.info("vector graph ready in " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + how);
            }
            WriteAheadLog wal = WriteAheadLog.open(dir.resolve("wal").resolve("wal.log"));
            wal.advanceTo(committedSeq);
            int replayed = 0;
            index = new ChunkIndex(dir, model, dimensions, lucene, vectors, wal);
            index.graphOrigin = how;
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

    /** Brings an index written before layout {@value #LAYOUT} to it, in one commit. */
    private static void upgradeLayout(LuceneStore lucene, Map<String, String> data) throws IOException {
        long t0 = System.nanoTime();
        LOG.info("upgrading the index layout: rewriting document records so that text queries skip them");
        int records = lucene.rewriteRecordsWithStoredTitles();
        Map<String, String> upgraded = new HashMap<>(data);
        upgraded.put(KEY_LAYOUT, LAYOUT);
        lucene.commit(upgraded);
        LOG.info("index layout upgraded: " + records + " document records rewritten in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    static Path graphFile(Path dir) {
        return dir.resolve("vectors").resolve("graph.bin");
    }

    private static int restoreVectors(LuceneStore lucene, VectorStore.StoredVectors.Sink vectors)
            throws IOException {
        return lucene.withCommitted(searcher -> {
            int n = 0;
            Set<String> fields = Set.of(IndexFields.VECTOR, IndexFields.VECTOR_ORDINAL);
            Query chunks = new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK));
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                Bits live = leaf.reader().getLiveDocs();
                StoredFields stored = leaf.reader().storedFields();
                var scorer = searcher.createWeight(searcher.rewrite(chunks),
                        org.apache.lucene.search.ScoreMode.COMPLETE_NO_SCORES, 1f).scorer(leaf);
                if (scorer == null) {
                    continue;
                }
                var it = scorer.iterator();
                for (int doc = it.nextDoc(); doc != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;
                     doc = it.nextDoc()) {
                    if (live != null && !live.get(doc)) {
                        continue;
                    }
                    Document d = stored.document(doc, fields);
                    var bytes = d.getBinaryValue(IndexFields.VECTOR);
                    vectors.accept(d.getField(IndexFields.VECTOR_ORDINAL).numericValue().intValue(),
                            VectorCodec.decode(bytes.bytes, bytes.offset, bytes.length));
                    n++;
                }
            }
            return n;
        });
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
        vectors.flushInserts();
        return seq;
    }

    private void apply(WriteOp op) throws IOException {
        switch (op) {
            case WriteOp.Upsert u -> {
                DocumentRecord doc = u.doc();
                deleteVectorsOf(doc.docId());
                int[] ordinals = new int[doc.chunks().size()];
                for (int i = 0; i < ordinals.length; i++) {
                    ordinals[i] = vectors.nextOrdinal();
                    vectors.add(ordinals[i], doc.chunks().get(i).vector());
                }
                lucene.upsert(doc, ordinals);
                pending.put(doc.docId(), new Pending(doc.source(), doc.contentHash(), ordinals));
                pendingChunks += ordinals.length;
            }
            case WriteOp.DeleteDocuments d -> {
                for (String id : d.docIds()) {
                    deleteVectorsOf(id);
                    pending.put(id, new Pending(null, null, null));
                }
                lucene.deleteDocuments(d.docIds());
            }
            case WriteOp.DeleteSource s -> {
                List<String> ids = docIdsWithSourcePrefix(s.prefix());
                apply(new WriteOp.DeleteDocuments(ids));
            }
            case WriteOp.Clear c -> {
                vectors.clear();
                lucene.deleteAll();
                pending.clear();
                clearedSinceCommit = true;
            }
        }
        pendingOps++;
    }

    private void deleteVectorsOf(String docId) throws IOException {
        for (int ordinal : ordinalsOf(docId)) {
            vectors.delete(ordinal);
        }
    }

    /** Vector ordinals of a document's chunks as the writer sees it (pending writes first, then the last commit). */
    int[] ordinalsOf(String docId) throws IOException {
        Pending p = pending.get(docId);
        if (p != null) {
            return p.ordinals() == null ? new int[0] : p.ordinals();
        }
        if (clearedSinceCommit) {
            return new int[0];
        }
        Query q = chunksOf(docId);
        return lucene.withCommitted(searcher -> {
            ScoreDoc[] hits = LuceneStore.allMatches(searcher, q);
            int[] ords = new int[hits.length];
            StoredFields stored = searcher.storedFields();
            for (int i = 0; i < ords.length; i++) {
                ords[i] = stored.document(hits[i].doc, Set.of(IndexFields.VECTOR_ORDINAL))
                        .getField(IndexFields.VECTOR_ORDINAL).numericValue().intValue();
            }
            return ords;
        });
    }

    private static Query chunksOf(String docId) {
        return new BooleanQuery.Builder()
                .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(IndexFields.DOC_ID, docId)), BooleanClause.Occur.FILTER)
                .build();
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
            if (p.ordinals() == null) {
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
            return p.ordinals() == null ? Optional.empty()
                    : Optional.of(new DocState(docId, p.contentHash(), p.ordinals().length));
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

    /** Commits everything written so far and makes it visible to new snapshots. */
    public CommitInfo commit() throws IOException {
        return commitNow(false);
    }

    private CommitInfo commitNow(boolean force) throws IOException {
        long t0 = System.nanoTime();
        int ops = pendingOps;
        if (ops > 0 || force || lucene.hasUncommittedChanges()) {
            Instant at = Instant.now();
            vectors.flushInserts();
            lucene.commit(Map.of(KEY_WAL_SEQ, Long.toString(wal.lastSeq()), KEY_MODEL, model,
                    KEY_DIMENSIONS, Integer.toString(dimensions), KEY_COMMITTED_AT, at.toString(),
                    KEY_NEXT_ORDINAL, Integer.toString(vectors.ordinalHighWater()), KEY_LAYOUT, LAYOUT));
            VectorStore.View view = vectors.publish();
            IndexSearcher searcher = lucene.committed().acquire();
            IndexSnapshot previous = current;
            current = new IndexSnapshot(searcher, view, ++generation);
            if (previous != null) {
                previous.decRef();
            }
            wal.truncate();
            pending.clear();
            clearedSinceCommit = false;
            pendingOps = 0;
            pendingChunks = 0;
            lastCommitAt = at;
            if (vectors.changedSinceSnapshot() >= SNAPSHOT_AFTER_CHANGES
                    && vectors.changedSinceSnapshot() >= vectors.graphSize() / 5) {
                saveGraph();
            }
        }
        lastCommitMillis = (System.nanoTime() - t0) / 1_000_000;
        return new CommitInfo(wal.lastSeq(), ops, lastCommitMillis, lastCommitAt);
    }

    /** The current snapshot, with a reference held for the caller: close it when done. Any thread. */
    public IndexSnapshot acquire() {
        while (true) {
            IndexSnapshot s = current;
            if (s == null) {
                throw new org.dindex.protocol.DindexException(org.dindex.protocol.ErrorCode.UNAVAILABLE,
                        "the index is being reopened; retry");
            }
            if (s.tryIncRef()) {
                return s;
            }
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

    public long vectorBytes() {
        return vectors.bytes();
    }

    public Path luceneDir() {
        return dir.resolve("lucene");
    }

    /** A dense hit: vector ordinal and similarity (dot product of unit vectors, -1..1). */
    public record DenseHit(int ordinal, float score) {
    }

    /**
     * Dense search on a snapshot: the {@code k} visible vectors nearest to {@code query}, among {@code accepted}
     * ordinals when given. A small index or a selective filter (at most {@code exactBelow} visible or accepted
     * ordinals) is answered exactly by scoring every eligible vector: graph search degrades when few nodes are
     * eligible, and a tiny freshly built graph may not yet connect every node, while scoring 2,000 vectors costs
     * well under a millisecond. Otherwise the graph is searched with the accepted set as its filter, and an
     * unfiltered search that comes back short of {@code k} while more vectors are visible is redone exactly. Any
     * thread.
     */
    public List<DenseHit> denseSearch(IndexSnapshot snapshot, float[] query, int k, int beam,
                                      org.apache.lucene.util.FixedBitSet accepted, int exactBelow) {
        io.github.jbellis.jvector.util.Bits filter = accepted == null ? null
                : ordinal -> ordinal < accepted.length() && accepted.get(ordinal);
        VectorStore.View view = snapshot.vectors();
        boolean small = view.live() <= exactBelow || accepted != null && accepted.cardinality() <= exactBelow;
        List<VectorStore.Hit> hits = small
                ? vectors.bruteForce(view, query, k, filter)
                : vectors.search(view, query, k, beam, filter);
        if (!small && filter == null && hits.size() < Math.min(k, view.live())) {
            // The graph left visible nodes unreachable (possible after many deletes): exact beats short.
            hits = vectors.bruteForce(view, query, k, null);
        }
        List<DenseHit> out = new ArrayList<>(hits.size());
        for (VectorStore.Hit h : hits) {
            out.add(new DenseHit(h.ordinal(), h.score()));
        }
        return out;
    }

    /** Exact dense search over every visible vector: the ground truth for recall measurements. Any thread. */
    public List<DenseHit> exactDenseSearch(IndexSnapshot snapshot, float[] query, int k) {
        return vectors.bruteForce(snapshot.vectors(), query, k, null).stream()
                .map(h -> new DenseHit(h.ordinal(), h.score())).toList();
    }

    VectorStore vectorStore() {
        return vectors;
    }

    /** How the vector graph was obtained at open: loaded from its snapshot (and reconciled) or built. */
    String graphOrigin() {
        return graphOrigin;
    }

    LuceneStore luceneStore() {
        return lucene;
    }

    /** Saves the vector graph snapshot; a failure (a full disk) is logged, never fatal: the graph can be rebuilt. */
    private void saveGraph() {
        long t0 = System.nanoTime();
        int nodes = vectors.graphSize();
        try {
            vectors.saveGraph(graphFile(dir));
            LOG.info("saved the vector graph snapshot (" + nodes + " nodes) in " + (System.nanoTime() - t0) / 1_000_000
                    + " ms");
        } catch (IOException | RuntimeException e) {
            LOG.warning("could not save the vector graph snapshot (" + IndexService.describe(e) + "); a restart will"
                    + " rebuild the graph from the stored vectors instead");
        }
    }

    /**
     * After a failed write or commit: lets go of Lucene's writer (and its lock) and of the write-ahead log, so that
     * the index can be opened afresh from its last commit plus the log, while searches go on with this index's last
     * snapshot and vectors until {@link #close()}. Writer thread; idempotent.
     */
    public synchronized void releaseWriter() {
        writerReleased = true;
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

    /** Saves the graph snapshot if it changed, then closes the stores. A second call does nothing. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        // A released index is replaced by a fresh one that owns the graph snapshot now.
        if (!writerReleased && vectors.changedSinceSnapshot() > 0) {
            saveGraph();
        }
        IndexSnapshot s = current;
        current = null;
        if (s != null) {
            s.decRef();
        }
        vectors.close();
        wal.close();
        lucene.close();
    }
}
