package org.dindex.index;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.types.VectorFloat;

import java.util.Arrays;

/**
 * Append-only vectors by ordinal, the storage jvector's graph reads. Chunked so growth never copies vectors; the
 * size is published after the slot is written, so concurrent readers (searches) see only complete entries. Slots
 * may be set out of order (ordinals restored at start-up); missing ones hold a placeholder and are never in the
 * graph.
 */
final class GrowableVectors implements RandomAccessVectorValues {
    private static final int CHUNK = 4096;
    private final int dimension;
    private final VectorFloat<?> placeholder;
    private volatile VectorFloat<?>[][] chunks = new VectorFloat<?>[16][];
    private volatile int size;

    GrowableVectors(int dimension, VectorFloat<?> placeholder) {
        this.dimension = dimension;
        this.placeholder = placeholder;
    }

    /** Stores {@code v} at {@code ordinal}, growing (with placeholders) as needed. Writer thread only. */
    synchronized void set(int ordinal, VectorFloat<?> v) {
        int c = ordinal / CHUNK;
        VectorFloat<?>[][] cs = chunks;
        if (c >= cs.length) {
            cs = Arrays.copyOf(cs, Math.max(cs.length * 2, c + 1));
        }
        for (int i = 0; i <= c; i++) {
            if (cs[i] == null) {
                cs[i] = new VectorFloat<?>[CHUNK];
                Arrays.fill(cs[i], placeholder);
            }
        }
        cs[c][ordinal % CHUNK] = v;
        chunks = cs;
        if (ordinal >= size) {
            size = ordinal + 1;
        }
    }

    /** What a slot holds before it is set: never in the graph, or in it only as a deleted node. */
    VectorFloat<?> placeholder() {
        return placeholder;
    }

    synchronized void clear() {
        chunks = new VectorFloat<?>[16][];
        size = 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public VectorFloat<?> getVector(int ordinal) {
        return chunks[ordinal / CHUNK][ordinal % CHUNK];
    }

    @Override
    public boolean isValueShared() {
        return false;
    }

    @Override
    public RandomAccessVectorValues copy() {
        return this;
    }

    long bytes() {
        return (long) size * dimension * Float.BYTES;
    }
}
