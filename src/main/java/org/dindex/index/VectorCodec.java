package org.dindex.index;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** float[] to little-endian bytes and back, for Lucene stored fields and the write-ahead log. */
final class VectorCodec {
    private VectorCodec() {
    }

    static byte[] encode(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        return buf.array();
    }

    static float[] decode(byte[] bytes, int offset, int length) {
        float[] v = new float[length / 4];
        ByteBuffer.wrap(bytes, offset, length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
