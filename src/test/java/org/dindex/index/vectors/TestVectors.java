package org.dindex.index.vectors;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/** Shared fixtures: random unit vectors, documents holding them, brute-force answers. */
final class TestVectors {
    static final int DIM = 384;
    static final String VECTOR = "vector";
    static final String ID = "id";
    static final String BUCKET = "bucket";

    private TestVectors() {
    }

    /**
     * Isotropic random unit vectors: every direction equally likely, so a point's nearest neighbours are barely
     * nearer than any other point. The worst case for any graph index (Lucene's HNSW does no better on them).
     */
    static float[][] randomUnitVectors(int count, long seed) {
        Random random = new Random(seed);
        float[][] vectors = new float[count][];
        for (int i = 0; i < count; i++) {
            vectors[i] = randomUnitVector(random);
        }
        return vectors;
    }

    private static final int LATENT = 16;

    /**
     * Random unit vectors shaped like text embeddings, as dindex's search benchmark makes them: a 16-dimensional
     * latent structure (one fixed mixing matrix) plus isotropic noise. Nearest neighbours stand out, as they do
     * between real embeddings, which is what graph indexes rely on.
     */
    static float[][] embeddingLikeVectors(int count, long seed) {
        Random mixing = new Random(20261125);
        float[][] mix = new float[DIM][LATENT];
        for (float[] row : mix) {
            for (int j = 0; j < LATENT; j++) {
                row[j] = (float) mixing.nextGaussian();
            }
        }
        Random random = new Random(seed);
        float[][] vectors = new float[count][];
        double[] z = new double[LATENT];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < LATENT; j++) {
                z[j] = random.nextGaussian();
            }
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                double x = random.nextGaussian();
                for (int j = 0; j < LATENT; j++) {
                    x += mix[d][j] * z[j];
                }
                v[d] = (float) x;
            }
            vectors[i] = normalize(v);
        }
        return vectors;
    }

    private static float[] normalize(float[] v) {
        float scale = (float) (1 / Math.sqrt(dot(v, v)));
        for (int d = 0; d < v.length; d++) {
            v[d] *= scale;
        }
        return v;
    }

    static float[] randomUnitVector(Random random) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return normalize(v);
    }

    /** Document {@code id}, in bucket {@code id % 10}. */
    static Document document(int id, float[] vector) {
        Document doc = new Document();
        doc.add(new StringField(ID, Integer.toString(id), Field.Store.YES));
        doc.add(new StringField(BUCKET, Integer.toString(id % 10), Field.Store.NO));
        doc.add(new KnnFloatVectorField(VECTOR, vector, VectorSimilarityFunction.DOT_PRODUCT));
        return doc;
    }

    static IndexWriterConfig config(int maxBufferedDocs) {
        return new IndexWriterConfig()
                .setCodec(new DindexCodec())
                .setMaxBufferedDocs(maxBufferedDocs)
                .setRAMBufferSizeMB(IndexWriterConfig.DISABLE_AUTO_FLUSH)
                .setUseCompoundFile(false);
    }

    static float dot(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /** Ids of the {@code k} vectors nearest {@code query} among {@code live} ones, best first. */
    static List<Integer> bruteForce(Map<Integer, float[]> vectors, float[] query, int k, IntPredicate live) {
        return vectors.entrySet().stream()
                .filter(e -> live.test(e.getKey()))
                .sorted(Comparator.comparingDouble(e -> -dot(e.getValue(), query)))
                .limit(k)
                .map(Map.Entry::getKey)
                .toList();
    }

    static List<Integer> bruteForce(float[][] vectors, float[] query, int k) {
        return IntStream.range(0, vectors.length).boxed()
                .sorted(Comparator.comparingDouble(i -> -dot(vectors[i], query)))
                .limit(k)
                .toList();
    }

    /** Ids of the hits of a k-NN query for {@code query}, best first, optionally filtered. */
    /**
     * The {@code k} nearest as dindex searches: the best {@code max(k, beam)} of all segments by their PQ scores,
     * rescored at full precision once ({@link ExactRerank}).
     */
    static List<Integer> search(IndexSearcher searcher, float[] query, int k, Query filter) throws IOException {
        return ids(searcher, nearest(searcher, query, k, filter));
    }

    /** As {@link #search}, the hits with their exact scores. */
    static TopDocs nearest(IndexSearcher searcher, float[] query, int k, Query filter) throws IOException {
        int depth = Math.max(k, JVectorFormat.DEFAULT_RERANK_DEPTH);
        TopDocs top = searcher.search(new KnnFloatVectorQuery(VECTOR, query, depth, filter), depth);
        return new TopDocs(top.totalHits, ExactRerank.topK(searcher, VECTOR, query, top.scoreDocs, k));
    }

    static List<Integer> ids(IndexSearcher searcher, TopDocs top) throws IOException {
        StoredFields stored = searcher.storedFields();
        List<Integer> ids = new ArrayList<>();
        for (ScoreDoc hit : top.scoreDocs) {
            ids.add(Integer.parseInt(stored.document(hit.doc).get(ID)));
        }
        return ids;
    }

    static double recall(List<Integer> expected, List<Integer> actual) {
        return expected.stream().filter(actual::contains).count() / (double) expected.size();
    }
}
