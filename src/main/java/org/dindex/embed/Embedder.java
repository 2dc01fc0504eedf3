package org.dindex.embed;

import java.util.List;

/**
 * Turns text into L2-normalised vectors. Implementations are blocking and thread-safe; the daemon calls them only
 * from its embedding worker pool, never from an event loop.
 */
public interface Embedder extends AutoCloseable {
    /** The model name recorded in the index; another model's vectors must not be mixed in. */
    String modelName();

    int dimensions();

    /** Embeds passages (document chunks), applying the model's passage prefix. */
    List<float[]> embedPassages(List<String> texts);

    /** Embeds one query, applying the model's query prefix. */
    float[] embedQuery(String text);

    /** Counts and splits text in the model's own tokens; null when the backend has no local tokenizer. */
    TokenCounter tokenizer();

    @Override
    void close();

    /** Checks a vector before it is stored: NaN, infinite or zero vectors are refused, never indexed. */
    static float[] checked(float[] v, int expectedDimensions) {
        if (v.length != expectedDimensions) {
            throw new EmbeddingException("the embedding has " + v.length + " dimensions, the index expects "
                    + expectedDimensions);
        }
        double norm = 0;
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new EmbeddingException("the embedding contains NaN or infinite values");
            }
            norm += x * x;
        }
        if (norm == 0) {
            throw new EmbeddingException("the embedding is a zero vector");
        }
        return v;
    }

    /** Scales {@code v} to unit length in place. */
    static float[] normalize(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm > 0 && Double.isFinite(norm)) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (v[i] / norm);
            }
        }
        return v;
    }
}
