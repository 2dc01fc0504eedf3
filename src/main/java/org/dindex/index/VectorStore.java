package org.dindex.index;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.logging.Logger;

/**
 * Dense vectors and their jvector graph.
 *
 * <p><b>Strategy.</b> One incremental graph ({@link GraphIndexBuilder}) over all vectors, held in memory. Every
 * chunk gets a vector ordinal when it is written; the ordinal is also stored in Lucene (doc values), so a Lucene
 * filter can be turned into accepted-ordinal bits, and so ordinals survive restarts: at start-up the graph is rebuilt
 * from the vectors Lucene stores, at the same ordinals. The WAL plus Lucene's commit are the durable state; the graph
 * is derived. (Persisted graph snapshots, to skip the rebuild on large indexes, are the next step: see
 * docs/architecture.md.)
 *
 * <p><b>Visibility.</b> New nodes are added at once but searches only accept ordinals below the {@link View#limit}
 * of the last commit; deletes are queued and applied ({@code markNodeDeleted}) when a commit publishes the next view,
 * so a search sees whole commits, like Lucene's committed searcher. jvector's {@code cleanup()} is slow (seconds per
 * thousand deletes at 100k nodes), so it runs only when deleted nodes pass a fraction of the graph.
 *
 * <p>Writes (add, delete, publish, cleanup) happen on the index writer thread only; searches from any thread.
 */
final class VectorStore implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VectorStore.class.getName());
    static final VectorSimilarityFunction SIMILARITY = VectorSimilarityFunction.DOT_PRODUCT;
    private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

    /** What one commit made visible: ordinals below {@code limit} and not deleted. Immutable. */
    record View(int limit, BitSet deleted, int live) implements Bits {
        @Override
        public boolean get(int ordinal) {
            return ordinal < limit && !deleted.get(ordinal);
        }
    }

    /** A dense hit: ordinal and similarity score (dot product of unit vectors, -1..1). */
    record Hit(int ordinal, float score) {
    }

    private final int dimension;
    private GrowableVectors vectors;
    private GraphIndexBuilder builder;
    private final BitSet inGraph = new BitSet();
    private final BitSet deleted = new BitSet();
    private final List<Integer> pendingDeletes = new ArrayList<>();
    private int nextOrdinal;
    private int deletedSinceCleanup;
    private volatile View view = new View(0, new BitSet(), 0);

    VectorStore(int dimension) {
        this.dimension = dimension;
        reset();
    }

    private void reset() {
        float[] unit = new float[dimension];
        unit[0] = 1f;
        vectors = new GrowableVectors(dimension, VTS.createFloatVector(unit));
        builder = GraphIndexBuilder.builder(BuildScoreProvider.randomAccessScoreProvider(vectors, SIMILARITY),
                        dimension, 16)
                .withBeamWidth(100).withNeighborOverflow(1.2f).withAlpha(1.2f).build();
        inGraph.clear();
        deleted.clear();
        pendingDeletes.clear();
        nextOrdinal = 0;
        deletedSinceCleanup = 0;
    }

    /** Reserves the next ordinal for a new vector. */
    int nextOrdinal() {
        return nextOrdinal++;
    }

    /** Adds {@code vector} at {@code ordinal} (from {@link #nextOrdinal()} or restored from Lucene). */
    void add(int ordinal, float[] vector) {
        var v = VTS.createFloatVector(vector);
        vectors.set(ordinal, v);
        builder.addGraphNode(ordinal, v);
        inGraph.set(ordinal);
        nextOrdinal = Math.max(nextOrdinal, ordinal + 1);
    }

    /** Queues {@code ordinal} for deletion at the next {@link #publish()}. */
    void delete(int ordinal) {
        pendingDeletes.add(ordinal);
    }

    /** Drops every vector (a clear); visible at the next {@link #publish()}. */
    void clear() {
        pendingDeletes.clear();
        for (int o = inGraph.nextSetBit(0); o >= 0; o = inGraph.nextSetBit(o + 1)) {
            if (!deleted.get(o)) {
                pendingDeletes.add(o);
            }
        }
    }

    /** Applies queued deletes and makes everything added so far visible. Called at each commit. */
    View publish() {
        for (int ordinal : pendingDeletes) {
            if (inGraph.get(ordinal) && !deleted.get(ordinal)) {
                builder.markNodeDeleted(ordinal);
                deleted.set(ordinal);
                deletedSinceCleanup++;
            }
        }
        pendingDeletes.clear();
        int live = inGraph.cardinality() - deleted.cardinality();
        if (live == 0 && inGraph.cardinality() > 0) {
            // Everything is gone (clear): start a fresh graph rather than cleaning a dead one.
            int keepNext = nextOrdinal;
            close();
            reset();
            nextOrdinal = keepNext;
        } else if (deletedSinceCleanup > 1000 && deletedSinceCleanup > live / 10) {
            long t0 = System.nanoTime();
            builder.cleanup();
            inGraph.andNot(deleted);
            LOG.info("vector graph cleanup removed " + deletedSinceCleanup + " deleted nodes in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            deletedSinceCleanup = 0;
        }
        view = new View(vectors.size(), (BitSet) deleted.clone(), live);
        return view;
    }

    View view() {
        return view;
    }

    /**
     * The {@code k} nearest visible vectors to {@code query} accepted by {@code filter} (null for none).
     *
     * @param beam candidates examined and re-ranked exactly; larger is slower and more accurate (50-100 gives
     *             recall@10 around 0.95 or better)
     */
    List<Hit> search(View in, float[] query, int k, int beam, Bits filter) {
        if (in.live() == 0) {
            return List.of();
        }
        Bits accept = filter == null ? in : Bits.intersectionOf(in, filter);
        ImmutableGraphIndex graph = builder.getGraph();
        try (GraphSearcher searcher = new GraphSearcher(graph)) {
            searcher.setView(graph.getView());
            var ssp = DefaultSearchScoreProvider.exact(VTS.createFloatVector(query), SIMILARITY, vectors);
            SearchResult result = searcher.search(ssp, k, Math.max(k, beam), 0f, 0f, accept);
            List<Hit> hits = new ArrayList<>(result.getNodes().length);
            for (SearchResult.NodeScore ns : result.getNodes()) {
                // jvector reports DOT_PRODUCT similarity as (1 + dot) / 2; hand out the dot product itself.
                hits.add(new Hit(ns.node, 2 * ns.score - 1));
            }
            return hits;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exact scores for every visible vector accepted by {@code filter}: the ground truth for recall checks. */
    List<Hit> bruteForce(View in, float[] query, int k, Bits filter) {
        var q = VTS.createFloatVector(query);
        List<Hit> all = new ArrayList<>();
        for (int o = 0; o < in.limit(); o++) {
            if (in.get(o) && inGraph.get(o) && (filter == null || filter.get(o))) {
                all.add(new Hit(o, 2 * SIMILARITY.compare(q, vectors.getVector(o)) - 1));
            }
        }
        all.sort((a, b) -> Float.compare(b.score(), a.score()));
        return all.subList(0, Math.min(k, all.size()));
    }

    int liveCount() {
        return inGraph.cardinality() - deleted.cardinality() - (int) pendingDeletes.stream().distinct().count();
    }

    long bytes() {
        return vectors.bytes();
    }

    boolean contains(int ordinal) {
        return inGraph.get(ordinal) && !deleted.get(ordinal);
    }

    @Override
    public void close() {
        try {
            builder.close();
        } catch (IOException ignored) {
            // in-memory graph
        }
    }
}
