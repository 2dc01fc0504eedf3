package org.dindex.index;

import io.github.jbellis.jvector.disk.RandomAccessReader;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodesIterator;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.IntUnaryOperator;

/**
 * The file that lets a restart skip rebuilding the vector graph: {@code <data>/index/vectors/graph.bin}.
 *
 * <p><b>Why a file of our own.</b> Rebuilding the graph from the stored vectors costs about a millisecond per vector
 * per core (108 s for 100k, the better part of an hour for a million on this machine), so a restart, a crash or a
 * pod reschedule would otherwise make a large index unsearchable for that long. jvector can load a saved on-heap
 * graph into a {@code GraphIndexBuilder} (which keeps accepting inserts), but its own {@code save} insists that the
 * graph be frozen first, and a frozen graph stops serving concurrent inserts. So this class writes the same
 * layout (format 4 of jvector's {@code OnHeapGraphIndex}) from the graph's public read API while no insert runs (the
 * index writer thread), and hands the section to {@code GraphIndexBuilder.load}, which recomputes neighbour scores
 * from the vectors itself (the scores written here are zeros).
 *
 * <p><b>Layout</b> (big-endian): {@code "DXG1"} magic, format version, dimension, node count; per node (ascending
 * ordinal) the ordinal and a hash of its vector; then jvector's section: magic, version 4, layer count, degree per
 * layer, entry node, and per layer its size and each node's neighbour list. The hashes let a restart check that
 * every ordinal the snapshot holds still maps to the same vector in Lucene; if one does not, the snapshot is
 * ignored and the graph rebuilt. Written to a temporary file, fsynced, then renamed over the old one, so a crash
 * while saving leaves the previous snapshot.
 */
final class GraphSnapshot {
    static final int MAGIC = 0x44584731; // "DXG1"
    static final int VERSION = 1;
    private static final int JVECTOR_MAGIC = 0x75EC4012; // OnHeapGraphIndex.MAGIC
    private static final int JVECTOR_VERSION = 4;

    /** The header of a snapshot: the ordinals it holds and their vector hashes, in ascending ordinal order. */
    record Header(int dimension, int[] ordinals, int[] hashes) {
    }

    private GraphSnapshot() {
    }

    /**
     * Writes {@code graph} to {@code file}. The caller guarantees no insert or delete runs meanwhile.
     *
     * @param hash the vector hash of an ordinal
     */
    static void write(Path file, ImmutableGraphIndex graph, int dimension, IntUnaryOperator hash) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (ImmutableGraphIndex.View view = graph.getView();
             FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                     java.nio.channels.Channels.newOutputStream(ch), 1 << 16))) {
            int[] nodes = sortedNodes(graph, 0);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(dimension);
            out.writeInt(nodes.length);
            for (int n : nodes) {
                out.writeInt(n);
                out.writeInt(hash.applyAsInt(n));
            }
            out.writeInt(JVECTOR_MAGIC);
            out.writeInt(JVECTOR_VERSION);
            int layers = nodes.length == 0 ? 0 : graph.getMaxLevel() + 1;
            out.writeInt(layers);
            for (int level = 0; level < layers; level++) {
                out.writeInt(graph.getDegree(level));
            }
            ImmutableGraphIndex.NodeAtLevel entry = view.entryNode();
            out.writeInt(entry == null ? -1 : entry.node);
            for (int level = 0; level < layers; level++) {
                int[] atLevel = level == 0 ? nodes : sortedNodes(graph, level);
                out.writeInt(atLevel.length);
                for (int node : atLevel) {
                    NodesIterator neighbours = view.getNeighborsIterator(level, node);
                    out.writeInt(node);
                    out.writeInt(neighbours.size());
                    int written = 0;
                    while (neighbours.hasNext()) {
                        out.writeInt(neighbours.nextInt());
                        out.writeFloat(0f);
                        written++;
                    }
                    if (written != neighbours.size()) {
                        throw new IllegalStateException("neighbour list of " + node + " changed while saving");
                    }
                }
            }
            out.flush();
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int[] sortedNodes(ImmutableGraphIndex graph, int level) {
        NodesIterator it = graph.getNodes(level);
        int[] out = new int[it.size()];
        int i = 0;
        while (it.hasNext()) {
            out[i++] = it.nextInt();
        }
        if (i != out.length) {
            throw new IllegalStateException("graph layer " + level + " changed while saving");
        }
        java.util.Arrays.sort(out);
        return out;
    }

    /** An open snapshot: its header read, the stream positioned at jvector's section. */
    static final class Reader implements AutoCloseable {
        private final DataInputStream in;
        private final Header header;

        Reader(Path file) throws IOException {
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
            try {
                if (in.readInt() != MAGIC) {
                    throw new IOException("not a dindex graph snapshot");
                }
                int version = in.readInt();
                if (version != VERSION) {
                    throw new IOException("graph snapshot format " + version + " (this build reads " + VERSION + ")");
                }
                int dimension = in.readInt();
                int count = in.readInt();
                if (count < 0) {
                    throw new IOException("corrupt graph snapshot (node count " + count + ")");
                }
                int[] ordinals = new int[count];
                int[] hashes = new int[count];
                for (int i = 0; i < count; i++) {
                    ordinals[i] = in.readInt();
                    hashes[i] = in.readInt();
                }
                header = new Header(dimension, ordinals, hashes);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        Header header() {
            return header;
        }

        /**
         * jvector's section, for {@code GraphIndexBuilder.load}.
         *
         * @param scores the score function the loader uses for a node's neighbours
         */
        RandomAccessReader graphSection(
                java.util.function.IntFunction<io.github.jbellis.jvector.graph.similarity.ScoreFunction> scores) {
            return new SortingSection(in, scores);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * jvector's section as its loader reads it, with each neighbour list re-sorted by the similarity the loader will
     * compute. The loader requires lists in non-increasing score order and recomputes every score from the vectors
     * present at load time; a node deleted since the save has only a placeholder vector by then, so the saved order
     * no longer holds for lists that include it. Each node's list is read, scored with the very score function the
     * loader uses (so ties and rounding agree) and handed out sorted, one node at a time.
     *
     * <p>Only the sequential reads that loader makes are supported; the stream is never mapped (jvector's simple mapped
     * reader is one buffer, limited to 2 GB, which a graph of ten million nodes exceeds).
     */
    static final class SortingSection implements RandomAccessReader {
        private final DataInputStream in;
        private final java.util.function.IntFunction<io.github.jbellis.jvector.graph.similarity.ScoreFunction> scores;
        private int[] tokens = new int[64];
        private int head;
        private int tail;
        private int layersLeft = -1;
        private int nodesLeft;

        SortingSection(DataInputStream in,
                       java.util.function.IntFunction<io.github.jbellis.jvector.graph.similarity.ScoreFunction> scores) {
            this.in = in;
            this.scores = scores;
        }

        private void emit(int token) {
            if (tail == tokens.length) {
                tokens = java.util.Arrays.copyOf(tokens, tokens.length * 2);
            }
            tokens[tail++] = token;
        }

        /** Reads the next structural unit of the section into the token queue. */
        private void refill() throws IOException {
            head = 0;
            tail = 0;
            if (layersLeft < 0) {
                emit(in.readInt()); // magic
                emit(in.readInt()); // version
                int layers = in.readInt();
                emit(layers);
                for (int i = 0; i < layers; i++) {
                    emit(in.readInt()); // degree
                }
                emit(in.readInt()); // entry node
                layersLeft = layers;
                return;
            }
            if (nodesLeft == 0) {
                if (layersLeft == 0) {
                    throw new EOFException("read past the end of the graph section");
                }
                layersLeft--;
                nodesLeft = in.readInt();
                emit(nodesLeft);
                return;
            }
            nodesLeft--;
            int node = in.readInt();
            int count = in.readInt();
            if (count < 0 || count > 100_000) {
                throw new IOException("corrupt graph snapshot (node " + node + " has " + count + " neighbours)");
            }
            var score = scores.apply(node);
            int[] ids = new int[count];
            float[] sims = new float[count];
            Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) {
                ids[i] = in.readInt();
                in.readFloat(); // saved as 0: the loader scores neighbours itself
                sims[i] = score.similarityTo(ids[i]);
                order[i] = i;
            }
            java.util.Arrays.sort(order, (x, y) -> Float.compare(sims[y], sims[x])); // stable, best first
            emit(node);
            emit(count);
            for (int i : order) {
                emit(ids[i]);
                emit(Float.floatToIntBits(sims[i]));
            }
        }

        private int next() throws IOException {
            while (head == tail) {
                refill();
            }
            return tokens[head++];
        }

        @Override
        public int readInt() throws IOException {
            return next();
        }

        @Override
        public float readFloat() throws IOException {
            return Float.intBitsToFloat(next());
        }

        @Override
        public long readLong() throws IOException {
            return ((long) next() << 32) | (next() & 0xffffffffL);
        }

        @Override
        public void readFully(byte[] bytes) {
            throw unsupported();
        }

        @Override
        public void readFully(ByteBuffer buffer) {
            throw unsupported();
        }

        @Override
        public void readFully(long[] values) throws IOException {
            for (int i = 0; i < values.length; i++) {
                values[i] = readLong();
            }
        }

        @Override
        public void read(int[] values, int offset, int count) throws IOException {
            for (int i = 0; i < count; i++) {
                values[offset + i] = readInt();
            }
        }

        @Override
        public void read(float[] values, int offset, int count) throws IOException {
            for (int i = 0; i < count; i++) {
                values[offset + i] = readFloat();
            }
        }

        @Override
        public void seek(long to) {
            throw unsupported();
        }

        @Override
        public long getPosition() {
            throw unsupported();
        }

        @Override
        public long length() {
            throw unsupported();
        }

        private static UnsupportedOperationException unsupported() {
            return new UnsupportedOperationException("the graph snapshot section is read sequentially, int by int");
        }

        @Override
        public void close() {
            // the enclosing Reader owns the stream
        }
    }

    /** A hash of a vector's exact float bits: equal vectors hash equal, a different vector almost never does. */
    static int hash(io.github.jbellis.jvector.vector.types.VectorFloat<?> v) {
        int h = 1;
        for (int i = 0; i < v.length(); i++) {
            h = 31 * h + Float.floatToIntBits(v.get(i));
        }
        return h;
    }
}
