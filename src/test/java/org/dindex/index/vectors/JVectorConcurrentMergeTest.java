package org.dindex.index.vectors;

import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code forceMerge(1)} while one thread searches and another writes: a reader opened before the merge keeps
 * answering as before from the segments it holds, near-real-time readers never return deleted documents, and the
 * index is sound afterwards.
 */
class JVectorConcurrentMergeTest {
    private static final int COUNT = 6_000;
    private static final int ADDED = 1_000;
    private static final int K = 10;

    @TempDir
    Path tmp;

    @Test
    void forceMergeWhileSearchingAndWriting() throws Exception {
        float[][] vectors = TestVectors.embeddingLikeVectors(COUNT + ADDED, 21);
        float[][] queries = TestVectors.embeddingLikeVectors(20, 22);
        try (Directory dir = new MMapDirectory(tmp);
             IndexWriter writer = new IndexWriter(dir, TestVectors.config(1_500))) {
            for (int i = 0; i < COUNT; i++) {
                writer.addDocument(TestVectors.document(i, vectors[i]));
            }
            writer.commit();
            DirectoryReader beforeMerge = DirectoryReader.open(dir);
            assertEquals(4, beforeMerge.leaves().size());
            List<List<Integer>> baseline = searchAll(new IndexSearcher(beforeMerge), queries);

            // Deletes first, so every near-real-time reader the searcher opens already lacks them.
            for (int i = 0; i < COUNT; i += 7) {
                writer.deleteDocuments(new Term(TestVectors.ID, Integer.toString(i)));
            }
            // Own threads: the common pool may have a single worker, which the searcher would keep to itself.
            ExecutorService threads = Executors.newFixedThreadPool(2);
            AtomicBoolean merging = new AtomicBoolean(true);
            AtomicInteger searches = new AtomicInteger();
            CompletableFuture<Void> searcher = CompletableFuture.runAsync(() -> {
                try {
                    while (merging.get()) {
                        assertEquals(baseline, searchAll(new IndexSearcher(beforeMerge), queries));
                        try (DirectoryReader nrt = DirectoryReader.open(writer)) {
                            for (List<Integer> hits : searchAll(new IndexSearcher(nrt), queries)) {
                                assertTrue(hits.stream().noneMatch(id -> id < COUNT && id % 7 == 0), hits::toString);
                            }
                        }
                        searches.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);
            CompletableFuture<Void> adder = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = COUNT; i < COUNT + ADDED; i++) {
                        writer.addDocument(TestVectors.document(i, vectors[i]));
                    }
                    writer.commit();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, threads);

            writer.forceMerge(1);
            adder.join();
            merging.set(false);
            searcher.join();
            threads.shutdown();
            writer.commit();
            assertTrue(searches.get() > 0);

            // The pre-merge reader still holds the old segments (their files are gone from the commit).
            assertEquals(baseline, searchAll(new IndexSearcher(beforeMerge), queries));
            beforeMerge.close();

            try (DirectoryReader after = DirectoryReader.open(dir)) {
                assertEquals(COUNT + ADDED - (COUNT + 6) / 7, after.numDocs());
                IndexSearcher s = new IndexSearcher(after);
                double recall = 0;
                List<float[]> liveVectors = new ArrayList<>();
                List<Integer> liveIds = new ArrayList<>();
                for (int i = 0; i < COUNT + ADDED; i++) {
                    if (i >= COUNT || i % 7 != 0) {
                        liveVectors.add(vectors[i]);
                        liveIds.add(i);
                    }
                }
                float[][] indexed = liveVectors.toArray(float[][]::new);
                for (float[] q : queries) {
                    List<Integer> hits = TestVectors.search(s, q, K, null);
                    List<Integer> expected = TestVectors.bruteForce(indexed, q, K).stream().map(liveIds::get).toList();
                    recall += TestVectors.recall(expected, hits);
                }
                assertTrue(recall / queries.length >= 0.95, "recall " + recall / queries.length);
            }
        }
        try (Directory dir = new MMapDirectory(tmp)) {
            CheckIndex.Status status;
            try (CheckIndex check = new CheckIndex(dir)) {
                status = check.checkIndex();
            }
            assertTrue(status.clean);
        }
    }

    private static List<List<Integer>> searchAll(IndexSearcher searcher, float[][] queries) throws IOException {
        List<List<Integer>> results = new ArrayList<>();
        for (float[] q : queries) {
            results.add(TestVectors.search(searcher, q, K, null));
        }
        return results;
    }
}
