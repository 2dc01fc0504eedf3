package org.dindex.index.vectors;

import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import org.apache.lucene.index.FloatVectorValues;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Lucene's vectors, by ordinal, as jvector's {@link RandomAccessVectorValues}, for PQ training and encoding: at merge
 * they are the merged segment's vectors, read from its memory-mapped flat file rather than copied onto the heap.
 *
 * <p>Lucene's off-heap values reuse one buffer per instance, so values are shared: jvector then gives each thread its
 * own {@link #copy()} and copies a vector it keeps.
 */
final class LuceneVectorValues implements RandomAccessVectorValues {
    private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

    private final FloatVectorValues values;

    LuceneVectorValues(FloatVectorValues values) {
        this.values = values;
    }

    @Override
    public int size() {
        return values.size();
    }

    @Override
    public int dimension() {
        return values.dimension();
    }

    @Override
    public VectorFloat<?> getVector(int ordinal) {
        try {
            return VTS.createFloatVector(values.vectorValue(ordinal));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isValueShared() {
        return true;
    }

    @Override
    public RandomAccessVectorValues copy() {
        try {
            return new LuceneVectorValues(values.copy());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
