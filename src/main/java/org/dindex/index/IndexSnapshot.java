package org.dindex.index;

import org.apache.lucene.search.IndexSearcher;

/**
 * One commit's view of both stores: the Lucene searcher and the vector view published by the same commit. Readers
 * {@link ChunkIndex#acquire() acquire} one, use it for a whole search, and close it; writers never wait for them.
 */
public final class IndexSnapshot implements AutoCloseable {
    private final IndexSearcher searcher;
    private final VectorStore.View vectors;
    private final long generation;

    IndexSnapshot(IndexSearcher searcher, VectorStore.View vectors, long generation) {
        this.searcher = searcher;
        this.vectors = vectors;
        this.generation = generation;
    }

    public IndexSearcher searcher() {
        return searcher;
    }

    /**
     * The live chunk document (index-wide doc id) of each vector ordinal in this snapshot, or -1 where there is none.
     * Any thread.
     */
    public int[] docsOfOrdinals(int[] ordinals) {
        return OrdinalDocs.docsOf(searcher.getIndexReader().leaves(), ordinals);
    }

    VectorStore.View vectors() {
        return vectors;
    }

    /** The commit generation this snapshot shows. */
    public long generation() {
        return generation;
    }

    boolean tryIncRef() {
        return searcher.getIndexReader().tryIncRef();
    }

    void decRef() {
        try {
            searcher.getIndexReader().decRef();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        decRef();
    }
}
