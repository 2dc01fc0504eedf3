package org.dindex.index.vectors;

import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.hnsw.FlatVectorScorerUtil;
import org.apache.lucene.codecs.hnsw.FlatVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99FlatVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.VectorEncoding;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.ReadAdvice;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * A Lucene vector format whose approximate search walks a jvector (DiskANN-style) graph, so that vectors and graph
 * are ordinary segment files: written at flush, rebuilt at merge, dropped with their segment, and read through the
 * directory (memory-mapped under {@code MMapDirectory}) instead of living on the heap.
 *
 * <p>Per segment and field: Lucene's flat vector files ({@code .vec}/{@code .vemf}, from
 * {@link Lucene99FlatVectorsFormat}) hold the full-precision vectors and the ordinal-to-document map; this format's
 * data file ({@code .jvex}) holds the jvector graph (adjacency lists only; node = vector ordinal) and the product
 * quantisation (PQ) codebooks and codes; its meta file ({@code .jvem}) says where. Opening a segment reads the PQ
 * codes onto the heap, {@code pqSubspaces} bytes per vector, and nothing else of size: a search scores graph
 * candidates with those codes, keeps the best {@code rerankDepth} (its beam) and returns the best k of them with
 * their <em>approximate</em> scores. Rescoring at full precision is left to the caller, across all segments at once
 * (dindex's {@code ChunkIndex.denseSearch} rereads the best candidates' vectors from the mapped flat file), which
 * reads far fewer vectors than a rerank in every segment. Segments with fewer than 1,024 vectors get no graph and
 * are searched exactly.
 *
 * <p>Graphs serve float vectors with {@code DOT_PRODUCT}, {@code COSINE} or {@code EUCLIDEAN} similarity; byte
 * vectors and {@code MAXIMUM_INNER_PRODUCT} (which jvector lacks) are stored and searched exactly. Graphs and PQ
 * codes are built on a {@link ForkJoinPool}, the caller's or a shared default one with a thread per core, which
 * bounds the threads all flushes and merges use together.
 */
public final class JVectorFormat extends KnnVectorsFormat {
    /** The name segments record for this format; Lucene finds the format by it (SPI) when opening them. */
    public static final String NAME = "DindexJVector";
    /**
     * 8 dimensions per subspace for 384-dimension embeddings: 48 bytes of heap per vector. Twice as many subspaces
     * give slightly better candidates but cost twice the heap and more PQ training at every flush
     * and merge; the caller's exact rerank makes up most of the difference.
     */
    public static final int DEFAULT_PQ_SUBSPACES = 48;
    /** The beam dindex's own jvector search has used (its {@code search.dense_beam}). */
    public static final int DEFAULT_RERANK_DEPTH = 100;

    static final String META_CODEC = "DindexJVectorMeta";
    static final String DATA_CODEC = "DindexJVectorData";
    static final String META_EXTENSION = "jvem";
    static final String DATA_EXTENSION = "jvex";
    static final int VERSION_START = 0;
    static final int VERSION_CURRENT = VERSION_START;

    /** Below this many vectors an exact scan costs about what a graph search does, and is exact. */
    static final int MIN_GRAPH_SIZE = 1024;

    private final int pqSubspaces;
    private final int rerankDepth;
    /** Null for {@link DefaultBuildPool}, which is then created only if this format ever writes. */
    private final ForkJoinPool buildPool;
    private final FlatVectorsFormat flatFormat =
            new Lucene99FlatVectorsFormat(FlatVectorScorerUtil.getLucene99FlatVectorsScorer());

    /** Default settings; also what Lucene uses when it opens segments by format name. */
    public JVectorFormat() {
        super(NAME);
        this.pqSubspaces = DEFAULT_PQ_SUBSPACES;
        this.rerankDepth = DEFAULT_RERANK_DEPTH;
        this.buildPool = null;
    }

    /**
     * @param pqSubspaces PQ subspaces, hence bytes of heap per vector (fewer for vectors with fewer dimensions);
     *                    more means closer approximate scores, so better candidates for the rerank
     * @param rerankDepth the graph search's beam: candidates kept per search (at least k) by their PQ scores, of
     *                    which the best k are returned. Stored with each segment written, and used when searching it
     * @param buildPool   runs graph builds and PQ training and encoding; its parallelism bounds how many cores
     *                    flushes and merges take from searches, and its threads' priority applies to them
     */
    public JVectorFormat(int pqSubspaces, int rerankDepth, ForkJoinPool buildPool) {
        super(NAME);
        if (pqSubspaces < 1 || rerankDepth < 1) {
            throw new IllegalArgumentException("pqSubspaces and rerankDepth must be positive, got " + pqSubspaces
                    + " and " + rerankDepth);
        }
        this.pqSubspaces = pqSubspaces;
        this.rerankDepth = rerankDepth;
        this.buildPool = Objects.requireNonNull(buildPool, "buildPool");
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        ForkJoinPool pool = buildPool == null ? DefaultBuildPool.INSTANCE : buildPool;
        return new JVectorWriter(state, flatFormat, new FieldGraphWriter(pqSubspaces, rerankDepth, pool));
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return new JVectorReader(state, flatFormat.fieldsReader(state));
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return DEFAULT_MAX_DIMENSIONS;
    }

    /**
     * The pool of formats given none: a thread per core, created on the first write (formats that only read never
     * start one), daemon threads that retire when idle.
     */
    private static final class DefaultBuildPool {
        static final ForkJoinPool INSTANCE = new ForkJoinPool(Runtime.getRuntime().availableProcessors(), pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("dindex-jvector-build-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /**
     * The jvector similarity a graph over {@code field} would use, or null when jvector cannot serve the field:
     * byte vectors, and {@code MAXIMUM_INNER_PRODUCT}, which jvector lacks. Such fields get no graph and are searched
     * exactly; refusing them instead would fail Lucene's indexing chain, which treats an exception from a vector
     * writer as fatal to the whole {@code IndexWriter}. The libraries score alike ((1 + dot) / 2, (1 + cos) / 2 and
     * 1 / (1 + d²)), so graph order agrees with Lucene's exact scores.
     */
    static VectorSimilarityFunction jvectorSimilarity(FieldInfo field) {
        if (field.getVectorEncoding() != VectorEncoding.FLOAT32) {
            return null;
        }
        return switch (field.getVectorSimilarityFunction()) {
            case DOT_PRODUCT -> VectorSimilarityFunction.DOT_PRODUCT;
            case COSINE -> VectorSimilarityFunction.COSINE;
            case EUCLIDEAN -> VectorSimilarityFunction.EUCLIDEAN;
            case MAXIMUM_INNER_PRODUCT -> null;
        };
    }

    @Override
    public String toString() {
        return NAME + "(pqSubspaces=" + pqSubspaces + ", rerankDepth=" + rerankDepth + ")";
    }

    /**
     * Searches read vectors at random: a few hundred adjacency lists and about a hundred full vectors per search,
     * anywhere in files that grow with the index. Under the kernel's default advice every such read also pulls in
     * the pages around it (read-ahead on a miss, fault-around on a hit), so the mapped files soon count whole in the
     * process's memory and, where memory is tight, push out the pages that are used. Random advice reads and maps
     * only the pages a search touches. Merges and flushes read sequentially and keep the default. For
     * {@code MMapDirectory#setReadAdvice}.
     */
    public static Optional<ReadAdvice> readAdvice(String file, IOContext context) {
        boolean vectors = file.endsWith(".vec") || file.endsWith("." + DATA_EXTENSION);
        return vectors && context.context() == IOContext.Context.DEFAULT ? Optional.of(ReadAdvice.RANDOM)
                : Optional.empty();
    }
}
