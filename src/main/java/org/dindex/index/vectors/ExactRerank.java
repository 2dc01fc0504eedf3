package org.dindex.index.vectors;

import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;

import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The rescoring step {@link JVectorFormat} leaves to its caller: a graph search ranks by compressed codes, and the
 * best candidates of all segments together are rescored here from their full vectors. Doing it once for the whole
 * index, instead of in every segment, reads about as many vectors as a search keeps (not a beam's worth per
 * segment), which is what lets a large index answer quickly from little memory.
 */
public final class ExactRerank {
    private ExactRerank() {
    }

    /**
     * The {@code k} best of {@code candidates} (the searcher's doc ids) by the exact similarity of their
     * {@code field} vectors to {@code query}, in Lucene's score scale for the field, best first. The vectors are read
     * segment by segment in doc order; candidates without a vector are dropped.
     */
    public static ScoreDoc[] topK(IndexSearcher searcher, String field, float[] query, ScoreDoc[] candidates, int k)
            throws IOException {
        int[] docs = new int[candidates.length];
        for (int i = 0; i < docs.length; i++) {
            docs[i] = candidates[i].doc;
        }
        Arrays.sort(docs);
        ScoreDoc[] scored = new ScoreDoc[docs.length];
        int count = 0;
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        LeafReaderContext leaf = null;
        FloatVectorValues vectors = null;
        KnnVectorValues.DocIndexIterator it = null;
        FieldInfo info = null;
        for (int doc : docs) {
            if (leaf == null || doc >= leaf.docBase + leaf.reader().maxDoc()) {
                leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
                vectors = leaf.reader().getFloatVectorValues(field);
                it = vectors == null ? null : vectors.iterator();
                info = leaf.reader().getFieldInfos().fieldInfo(field);
            }
            int local = doc - leaf.docBase;
            if (it != null && (it.docID() == local || it.docID() < local && it.advance(local) == local)) {
                float score = info.getVectorSimilarityFunction().compare(query, vectors.vectorValue(it.index()));
                scored[count++] = new ScoreDoc(doc, score);
            }
        }
        Arrays.sort(scored, 0, count, Comparator.comparingDouble((ScoreDoc s) -> s.score).reversed()
                .thenComparingInt(s -> s.doc));
        return Arrays.copyOf(scored, Math.min(k, count));
    }
}
