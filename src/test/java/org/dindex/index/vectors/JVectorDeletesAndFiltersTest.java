package org.dindex.index.vectors;

import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

import static org.dindex.index.vectors.TestVectors.BUCKET;
import static org.dindex.index.vectors.TestVectors.ID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deletions, updates and filters on 4,000 vectors in segments of 1,500, 1,500 and 1,000 (the last too small for a
 * graph, so searched exactly). Merges with deletions are in {@link JVectorConcurrentMergeTest}.
 */
class JVectorDeletesAndFiltersTest {
    private static final int COUNT = 4_000;
    private static final int K = 10;

    @TempDir
    Path tmp;
    private Directory dir;
    private IndexWriter writer;
    private final Map<Integer, float[]> live = new HashMap<>();
    private float[][] vectors;
    private float[][] queries;

    @BeforeEach
    void index() throws IOException {
        vectors = TestVectors.embeddingLikeVectors(COUNT, 11);
        queries = TestVectors.embeddingLikeVectors(40, 12);
        dir = new MMapDirectory(tmp);
        // No merges: the segments keep their deletions and the small one stays without a graph.
        writer = new IndexWriter(dir, TestVectors.config(1_500).setMergePolicy(NoMergePolicy.INSTANCE));
        for (int i = 0; i < COUNT; i++) {
            writer.addDocument(TestVectors.document(i, vectors[i]));
            live.put(i, vectors[i]);
        }
        writer.commit();
    }

    @AfterEach
    void close() throws IOException {
        writer.close();
        dir.close();
    }

    @Test
    void deletedDocumentsAreNeverReturned() throws IOException {
        IntPredicate deleted = id -> id % 3 == 0;
        for (int id = 0; id < COUNT; id++) {
            if (deleted.test(id)) {
                writer.deleteDocuments(new Term(ID, Integer.toString(id)));
                live.remove(id);
            }
        }
        // Near-real-time first (deletes not yet committed), then the committed index.
        try (DirectoryReader reader = DirectoryReader.open(writer)) {
            assertNoDeletedHits(new IndexSearcher(reader), deleted);
        }
        writer.commit();
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
            assertEquals(3, reader.leaves().size());
            assertNoDeletedHits(new IndexSearcher(reader), deleted);
        }
    }

    private void assertNoDeletedHits(IndexSearcher searcher, IntPredicate deleted) throws IOException {
        double recall = 0;
        for (float[] q : queries) {
            List<Integer> hits = TestVectors.search(searcher, q, K, null);
            assertTrue(hits.stream().noneMatch(deleted::test), hits::toString);
            recall += TestVectors.recall(TestVectors.bruteForce(live, q, K, id -> true), hits);
        }
        // Querying with a deleted document's own vector: its exact match must not come back.
        for (int id = 0; id < 300; id += 3) {
            List<Integer> hits = TestVectors.search(searcher, vectors[id], K, null);
            assertFalse(hits.contains(id));
            assertEquals(TestVectors.bruteForce(live, vectors[id], 1, x -> true).get(0), hits.get(0));
        }
        assertTrue(recall / queries.length >= 0.95, "recall " + recall / queries.length);
    }

    @Test
    void updateDocumentReplacesTheVector() throws IOException {
        float[][] replacements = TestVectors.embeddingLikeVectors(50, 13);
        for (int id = 0; id < 50; id++) {
            writer.updateDocument(new Term(ID, Integer.toString(id)), TestVectors.document(id, replacements[id]));
        }
        writer.commit();
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            for (int id = 0; id < 50; id++) {
                assertEquals(1, searcher.count(new TermQuery(new Term(ID, Integer.toString(id)))));
                TopDocs found = TestVectors.nearest(searcher, replacements[id], K, null);
                assertEquals(id, TestVectors.ids(searcher, found).get(0));
                assertEquals(1f, found.scoreDocs[0].score, 1e-5f);
                // The old vector is gone: nothing scores as an exact match for it any more.
                TopDocs old = TestVectors.nearest(searcher, live.get(id), K, null);
                assertTrue(old.scoreDocs[0].score < 0.9999f, "old vector still indexed for " + id);
            }
        }
    }

    @Test
    void filteredSearchesReturnOnlyMatchingDocuments() throws IOException {
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            // 10%: answered by an exact scan of the accepted vectors inside the format.
            assertFilteredSearch(searcher, new TermQuery(new Term(BUCKET, "3")), id -> id % 10 == 3, 1.0);
            // 60%: a graph search, the filter applied to the candidates it keeps.
            BooleanQuery.Builder wide = new BooleanQuery.Builder();
            for (int b = 0; b < 6; b++) {
                wide.add(new TermQuery(new Term(BUCKET, Integer.toString(b))), BooleanClause.Occur.SHOULD);
            }
            assertFilteredSearch(searcher, wide.build(), id -> id % 10 < 6, 0.95);
        }
    }

    private void assertFilteredSearch(IndexSearcher searcher, Query filter, IntPredicate accepted, double minRecall)
            throws IOException {
        double recall = 0;
        for (float[] q : queries) {
            List<Integer> hits = TestVectors.search(searcher, q, K, filter);
            assertEquals(K, hits.size());
            assertTrue(hits.stream().allMatch(accepted::test), hits::toString);
            recall += TestVectors.recall(TestVectors.bruteForce(live, q, K, accepted), hits);
        }
        assertTrue(recall / queries.length >= minRecall, "recall " + recall / queries.length);
    }

    /** Fewer accepted documents than k: Lucene scores them all itself, through the format's vector values. */
    @Test
    void verySelectiveFilterIsAnsweredExactly() throws IOException {
        Set<Integer> chosen = Set.of(7, 1_234, 2_001, 3_333, 3_999);
        Query filter = new TermInSetQuery(ID, chosen.stream().map(id -> new BytesRef(Integer.toString(id))).toList());
        try (DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            for (float[] q : queries) {
                List<Integer> hits = TestVectors.search(searcher, q, K, filter);
                List<Integer> expected = chosen.stream()
                        .sorted(Comparator.comparingDouble(id -> -TestVectors.dot(live.get(id), q)))
                        .toList();
                assertEquals(expected, hits);
            }
        }
    }
}
