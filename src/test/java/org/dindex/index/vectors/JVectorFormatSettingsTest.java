package org.dindex.index.vectors;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnByteVectorField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CodecReader;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnByteVectorQuery;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public surface: names Lucene looks up, settings that travel with segments, fields without graphs. */
class JVectorFormatSettingsTest {
    @TempDir
    Path tmp;

    @Test
    void codecAndFormatAreFoundByName() {
        assertInstanceOf(DindexCodec.class, Codec.forName(DindexCodec.NAME));
        assertInstanceOf(JVectorFormat.class, KnnVectorsFormat.forName(JVectorFormat.NAME));
    }

    /** Written with 24 subspaces on the caller's pool, read back through the by-name default instances. */
    @Test
    void segmentsKeepTheSettingsTheyWereWrittenWith() throws IOException {
        int count = 2_000;
        float[][] vectors = TestVectors.embeddingLikeVectors(count, 51);
        ForkJoinPool pool = new ForkJoinPool(1);
        try (Directory dir = new MMapDirectory(tmp)) {
            try (IndexWriter writer = new IndexWriter(dir, TestVectors.config(count)
                    .setCodec(new DindexCodec(new JVectorFormat(24, 50, pool))))) {
                for (int i = 0; i < count; i++) {
                    writer.addDocument(TestVectors.document(i, vectors[i]));
                }
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                var perField = (PerFieldKnnVectorsFormat.FieldsReader)
                        ((CodecReader) reader.leaves().get(0).reader()).getVectorReader();
                long heap = ((JVectorReader) perField.getFieldReader(TestVectors.VECTOR)).ramBytesUsed();
                long codebooks = TestVectors.DIM * 256L * Float.BYTES;
                assertTrue(heap >= codebooks + 24L * count && heap < codebooks + 40L * count, "heap " + heap);
                IndexSearcher searcher = new IndexSearcher(reader);
                TopDocs top = searcher.search(new KnnFloatVectorQuery(TestVectors.VECTOR, vectors[5], 10), 10);
                assertEquals(5, TestVectors.ids(searcher, top).get(0));
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * jvector has no maximum inner product and no byte vectors. Such fields must still index (an exception from the
     * vector writer would close the IndexWriter) and answer exactly, from the flat vectors.
     */
    @Test
    void fieldsJVectorCannotServeAreSearchedExactly() throws IOException {
        int count = 1_500;
        Random random = new Random(61);
        float[][] floats = new float[count][];
        byte[][] bytes = new byte[count][];
        try (Directory dir = new MMapDirectory(tmp)) {
            try (IndexWriter writer = new IndexWriter(dir, TestVectors.config(count))) {
                for (int i = 0; i < count; i++) {
                    floats[i] = new float[] {random.nextFloat() * 4, random.nextFloat() * 4, random.nextFloat()};
                    bytes[i] = new byte[] {(byte) random.nextInt(), (byte) random.nextInt(), (byte) random.nextInt()};
                    Document doc = new Document();
                    doc.add(new StringField(TestVectors.ID, Integer.toString(i), Field.Store.YES));
                    doc.add(new KnnFloatVectorField("mip", floats[i], VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT));
                    doc.add(new KnnByteVectorField("bytes", bytes[i], VectorSimilarityFunction.EUCLIDEAN));
                    writer.addDocument(doc);
                }
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                IndexSearcher searcher = new IndexSearcher(reader);
                float[] query = {1, 2, 0.5f};
                List<Integer> expected = IntStream.range(0, count).boxed()
                        .sorted(Comparator.comparingDouble(i -> -TestVectors.dot(floats[i], query)))
                        .limit(5).toList();
                assertEquals(expected,
                        TestVectors.ids(searcher, searcher.search(new KnnFloatVectorQuery("mip", query, 5), 5)));
                TopDocs nearest = searcher.search(new KnnByteVectorQuery("bytes", bytes[42], 1), 1);
                assertEquals(1f, nearest.scoreDocs[0].score);
                assertTrue(Arrays.equals(bytes[42], bytes[TestVectors.ids(searcher, nearest).get(0)]));
            }
        }
    }
}
