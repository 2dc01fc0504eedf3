package org.dindex.index.vectors;

import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.disk.OnDiskGraphIndex;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.quantization.PQVectors;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.Accountable;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.RamUsageEstimator;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

import java.io.IOException;

/**
 * One vector field of one open segment: its graph, mapped, its PQ codes, on the heap, and the search over them.
 *
 * <p>A graph search scores candidates with the PQ codes, keeping the best {@code rerankDepth} (the beam), and hands
 * the best k to the collector with their approximate scores. It rereads no vector at full precision: the caller
 * reranks the best candidates of all segments together ({@code ChunkIndex.denseSearch}), so a search reads about
 * as many full vectors as it keeps, not k per segment. Those reads land anywhere in the flat file, and a search that
 * found its candidates in the graph's adjacency lists and the heap's PQ codes touches few other pages: the index can
 * answer quickly with far less memory than its vectors take. Fields without a graph, and searches accepting so few
 * documents that scoring them all costs less than a graph walk, scan the accepted vectors exactly instead.
 */
final class FieldGraph implements Accountable {
    private static final long SHALLOW_SIZE = RamUsageEstimator.shallowSizeOfInstance(FieldGraph.class);
    private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();
    /**
     * A graph search visits about rerankDepth × degree nodes, scoring each from its PQ code at a fraction of the cost
     * of an exact score; an exact scan is taken as cheaper when the accepted documents are fewer than the visits
     * divided by this.
     */
    private static final int SCAN_PER_VISIT = 4;
    /** Vectors scored per batch in an exact scan; Lucene's scorers score batches faster than single vectors. */
    private static final int EXACT_BATCH = 64;

    private final FieldEntry entry;
    /** Null, like the two below, when the field has no graph. */
    private final VectorSimilarityFunction similarity;
    private final OnDiskGraphIndex graph;
    private final PQVectors codes;

    private FieldGraph(FieldEntry entry, VectorSimilarityFunction similarity, OnDiskGraphIndex graph,
                       PQVectors codes) {
        this.entry = entry;
        this.similarity = similarity;
        this.graph = graph;
        this.codes = codes;
    }

    /**
     * Maps the field's graph in {@code data} and reads its PQ codes onto the heap from {@code codesData} (the same
     * file, opened to be read once).
     */
    static FieldGraph open(FieldEntry entry, FieldInfo field, IndexInput data, IndexInput codesData)
            throws IOException {
        if (!entry.hasGraph()) {
            return new FieldGraph(entry, null, null, null);
        }
        VectorSimilarityFunction similarity = JVectorFormat.jvectorSimilarity(field);
        if (similarity == null) {
            throw new CorruptIndexException("field \"" + field.name + "\" has a graph, but not vectors jvector can search", data);
        }
        IndexInput graphSlice = data.slice("graph of " + field.name, entry.graphOffset(), entry.graphLength());
        IndexInput pqSlice = codesData.slice("PQ codes of " + field.name, entry.pqOffset(), entry.pqLength());
        OnDiskGraphIndex graph;
        PQVectors codes;
        try {
            graph = OnDiskGraphIndex.load(IndexInputReader.supplier(graphSlice));
            codes = PQVectors.load(new IndexInputReader(pqSlice));
        } catch (RuntimeException e) {
            throw new CorruptIndexException("cannot load the jvector graph of field \"" + field.name + "\"", data, e);
        }
        if (graph.size(0) != entry.size() || codes.count() != entry.size()) {
            throw new CorruptIndexException("field \"" + field.name + "\" has " + entry.size() + " vectors but "
                    + graph.size(0) + " graph nodes and " + codes.count() + " PQ codes", data);
        }
        return new FieldGraph(entry, similarity, graph, codes);
    }

    FieldEntry entry() {
        return entry;
    }

    /**
     * Collects the k nearest accepted vectors to {@code target}.
     *
     * @param scorer       Lucene's exact scorer for {@code target} over this field's flat vectors (for exact scans,
     *                     and to map ordinals to documents)
     * @param acceptOrds   accepted vector ordinals, null for all
     * @param acceptedDocs an upper bound on the accepted documents
     */
    void search(float[] target, RandomVectorScorer scorer, KnnCollector collector, Bits acceptOrds, int acceptedDocs)
            throws IOException {
        int rerankDepth = Math.max(collector.k(), entry.rerankDepth());
        if (graph == null || acceptedDocs <= (long) rerankDepth * graph.getDegree(0) / SCAN_PER_VISIT) {
            exactSearch(scorer, collector, acceptOrds);
            return;
        }
        VisitBudget approximate = new VisitBudget(
                codes.precomputedScoreFunctionFor(VTS.createFloatVector(target), similarity), collector);
        io.github.jbellis.jvector.util.Bits accepted =
                acceptOrds == null ? io.github.jbellis.jvector.util.Bits.ALL : acceptOrds::get;
        SearchResult result;
        try (GraphSearcher searcher = new GraphSearcher(graph)) {
            result = searcher.search(new DefaultSearchScoreProvider(approximate), collector.k(), rerankDepth,
                    0f, 0f, accepted);
        } catch (VisitBudget.Exhausted e) {
            approximate.reportVisits();
            return; // the collector now reports early termination
        }
        approximate.reportVisits();
        for (SearchResult.NodeScore hit : result.getNodes()) {
            collector.collect(scorer.ordToDoc(hit.node), hit.score);
        }
    }

    /** Scores every accepted vector: for fields without a graph, and for byte vectors, which never have one. */
    static void exactSearch(RandomVectorScorer scorer, KnnCollector collector, Bits acceptOrds) throws IOException {
        int[] ords = new int[EXACT_BATCH];
        float[] scores = new float[EXACT_BATCH];
        int batch = 0;
        for (int ord = 0; ord < scorer.maxOrd(); ord++) {
            if (acceptOrds == null || acceptOrds.get(ord)) {
                ords[batch++] = ord;
                if (batch == EXACT_BATCH) {
                    collectBatch(scorer, collector, ords, scores, batch);
                    batch = 0;
                    if (collector.earlyTerminated()) {
                        return;
                    }
                }
            }
        }
        collectBatch(scorer, collector, ords, scores, batch);
    }

    private static void collectBatch(RandomVectorScorer scorer, KnnCollector collector, int[] ords, float[] scores,
                                     int count) throws IOException {
        if (count == 0) {
            return;
        }
        collector.incVisitedCount(count);
        if (scorer.bulkScore(ords, scores, count) > collector.minCompetitiveSimilarity()) {
            for (int i = 0; i < count; i++) {
                collector.collect(scorer.ordToDoc(ords[i]), scores[i]);
            }
        }
    }

    /** The PQ codes and codebooks, and the graph's upper layers (a small fraction of the nodes). */
    @Override
    public long ramBytesUsed() {
        return SHALLOW_SIZE + (graph == null ? 0 : graph.ramBytesUsed() + codes.ramBytesUsed());
    }
}
