package org.dindex.index.vectors;

import io.github.jbellis.jvector.disk.RandomAccessReader;
import io.github.jbellis.jvector.disk.ReaderSupplier;
import org.apache.lucene.store.IndexInput;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * jvector's {@link RandomAccessReader} over a Lucene {@link IndexInput} slice holding what {@link IndexOutputWriter}
 * wrote. Under {@code MMapDirectory} the slice is a view of the mapped segment file: each read copies just the bytes
 * asked for (one adjacency list, say), so a graph is searched without ever being loaded onto the heap.
 *
 * <p>Not thread-safe, like the {@code IndexInput} clone under it; {@link #supplier} gives every jvector view (one per
 * search) its own clone.
 */
final class IndexInputReader implements RandomAccessReader {
    private final IndexInput in;

    IndexInputReader(IndexInput in) {
        this.in = in;
    }

    /** Readers over clones of {@code slice}; jvector opens one per graph view. */
    static ReaderSupplier supplier(IndexInput slice) {
        return () -> new IndexInputReader(slice.clone());
    }

    @Override
    public void seek(long position) throws IOException {
        in.seek(position);
    }

    @Override
    public long getPosition() {
        return in.getFilePointer();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public float readFloat() throws IOException {
        return Float.intBitsToFloat(in.readInt());
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public void readFully(byte[] bytes) throws IOException {
        in.readBytes(bytes, 0, bytes.length);
    }

    @Override
    public void readFully(ByteBuffer buffer) throws IOException {
        int length = buffer.remaining();
        if (buffer.hasArray()) {
            in.readBytes(buffer.array(), buffer.arrayOffset() + buffer.position(), length);
            buffer.position(buffer.limit());
        } else {
            byte[] bytes = new byte[length];
            in.readBytes(bytes, 0, length);
            buffer.put(bytes);
        }
    }

    @Override
    public void readFully(float[] floats) throws IOException {
        in.readFloats(floats, 0, floats.length);
    }

    @Override
    public void readFully(long[] longs) throws IOException {
        in.readLongs(longs, 0, longs.length);
    }

    @Override
    public void read(int[] ints, int offset, int count) throws IOException {
        in.readInts(ints, offset, count);
    }

    @Override
    public void read(float[] floats, int offset, int count) throws IOException {
        in.readFloats(floats, offset, count);
    }

    @Override
    public long length() {
        return in.length();
    }

    /** Nothing to release: clones and slices need no closing, and the Lucene reader owns the file. */
    @Override
    public void close() {
    }
}
