package org.dindex.index;

/** The index on disk was built with another embedding model; mixing vectors of two models would be meaningless. */
public final class IndexMismatchException extends RuntimeException {
    public IndexMismatchException(String message) {
        super(message);
    }
}
