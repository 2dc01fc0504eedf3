package org.dindex.index.vectors;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RemappedRandomAccessVectorValues;
import io.github.jbellis.jvector.quantization.KMeansPlusPlusClusterer;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.quantization.ProductQuantization;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.util.IOSupplier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Builds one field's graph and PQ codes from all of a segment's vectors for it (at flush, or from the merged vectors
 * at merge) and appends them to the segment's data file.
 *
 * <p>The graph is built with exact scores ({@link LuceneBuildScores}): build quality decides search quality, and the
 * vectors are at hand (on the heap at flush, mapped at merge). Its nodes are the vector ordinals of Lucene's flat
 * file, so no mapping is stored.
 */
final class FieldGraphWriter {
    /** Base-layer and upper-layer degrees, as in HNSW (2M and M); two entries also pin jvector to a hierarchy. */
    private static final List<Integer> MAX_DEGREES = List.of(32, 16);
    private static final int BEAM_WIDTH = 100;
    /** jvector's defaults: a node may briefly keep 20% more edges, and pruning favours diverse ones. */
    private static final float NEIGHBOR_OVERFLOW = 1.2f;
    private static final float ALPHA = 1.2f;
    /** PQ needs 8-bit codes (256 centroids per subspace) for jvector's search-time lookup tables. */
    private static final int PQ_CLUSTERS = 256;
    /**
     * Codebooks are trained on an evenly spaced sample of this many vectors. k-means time grows with the sample (at
     * jvector's own cap of 128,000 it would dwarf the graph build of a flushed segment), while the codes only steer
     * the graph walk and choose the candidates that are then rescored exactly, so a coarser codebook costs little.
     */
    private static final int PQ_TRAINING_VECTORS = 4096;
    /** jvector's PQ serialisation version, pinned like {@link AdjacencyOnlyGraphWriter#GRAPH_VERSION}. */
    private static final int PQ_VERSION = 6;

    private final int pqSubspaces;
    private final int rerankDepth;
    private final ForkJoinPool pool;

    FieldGraphWriter(int pqSubspaces, int rerankDepth, ForkJoinPool pool) {
        this.pqSubspaces = pqSubspaces;
        this.rerankDepth = rerankDepth;
        this.pool = pool;
    }

    /**
     * Writes the graph and PQ codes of a field's {@code size} vectors to {@code data}, or nothing when there are too
     * few vectors for a graph to pay, or jvector cannot serve the field.
     *
     * @param vectors the vectors, in the ordinal order of the flat file; asked for only if a graph is built
     * @param aborted called between batches of inserted nodes; a merge's throws once the merge is aborted (the
     *                writer is closing), so that closing never waits for a whole graph build
     * @return where the graph and codes went, for the meta file
     */
    FieldEntry write(FieldInfo field, int size, IOSupplier<FloatVectorValues> vectors, IndexOutput data,
                     AbortCheck aborted) throws IOException {
        VectorSimilarityFunction similarity = JVectorFormat.jvectorSimilarity(field);
        if (size < JVectorFormat.MIN_GRAPH_SIZE || similarity == null) {
            return FieldEntry.exactOnly(field.number, size, rerankDepth);
        }
        try {
            return writeGraph(field, vectors.get(), similarity, data, aborted);
        } catch (UncheckedIOException e) {
            throw e.getCause(); // from reading vectors, or an abort, inside jvector's build threads
        }
    }

    /** Throws when the work it guards was called off (a merge's {@code MergeState.checkAborted}). */
    @FunctionalInterface
    interface AbortCheck {
        AbortCheck NEVER = () -> { };

        void check() throws IOException;
    }

    /** Nodes inserted between two abort checks: a few milliseconds of work on one core. */
    private static final int NODES_PER_CHECK = 256;

    private FieldEntry writeGraph(FieldInfo field, FloatVectorValues vectors, VectorSimilarityFunction similarity,
                                  IndexOutput data, AbortCheck aborted) throws IOException {
        int size = vectors.size();
        PQVectors codes = quantize(new LuceneVectorValues(vectors), similarity);
        LuceneBuildScores scores = new LuceneBuildScores(vectors, field.getVectorSimilarityFunction());
        try (GraphIndexBuilder builder = GraphIndexBuilder.builder(scores, vectors.dimension(), MAX_DEGREES)
                .withBeamWidth(BEAM_WIDTH)
                .withNeighborOverflow(NEIGHBOR_OVERFLOW)
                .withAlpha(ALPHA)
                .withSimdExecutor(pool)
                .withParallelExecutor(pool)
                .build()) {
            int batches = (size + NODES_PER_CHECK - 1) / NODES_PER_CHECK;
            pool.submit(() -> IntStream.range(0, batches).parallel().forEach(batch -> {
                try {
                    aborted.check();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                for (int node = batch * NODES_PER_CHECK; node < Math.min(size, (batch + 1) * NODES_PER_CHECK);
                     node++) {
                    builder.addGraphNode(node, scores.searchProviderFor(node));
                }
            })).join();
            builder.cleanup();
            ImmutableGraphIndex graph = builder.getGraph();
            data.alignFilePointer(Long.BYTES);
            long graphOffset = data.getFilePointer();
            AdjacencyOnlyGraphWriter.write(graph, new IndexOutputWriter(data));
            long pqOffset = data.getFilePointer();
            codes.write(new IndexOutputWriter(data), PQ_VERSION);
            return new FieldEntry(field.number, size, rerankDepth, graphOffset, pqOffset - graphOffset, pqOffset,
                    data.getFilePointer() - pqOffset);
        }
    }

    private PQVectors quantize(RandomAccessVectorValues vectors, VectorSimilarityFunction similarity) {
        int subspaces = Math.min(pqSubspaces, vectors.dimension());
        // Centring the data is free for Euclidean distance (translation-invariant) but would change dot products.
        boolean centre = similarity == VectorSimilarityFunction.EUCLIDEAN;
        ProductQuantization pq = ProductQuantization.compute(trainingSample(vectors), subspaces, PQ_CLUSTERS, centre,
                KMeansPlusPlusClusterer.UNWEIGHTED, pool, pool);
        return pq.encodeAll(vectors, pool);
    }

    private static RandomAccessVectorValues trainingSample(RandomAccessVectorValues vectors) {
        int size = vectors.size();
        if (size <= PQ_TRAINING_VECTORS) {
            return vectors;
        }
        int[] ordinals = new int[PQ_TRAINING_VECTORS];
        for (int i = 0; i < ordinals.length; i++) {
            ordinals[i] = (int) ((long) i * size / ordinals.length);
        }
        return new RemappedRandomAccessVectorValues(vectors, ordinals);
    }
}
