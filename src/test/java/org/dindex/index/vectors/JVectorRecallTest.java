package org.dindex.index.vectors;

import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.dindex.index.vectors.TestVectors.BUCKET;
import static org.dindex.index.vectors.TestVectors.VECTOR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recall, reopen, heap and merge on one index of 20,000 embedding-like random unit vectors (384 dimensions) in four
 * flushed segments, built once for the class, and recall on isotropic random unit vectors. Figures are printed with
 * a {@code FIGURE} prefix.
 */
class JVectorRecallTest {
    private static final int COUNT = 20_000;
    private static final int PER_SEGMENT = 5_000;
    private static final int QUERIES = 100;
    private static final int K = 10;
    private static final int ISOTROPIC_DEPTH = 1500;

    @TempDir
    static Path tmp;
    private static Directory dir;
    private static float[][] vectors;
    private static float[][] queries;

    @BeforeAll
    static void buildIndex() throws IOException {
        vectors = TestVectors.embeddingLikeVectors(COUNT, 42);
        queries = TestVectors.embeddingLikeVectors(QUERIES, 7);
        dir = new MMapDirectory(tmp.resolve("index"));
        long start = System.nanoTime();
        try (IndexWriter writer = new IndexWriter(dir,
                TestVectors.config(PER_SEGMENT).setMergePolicy(NoMergePolicy.INSTANCE))) {
            for (int i = 0; i < COUNT; i++) {
                writer.addDocument(TestVectors.document(i, vectors[i]));
            }
            writer.commit();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        figure("indexing with graph builds at flush: %d vectors in %.1f s, %.0f vectors/s",
                COUNT, seconds, COUNT / seconds);
    }

    @AfterAll
    static void closeDirectory() throws IOException {
        dir.close();
    }

    @Test
    void recallAtDefaultSettingsAcrossSegments() throws IOException {
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
            assertEquals(COUNT / PER_SEGMENT, reader.leaves().size());
            double recall = recall(new IndexSearcher(reader), vectors, queries, K);
            figure("recall@%d, embedding-like vectors, %d segments of %d: %.3f", K, reader.leaves().size(),
                    PER_SEGMENT, recall);
            assertTrue(recall >= 0.95, "recall " + recall);
        }
    }

    /**
     * On isotropic vectors the graph walk, not PQ, limits recall at the default depth: Lucene's own HNSW scores about
     * the same at the same beam. Asking for more hits widens the beam (rerank depth = max(k, default)).
     */
    @Test
    void isotropicRandomVectorsNeedADeeperSearch() throws IOException {
        float[][] isotropic = TestVectors.randomUnitVectors(COUNT, 43);
        try (Directory isoDir = new MMapDirectory(tmp.resolve("isotropic"))) {
            try (IndexWriter writer = new IndexWriter(isoDir, TestVectors.config(COUNT))) {
                for (int i = 0; i < COUNT; i++) {
                    writer.addDocument(TestVectors.document(i, isotropic[i]));
                }
                writer.commit();
            }
            try (DirectoryReader reader = DirectoryReader.open(isoDir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                float[][] isoQueries = TestVectors.randomUnitVectors(QUERIES, 8);
                double atDefault = recall(searcher, isotropic, isoQueries, K);
                double deeper = recall(searcher, isotropic, isoQueries, ISOTROPIC_DEPTH);
                figure("recall@%d, isotropic random vectors, one segment of %d: %.3f at the default depth,"
                        + " %.3f searching %d deep", K, COUNT, atDefault, deeper, ISOTROPIC_DEPTH);
                assertTrue(atDefault >= 0.2, "recall " + atDefault);
                assertTrue(deeper >= 0.95, "recall " + deeper);
            }
        }
    }

    @Test
    void reopeningGivesIdenticalResults() throws IOException {
        List<TopDocs> before = new ArrayList<>();
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            for (float[] q : queries) {
                before.add(TestVectors.nearest(searcher, q, K, null));
            }
        }
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            for (int i = 0; i < queries.length; i++) {
                TopDocs after = TestVectors.nearest(searcher, queries[i], K, null);
                assertEquals(before.get(i).scoreDocs.length, after.scoreDocs.length);
                for (int j = 0; j < after.scoreDocs.length; j++) {
                    ScoreDoc a = before.get(i).scoreDocs[j];
                    ScoreDoc b = after.scoreDocs[j];
                    assertEquals(a.doc, b.doc);
                    // Exact scores come from a vectorised dot product, whose last bit may differ between
                    // interpreted and JIT-compiled runs; the graph's answer itself must not change.
                    assertEquals(a.score, b.score, 1e-6f);
                }
            }
        }
    }

    @Test
    void openSegmentsHoldLittleMoreThanPqCodesOnTheHeap() throws IOException {
        long before = usedHeapAfterGc();
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
            long measured = usedHeapAfterGc() - before;
            long accounted = vectorReaderBytes(reader);
            figure("heap of an open %d-segment reader: ramBytesUsed %.0f B/vector, measured after GC %.0f B/vector"
                            + " (full-precision vectors: %d B/vector)", reader.leaves().size(),
                    accounted / (double) COUNT, measured / (double) COUNT, TestVectors.DIM * Float.BYTES);
            assertTrue(accounted < COUNT * 200L, "ramBytesUsed " + accounted);
            assertTrue(measured < COUNT * 300L, "measured " + measured);
        }
    }

    @Test
    void forceMergeRebuildsOneGraphWithoutLosingRecall() throws IOException {
        Path copy = tmp.resolve("merged");
        Files.createDirectories(copy);
        for (String file : dir.listAll()) {
            Files.copy(tmp.resolve("index").resolve(file), copy.resolve(file));
        }
        try (Directory mergedDir = new MMapDirectory(copy)) {
            long start = System.nanoTime();
            try (IndexWriter writer = new IndexWriter(mergedDir, TestVectors.config(PER_SEGMENT))) {
                writer.forceMerge(1);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            figure("forceMerge(1) of %d segments, %d vectors: %.1f s (%.0f vectors/s)",
                    COUNT / PER_SEGMENT, COUNT, seconds, COUNT / seconds);
            long before = usedHeapAfterGc();
            try (DirectoryReader reader = DirectoryReader.open(mergedDir)) {
                long measured = usedHeapAfterGc() - before;
                assertEquals(1, reader.leaves().size());
                IndexSearcher searcher = new IndexSearcher(reader);
                double recall = recall(searcher, vectors, queries, K);
                figure("recall@%d after forceMerge(1): %.3f; heap ramBytesUsed %.0f B/vector, measured %.0f"
                                + " B/vector", K, recall, vectorReaderBytes(reader) / (double) COUNT,
                        measured / (double) COUNT);
                assertTrue(recall >= 0.95, "recall " + recall);
                figure("merged segment on disk: graph and PQ codes %.0f B/vector, flat vectors %.0f B/vector;"
                                + " search k=%d: %.2f ms/query",
                        bytesPerVector(mergedDir, JVectorFormat.DATA_EXTENSION), bytesPerVector(mergedDir, "vec"), K,
                        millisPerQuery(searcher));
                filteredSearchMatchesBruteForce(searcher);
                visitLimitEndsAGraphSearch(reader.leaves().get(0));
            }
        }
    }

    /** A 30% filter: too many accepted documents for an exact scan up front, so the graph is searched. */
    private static void filteredSearchMatchesBruteForce(IndexSearcher searcher) throws IOException {
        Set<Integer> buckets = Set.of(1, 4, 7);
        BooleanQuery.Builder filter = new BooleanQuery.Builder();
        for (int b : buckets) {
            filter.add(new TermQuery(new Term(BUCKET, Integer.toString(b))), BooleanClause.Occur.SHOULD);
        }
        double recall = 0;
        for (float[] q : queries) {
            List<Integer> hits = TestVectors.search(searcher, q, K, filter.build());
            assertEquals(K, hits.size());
            assertTrue(hits.stream().allMatch(id -> buckets.contains(id % 10)), hits::toString);
            List<Integer> expected = TestVectors.bruteForce(filtered(buckets), q, K,
                    id -> buckets.contains(id % 10));
            recall += TestVectors.recall(expected, hits);
        }
        recall /= queries.length;
        figure("recall@%d with a 30%% filter after forceMerge(1): %.3f", K, recall);
        assertTrue(recall >= 0.95, "filtered recall " + recall);
    }

    private static java.util.Map<Integer, float[]> filtered(Set<Integer> buckets) {
        java.util.Map<Integer, float[]> map = new java.util.HashMap<>();
        for (int i = 0; i < COUNT; i++) {
            if (buckets.contains(i % 10)) {
                map.put(i, vectors[i]);
            }
        }
        return map;
    }

    /** jvector has no visit limit of its own: the format must stop the graph search and say so. */
    private static void visitLimitEndsAGraphSearch(LeafReaderContext leaf) throws IOException {
        TopKnnCollector collector = new TopKnnCollector(K, 200);
        leaf.reader().searchNearestVectors(VECTOR, queries[0], collector,
                AcceptDocs.fromLiveDocs(null, leaf.reader().maxDoc()));
        assertTrue(collector.earlyTerminated());
        assertTrue(collector.visitedCount() < 200 + 64, "visited " + collector.visitedCount());
    }

    /** Mean recall@K of searches asking for {@code depth} hits (the best K of them count). */
    private static double recall(IndexSearcher searcher, float[][] indexed, float[][] asked, int depth)
            throws IOException {
        double sum = 0;
        for (float[] q : asked) {
            List<Integer> hits = TestVectors.search(searcher, q, depth, null);
            sum += TestVectors.recall(TestVectors.bruteForce(indexed, q, K), hits.subList(0, Math.min(K, hits.size())));
        }
        return sum / asked.length;
    }

    private static double bytesPerVector(Directory directory, String extension) throws IOException {
        long bytes = 0;
        for (String file : directory.listAll()) {
            if (file.endsWith("." + extension)) {
                bytes += directory.fileLength(file);
            }
        }
        return bytes / (double) COUNT;
    }

    /** Mean single-threaded latency, after a warm-up so that the JIT has compiled the search path. */
    private static double millisPerQuery(IndexSearcher searcher) throws IOException {
        for (int i = 0; i < 1_000; i++) {
            TestVectors.nearest(searcher, queries[i % QUERIES], K, null);
        }
        int runs = 1_000;
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            TestVectors.nearest(searcher, queries[i % QUERIES], K, null);
        }
        return (System.nanoTime() - start) / 1e6 / runs;
    }

    private static long vectorReaderBytes(DirectoryReader reader) {
        long bytes = 0;
        for (LeafReaderContext leaf : reader.leaves()) {
            var perField = (PerFieldKnnVectorsFormat.FieldsReader) ((CodecReader) leaf.reader()).getVectorReader();
            bytes += ((JVectorReader) perField.getFieldReader(VECTOR)).ramBytesUsed();
        }
        return bytes;
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void figure(String format, Object... args) {
        System.out.println("FIGURE " + String.format(Locale.ROOT, format, args));
    }
}
