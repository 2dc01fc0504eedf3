package org.dindex.index;

import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermQuery;

/**
 * Searchable chunks, for the {@code dindex.index.chunks} gauge: counted on the current snapshot once per commit
 * generation (a commit is the only thing that changes it), so reading it every few seconds costs nothing between
 * commits. Any thread; may block for the count after a commit.
 */
public final class ChunkCount {
    private final IndexService index;
    private ChunkIndex countedIndex;
    private long countedGeneration = -1;
    private long count;

    public ChunkCount(IndexService index) {
        this.index = index;
    }

    /** The count, or NaN while the index cannot be read (being reopened, closed). */
    public synchronized double value() {
        ChunkIndex ix = index.index();
        try (IndexSnapshot snap = ix.acquire()) {
            if (ix != countedIndex || snap.generation() != countedGeneration) {
                count = snap.searcher().count(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)));
                countedIndex = ix;
                countedGeneration = snap.generation();
            }
            return count;
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
