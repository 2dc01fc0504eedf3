package org.dindex.index;

import org.apache.lucene.search.IndexSearcher;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One commit's view of the index: text, stored fields and vectors alike, since Lucene holds them all. Readers
 * {@link ChunkIndex#acquire() acquire} one, use it for a whole search, and close it; writers never wait for them.
 */
public final class IndexSnapshot implements AutoCloseable {
    private final IndexSearcher searcher;
    private final long generation;

    IndexSnapshot(IndexSearcher searcher, long generation) {
        this.searcher = searcher;
        this.generation = generation;
    }

    public IndexSearcher searcher() {
        return searcher;
    }

    /** The embeddings of chunk documents (this snapshot's doc ids); null where a document has none. */
    public float[][] vectors(int[] docs) throws IOException {
        return DenseVectors.of(searcher, docs);
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        decRef();
    }
}
