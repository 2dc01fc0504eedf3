package org.dindex.protocol;

import io.vertx.core.json.JsonArray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * A search's {@code query_vector} on the wire: either a JSON array of numbers, or a string holding the base64 of the
 * vector's float32 values in little-endian order. The string form is the compact one clients should send: a
 * 384-dimension vector is 2 KB of base64 against about 4 KB of decimal numbers, and decoding it is one base64 pass
 * instead of parsing 384 decimal numbers on the daemon's event loop.
 */
public final class QueryVectors {
    private QueryVectors() {
    }

    /** The base64 (little-endian float32) form of {@code vector}. */
    public static String encode(float[] vector) {
        ByteBuffer b = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(vector);
        return Base64.getEncoder().encodeToString(b.array());
    }

    /**
     * Reads either form.
     *
     * @throws IllegalArgumentException naming what is wrong, for the caller's error reply
     */
    public static float[] decode(Object value) {
        if (value instanceof String s) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("query_vector as a string must be base64 of little-endian float32"
                        + " values: " + e.getMessage());
            }
            if (bytes.length == 0 || bytes.length % Float.BYTES != 0) {
                throw new IllegalArgumentException("query_vector as a string must be base64 of little-endian"
                        + " float32 values, got " + bytes.length + " bytes (not a non-zero multiple of 4)");
            }
            float[] v = new float[bytes.length / Float.BYTES];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            for (float x : v) {
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException("query_vector holds a value that is not a finite number");
                }
            }
            return v;
        }
        if (!(value instanceof JsonArray a) || a.isEmpty()) {
            throw new IllegalArgumentException("query_vector must be a non-empty array of numbers or a base64"
                    + " string of little-endian float32 values");
        }
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(a.getValue(i) instanceof Number x) || !Double.isFinite(x.doubleValue())) {
                throw new IllegalArgumentException("query_vector must be a non-empty array of numbers or a base64"
                        + " string of little-endian float32 values");
            }
            v[i] = x.floatValue();
        }
        return v;
    }
}
