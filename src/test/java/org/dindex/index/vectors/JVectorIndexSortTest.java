package org.dindex.index.vectors;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With index sorting, a flushed segment's vectors are stored in sorted order, not in the order they were added; the
 * graph's nodes must follow the stored order, or every hit would point at the wrong document.
 */
class JVectorIndexSortTest {
    private static final int COUNT = 3_000;

    @TempDir
    Path tmp;

    @Test
    void graphNodesFollowTheSortedVectorOrder() throws IOException {
        float[][] vectors = TestVectors.embeddingLikeVectors(COUNT, 31);
        Random random = new Random(32);
        try (Directory dir = new MMapDirectory(tmp)) {
            try (IndexWriter writer = new IndexWriter(dir, TestVectors.config(1_500)
                    .setIndexSort(new Sort(new SortField("rank", SortField.Type.INT))))) {
                for (int i = 0; i < COUNT; i++) {
                    Document doc = TestVectors.document(i, vectors[i]);
                    doc.add(new NumericDocValuesField("rank", random.nextInt(1_000_000)));
                    writer.addDocument(doc);
                }
                writer.commit();
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                assertEquals(2, reader.leaves().size());
                IndexSearcher searcher = new IndexSearcher(reader);
                for (int id = 0; id < COUNT; id += 37) {
                    TopDocs top = TestVectors.nearest(searcher, vectors[id], 10, null);
                    assertEquals(id, TestVectors.ids(searcher, top).get(0));
                    assertEquals(1f, top.scoreDocs[0].score, 1e-5f);
                }
            }
        }
    }
}
