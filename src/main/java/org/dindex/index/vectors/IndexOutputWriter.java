package org.dindex.index.vectors;

import io.github.jbellis.jvector.disk.IndexWriter;
import org.apache.lucene.store.IndexOutput;

import java.io.IOException;

/**
 * jvector's {@link IndexWriter} over a Lucene {@link IndexOutput}, so that jvector serialises its graph and PQ codes
 * straight into a segment file, which Lucene then checksums, commits, replicates and deletes with the segment.
 *
 * <p>Positions are relative to where this writer started: jvector records offsets into what it writes (its footer
 * points back at its header), and {@link IndexInputReader} reads the same bytes back as a slice starting at 0.
 *
 * <p>Numbers are written little-endian, as everything else in Lucene files, rather than in the big-endian order
 * {@link java.io.DataOutput} documents: only {@link IndexInputReader} ever reads them, and it uses the same order.
 */
final class IndexOutputWriter implements IndexWriter {
    private final IndexOutput out;
    private final long start;

    IndexOutputWriter(IndexOutput out) {
        this.out = out;
        this.start = out.getFilePointer();
    }

    @Override
    public long position() {
        return out.getFilePointer() - start;
    }

    @Override
    public void write(int b) throws IOException {
        out.writeByte((byte) b);
    }

    @Override
    public void write(byte[] b) throws IOException {
        out.writeBytes(b, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.writeBytes(b, off, len);
    }

    @Override
    public void writeBoolean(boolean v) throws IOException {
        out.writeByte((byte) (v ? 1 : 0));
    }

    @Override
    public void writeByte(int v) throws IOException {
        out.writeByte((byte) v);
    }

    @Override
    public void writeShort(int v) throws IOException {
        out.writeShort((short) v);
    }

    @Override
    public void writeChar(int v) throws IOException {
        out.writeShort((short) v);
    }

    @Override
    public void writeInt(int v) throws IOException {
        out.writeInt(v);
    }

    @Override
    public void writeLong(long v) throws IOException {
        out.writeLong(v);
    }

    @Override
    public void writeFloat(float v) throws IOException {
        out.writeInt(Float.floatToIntBits(v));
    }

    @Override
    public void writeDouble(double v) throws IOException {
        out.writeLong(Double.doubleToLongBits(v));
    }

    @Override
    public void writeFloats(float[] v, int offset, int count) throws IOException {
        for (int i = offset; i < offset + count; i++) {
            out.writeInt(Float.floatToIntBits(v[i]));
        }
    }

    @Override
    public void writeBytes(String s) {
        throw noStrings();
    }

    @Override
    public void writeChars(String s) {
        throw noStrings();
    }

    @Override
    public void writeUTF(String s) {
        throw noStrings();
    }

    private static UnsupportedOperationException noStrings() {
        return new UnsupportedOperationException("jvector writes no strings into graph or PQ data");
    }

    /** Leaves the output open: it belongs to the Lucene writer, which writes more after jvector's part. */
    @Override
    public void close() {
    }
}
