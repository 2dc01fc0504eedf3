package org.dindex.index.vectors;

import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A merge that is called off (its writer closing) stops building its graph within a batch of nodes instead of
 * finishing it: the abort check runs between batches. Counted in vector reads, the work a graph build does, against
 * the same build left to finish.
 */
class GraphBuildAbortTest {
    private static final int COUNT = 5_000;

    @Test
    void anAbortedBuildStopsWithinABatch() throws Exception {
        float[][] vectors = TestVectors.embeddingLikeVectors(COUNT, 41);
        FieldInfo field = vectorField(vectors[0]);
        FieldGraphWriter graphs = new FieldGraphWriter(JVectorFormat.DEFAULT_PQ_SUBSPACES,
                JVectorFormat.DEFAULT_RERANK_DEPTH, new ForkJoinPool(2));

        LongAdder finishedReads = new LongAdder();
        build(graphs, field, vectors, finishedReads, FieldGraphWriter.AbortCheck.NEVER);

        LongAdder abortedReads = new LongAdder();
        AtomicInteger checks = new AtomicInteger();
        assertThrows(MergePolicy.MergeAbortedException.class, () -> build(graphs, field, vectors, abortedReads, () -> {
            if (checks.incrementAndGet() > 2) {
                throw new MergePolicy.MergeAbortedException("closing");
            }
        }));
        assertTrue(abortedReads.sum() < finishedReads.sum() / 4, "aborted build read " + abortedReads.sum()
                + " vectors, a finished one " + finishedReads.sum());
    }

    private static void build(FieldGraphWriter graphs, FieldInfo field, float[][] vectors, LongAdder reads,
                              FieldGraphWriter.AbortCheck aborted) throws IOException {
        try (Directory dir = new ByteBuffersDirectory();
             IndexOutput out = dir.createOutput("graph", IOContext.DEFAULT)) {
            graphs.write(field, vectors.length, () -> new Counting(vectors, reads), out, aborted);
        }
    }

    /** The field as a real segment records it. */
    private static FieldInfo vectorField(float[] vector) throws IOException {
        try (Directory dir = new ByteBuffersDirectory()) {
            try (IndexWriter writer = new IndexWriter(dir, TestVectors.config(10))) {
                writer.addDocument(TestVectors.document(0, vector));
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                return reader.leaves().get(0).reader().getFieldInfos().fieldInfo(TestVectors.VECTOR);
            }
        }
    }

    /** In-memory vectors that count every read, copies included. */
    private static final class Counting extends FloatVectorValues {
        private final float[][] vectors;
        private final LongAdder reads;

        Counting(float[][] vectors, LongAdder reads) {
            this.vectors = vectors;
            this.reads = reads;
        }

        @Override
        public float[] vectorValue(int ord) {
            reads.increment();
            return vectors[ord];
        }

        @Override
        public FloatVectorValues copy() {
            return new Counting(vectors, reads);
        }

        @Override
        public int dimension() {
            return vectors[0].length;
        }

        @Override
        public int size() {
            return vectors.length;
        }

        @Override
        public String toString() {
            return "Counting" + Arrays.toString(new int[] {vectors.length});
        }
    }
}
