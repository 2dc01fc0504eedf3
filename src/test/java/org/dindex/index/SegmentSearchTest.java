package org.dindex.index;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.QueryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Concurrent segment search: balanced slices, and the same hits as a sequential search on a real index. */
class SegmentSearchTest {
    private static final String[] WORDS = ("parliament commission council report vote amendment budget member state"
            + " fisheries energy transport safety rights citizens market policy reform treaty agreement").split(" ");

    @Test
    void slicesAreBalancedAndSearchFindsWhatSequentialSearchFinds(@TempDir Path dir) throws Exception {
        Random random = new Random(7);
        try (var directory = FSDirectory.open(dir);
             var writer = new IndexWriter(directory, new IndexWriterConfig(IndexFields.ANALYZER)
                     .setMergePolicy(NoMergePolicy.INSTANCE))) {
            // Nine segments of unequal sizes: 900, 800, ..., 100 documents.
            for (int segment = 9; segment >= 1; segment--) {
                for (int i = 0; i < segment * 100; i++) {
                    Document doc = new Document();
                    doc.add(new StringField("id", segment + "-" + i, Field.Store.YES));
                    StringBuilder text = new StringBuilder();
                    for (int w = 0; w < 12; w++) {
                        text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
                    }
                    doc.add(new TextField(IndexFields.TEXT, text.toString(), Field.Store.NO));
                    writer.addDocument(doc);
                }
                writer.commit();
            }
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                assertEquals(9, reader.leaves().size());

                IndexSearcher.LeafSlice[] three = SegmentSearch.balanced(reader.leaves(), 3, 1);
                assertEquals(3, three.length);
                int[] docs = Arrays.stream(three).mapToInt(IndexSearcher.LeafSlice::getMaxDocs).sorted().toArray();
                // 4,500 documents dealt largest first to the lightest slice: 900+400+300, 800+500+200, 700+600+100.
                assertEquals(4_500, Arrays.stream(docs).sum());
                assertArrayEquals(new int[]{1_400, 1_500, 1_600}, docs);
                assertEquals(9, Arrays.stream(three).mapToInt(s -> s.partitions.length).sum());

                assertEquals(1, SegmentSearch.balanced(reader.leaves(), 3, 10_000).length,
                        "a small index is searched in one slice");
                assertEquals(2, SegmentSearch.balanced(reader.leaves(), 8, 2_000).length,
                        "no more slices than the minimum slice size allows");
                assertEquals(9, SegmentSearch.balanced(reader.leaves(), 20, 1).length,
                        "no more slices than segments");

                IndexSearcher sequential = new IndexSearcher(reader);
                IndexSearcher sliced = SegmentSearch.searcher(reader, 3, 1);
                assertEquals(3, sliced.getSlices().length);
                QueryBuilder builder = new QueryBuilder(IndexFields.ANALYZER);
                for (String q : new String[]{"fisheries reform", "budget vote citizens", "energy", "treaty market"
                        + " rights safety"}) {
                    Query query = builder.createBooleanQuery(IndexFields.TEXT, q);
                    TopDocs expected = sequential.search(query, 50);
                    TopDocs actual = sliced.search(query, 50);
                    assertTrue(expected.scoreDocs.length == 50, "query '" + q + "' should fill the page");
                    assertArrayEquals(scores(expected), scores(actual), 1e-6f, q);
                    assertEquals(sequential.count(query), sliced.count(query));
                }
            }
        }
    }

    private static float[] scores(TopDocs top) {
        float[] s = new float[top.scoreDocs.length];
        int i = 0;
        for (ScoreDoc sd : top.scoreDocs) {
            s[i++] = sd.score;
        }
        return s;
    }
}
