package org.dindex.embed;

/** Embedding failed: a bad vector, a model that cannot load, an unreachable embedding service. */
public class EmbeddingException extends RuntimeException {
    public EmbeddingException(String message) {
        super(message);
    }

    public EmbeddingException(String message, Throwable cause) {
        super(message, cause);
    }
}
