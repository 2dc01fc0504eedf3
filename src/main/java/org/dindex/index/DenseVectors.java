package org.dindex.index;

import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Accountable;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.VectorUtil;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/** Reading the chunks' embeddings straight from the vector segments: exact search, lookup by document, heap size. */
final class DenseVectors {
    private DenseVectors() {
    }

    /**
     * The dot product a Lucene DOT_PRODUCT score stands for: Lucene scores unit vectors as (1 + dot) / 2, dindex
     * fuses and federates raw dot products (comparable across members and with exact search).
     */
    static float dotProduct(float luceneScore) {
        return 2 * luceneScore - 1;
    }

    /** The {@code k} chunks nearest to {@code query} by scoring every one (among {@code filter}'s, when given). */
    static List<ChunkIndex.DenseHit> exact(IndexSearcher searcher, float[] query, int k, Query filter)
            throws IOException {
        PriorityQueue<ChunkIndex.DenseHit> best = new PriorityQueue<>(Comparator.comparingDouble(
                ChunkIndex.DenseHit::score));
        Weight weight = filter == null ? null : searcher.createWeight(searcher.rewrite(filter),
                ScoreMode.COMPLETE_NO_SCORES, 1f);
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            FloatVectorValues vectors = leaf.reader().getFloatVectorValues(IndexFields.EMBEDDING);
            if (vectors == null) {
                continue;
            }
            Bits live = leaf.reader().getLiveDocs();
            KnnVectorValues.DocIndexIterator it = vectors.iterator();
            DocIdSetIterator candidates = it;
            if (weight != null) {
                Scorer scorer = weight.scorer(leaf);
                if (scorer == null) {
                    continue;
                }
                candidates = scorer.iterator();
            }
            for (int doc = candidates.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = candidates.nextDoc()) {
                if (live != null && !live.get(doc)) {
                    continue;
                }
                if (weight != null && (it.docID() > doc || it.docID() < doc && it.advance(doc) != doc)) {
                    continue;  // a filter match without a vector (a document record)
                }
                float score = VectorUtil.dotProduct(query, vectors.vectorValue(it.index()));
                if (best.size() < k) {
                    best.add(new ChunkIndex.DenseHit(leaf.docBase + doc, score));
                } else if (score > best.peek().score()) {
                    best.poll();
                    best.add(new ChunkIndex.DenseHit(leaf.docBase + doc, score));
                }
            }
        }
        List<ChunkIndex.DenseHit> hits = new ArrayList<>(best);
        hits.sort(Comparator.comparingDouble(ChunkIndex.DenseHit::score).reversed());
        return hits;
    }

    /** The embeddings of {@code docs} (the searcher's doc ids), null where a document has none. */
    static float[][] of(IndexSearcher searcher, int[] docs) throws IOException {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        float[][] out = new float[docs.length][];
        for (int i = 0; i < docs.length; i++) {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(docs[i], leaves));
            FloatVectorValues vectors = leaf.reader().getFloatVectorValues(IndexFields.EMBEDDING);
            if (vectors == null) {
                continue;
            }
            KnnVectorValues.DocIndexIterator it = vectors.iterator();
            int local = docs[i] - leaf.docBase;
            if (it.advance(local) == local) {
                out[i] = vectors.vectorValue(it.index()).clone();
            }
        }
        return out;
    }

    /** The heap the vector readers of the searcher's segments hold. */
    static long heapBytes(IndexSearcher searcher) {
        long bytes = 0;
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            LeafReader reader = leaf.reader();
            if (reader instanceof CodecReader codec && codec.getVectorReader() instanceof Accountable accountable) {
                bytes += accountable.ramBytesUsed();
            }
        }
        return bytes;
    }
}
