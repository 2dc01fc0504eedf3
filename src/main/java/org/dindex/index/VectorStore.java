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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.IntStream;

/**
 * Dense vectors and their jvector graph.
 *
 * <p><b>Strategy.</b> One incremental graph ({@link GraphIndexBuilder}) over all vectors, held in memory. Every
 * chunk gets a vector ordinal when it is written; the ordinal is also stored in Lucene (doc values), so a Lucene
 * filter can be turned into accepted-ordinal bits, and so ordinals survive restarts. The WAL plus Lucene's commit
 * are the durable state; the graph is derived. At start-up the vectors are read back from Lucene and the graph is
 * loaded from its last {@link GraphSnapshot} (saved at shutdown and after large growth), then reconciled: nodes
 * Lucene no longer holds are marked deleted, vectors the snapshot lacks are inserted. Without a usable snapshot the
 * graph is rebuilt from the vectors.
 *
 * <p><b>Inserts</b> are queued by {@link #add} and run by {@link #flushInserts()} (at the end of each write batch, and
 * before every publish) on all cores at once: jvector's builder takes concurrent inserts, and a graph insert costs
 * far more than anything else on the write path once the model is out of the way.
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

    /** Below this many queued inserts a flush runs on the calling thread (a fork costs more than it saves). */
    private static final int PARALLEL_INSERTS = 64;
    /** Graph inserts on every core; daemon threads, shared by all stores of the process. */
    private static final ForkJoinPool INSERTS = new ForkJoinPool(Runtime.getRuntime().availableProcessors(),
            pool -> {
                var t = new java.util.concurrent.ForkJoinWorkerThread(null, pool, true) {
                    @Override
                    protected void onStart() {
                        org.dindex.platform.BackgroundPriority.lower();
                    }
                };
                t.setName("dindex-graph-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            }, null, false);

    private final int dimension;
    private GrowableVectors vectors;
    private final List<Integer> pendingInserts = new ArrayList<>();
    private int changedSinceSnapshot;
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
        pendingInserts.clear();
        newGraph();
        pendingDeletes.clear();
        nextOrdinal = 0;
    }

    /** An empty graph over the current vectors. */
    private void newGraph() {
        builder = GraphIndexBuilder.builder(BuildScoreProvider.randomAccessScoreProvider(vectors, SIMILARITY),
                        dimension, 16)
                .withBeamWidth(100).withNeighborOverflow(1.2f).withAlpha(1.2f).build();
        inGraph.clear();
        deleted.clear();
        deletedSinceCleanup = 0;
        changedSinceSnapshot = 0;
    }

    /** Reserves the next ordinal for a new vector. */
    int nextOrdinal() {
        return nextOrdinal++;
    }

    /** Ordinals are never reused, even across restarts: the next one is at least {@code floor}. */
    void reserveOrdinalsBelow(int floor) {
        nextOrdinal = Math.max(nextOrdinal, floor);
    }

    /** The next ordinal {@link #nextOrdinal()} will hand out (persisted with each commit). */
    int ordinalHighWater() {
        return nextOrdinal;
    }

    /**
     * Stores {@code vector} at {@code ordinal} (from {@link #nextOrdinal()} or restored from Lucene) and queues its
     * graph insert for the next {@link #flushInserts()}.
     */
    void add(int ordinal, float[] vector) {
        put(ordinal, vector);
        pendingInserts.add(ordinal);
        inGraph.set(ordinal);
    }

    /** Stores {@code vector} at {@code ordinal} without touching the graph (a restore fills the graph itself). */
    private void put(int ordinal, float[] vector) {
        vectors.set(ordinal, VTS.createFloatVector(vector));
        nextOrdinal = Math.max(nextOrdinal, ordinal + 1);
    }

    /** Inserts every queued vector into the graph, on all cores when there are enough of them. */
    void flushInserts() {
        if (pendingInserts.isEmpty()) {
            return;
        }
        int[] ordinals = pendingInserts.stream().mapToInt(Integer::intValue).toArray();
        pendingInserts.clear();
        if (ordinals.length < PARALLEL_INSERTS) {
            for (int o : ordinals) {
                builder.addGraphNode(o, vectors.getVector(o));
            }
        } else {
            GraphIndexBuilder b = builder;
            INSERTS.submit(() -> IntStream.of(ordinals).parallel()
                    .forEach(o -> b.addGraphNode(o, vectors.getVector(o)))).join();
        }
        changedSinceSnapshot += ordinals.length;
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
        flushInserts();
        for (int ordinal : pendingDeletes) {
            if (inGraph.get(ordinal) && !deleted.get(ordinal)) {
                builder.markNodeDeleted(ordinal);
                deleted.set(ordinal);
                deletedSinceCleanup++;
                changedSinceSnapshot++;
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
            changedSinceSnapshot = 1;
        } else if (deletedSinceCleanup > 1000 && deletedSinceCleanup > live / 10) {
            long t0 = System.nanoTime();
            builder.cleanup();
            inGraph.andNot(deleted);
            LOG.info("vector graph cleanup removed " + deletedSinceCleanup + " deleted nodes in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            deletedSinceCleanup = 0;
            changedSinceSnapshot++;
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
        // The k best in a bounded heap: a list of every hit cost a million objects per query at 1M chunks.
        java.util.PriorityQueue<Hit> best = new java.util.PriorityQueue<>(k + 1,
                java.util.Comparator.comparingDouble(Hit::score));
        for (int o = 0; o < in.limit(); o++) {
            if (in.get(o) && inGraph.get(o) && (filter == null || filter.get(o))) {
                float score = 2 * SIMILARITY.compare(q, vectors.getVector(o)) - 1;
                if (best.size() < k || score > best.peek().score()) {
                    best.add(new Hit(o, score));
                    if (best.size() > k) {
                        best.poll();
                    }
                }
            }
        }
        List<Hit> top = new ArrayList<>(best);
        top.sort((a, b) -> Float.compare(b.score(), a.score()));
        return top;
    }

    // ------------------------------------------------------------------------------------------- snapshots

    /** Graph inserts and deletes since the last {@link #saveGraph save} or load. */
    int changedSinceSnapshot() {
        return changedSinceSnapshot;
    }

    int graphSize() {
        return inGraph.cardinality();
    }

    /** Saves the graph to {@code file} (see {@link GraphSnapshot}). Writer thread, after a publish. */
    void saveGraph(Path file) throws IOException {
        flushInserts();
        GraphSnapshot.write(file, builder.getGraph(), dimension, o -> GraphSnapshot.hash(vectors.getVector(o)));
        changedSinceSnapshot = 0;
    }

    /**
     * Rebuilds the in-memory state at start-up from the vectors Lucene holds, using the snapshot in {@code file}
     * when it is usable, and a full (parallel) rebuild otherwise.
     *
     * @param stored calls back with every live (ordinal, vector) pair Lucene holds
     * @return how the graph was obtained, for the start-up log
     */
    String restore(Path file, StoredVectors stored) throws IOException {
        BitSet live = new BitSet();
        AtomicInteger count = new AtomicInteger();
        stored.forEach((ordinal, vector) -> {
            put(ordinal, vector);
            live.set(ordinal);
            count.incrementAndGet();
        });
        String loaded = null;
        if (Files.exists(file)) {
            try {
                loaded = loadGraph(file, live);
            } catch (IOException | RuntimeException e) {
                LOG.warning("the vector graph snapshot " + file + " cannot be used (" + e.getMessage()
                        + "); rebuilding the graph from the stored vectors");
                close();
                newGraph();
            }
        }
        for (int o = live.nextSetBit(0); o >= 0; o = live.nextSetBit(o + 1)) {
            if (!inGraph.get(o)) {
                pendingInserts.add(o);
                inGraph.set(o);
            }
        }
        int inserted = pendingInserts.size();
        flushInserts();
        changedSinceSnapshot = loaded == null ? inserted : inserted + deleted.cardinality();
        return loaded == null ? "built from " + count.get() + " stored vectors"
                : loaded + ", " + inserted + " vectors inserted";
    }

    /** Lucene's live vectors, by ordinal. */
    interface StoredVectors {
        void forEach(Sink sink) throws IOException;

        interface Sink {
            void accept(int ordinal, float[] vector);
        }
    }

    private String loadGraph(Path file, BitSet live) throws IOException {
        try (GraphSnapshot.Reader reader = new GraphSnapshot.Reader(file)) {
            GraphSnapshot.Header h = reader.header();
            if (h.dimension() != dimension) {
                throw new IOException("it has " + h.dimension() + " dimensions, the index " + dimension);
            }
            int gone = 0;
            for (int i = 0; i < h.ordinals().length; i++) {
                int o = h.ordinals()[i];
                if (!live.get(o)) {
                    gone++;
                } else if (GraphSnapshot.hash(vectors.getVector(o)) != h.hashes()[i]) {
                    throw new IOException("ordinal " + o + " holds another vector than when it was saved");
                }
            }
            // Deleted nodes stay in a jvector graph until a (slow) cleanup; a snapshot mostly of them is worse
            // than a fresh build.
            if (gone > 1000 && gone > h.ordinals().length / 10) {
                throw new IOException(gone + " of its " + h.ordinals().length + " nodes are no longer in the index");
            }
            for (int o : h.ordinals()) {
                if (!live.get(o)) {
                    vectors.set(o, vectors.placeholder()); // its vector left with its chunk; it is marked deleted below
                }
            }
            BuildScoreProvider scores = BuildScoreProvider.randomAccessScoreProvider(vectors, SIMILARITY);
            builder.load(reader.graphSection(node -> scores.searchProviderFor(node).scoreFunction()));
            for (int o : h.ordinals()) {
                inGraph.set(o);
                nextOrdinal = Math.max(nextOrdinal, o + 1);
                if (!live.get(o)) {
                    builder.markNodeDeleted(o);
                    deleted.set(o);
                    deletedSinceCleanup++;
                }
            }
            return "loaded " + h.ordinals().length + " nodes from " + file.getFileName() + " (" + gone
                    + " since deleted)";
        }
    }

    /** The graph itself, for tests that compare a saved graph with its reload. */
    ImmutableGraphIndex graph() {
        return builder.getGraph();
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
