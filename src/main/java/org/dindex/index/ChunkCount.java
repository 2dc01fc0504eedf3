package org.dindex.index;

import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermQuery;

import java.io.IOException;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Searchable chunks, for the {@code dindex.index.chunks} gauge: counted on an index's current snapshot once per
 * commit generation (a commit is the only thing that changes it), so reading it every few seconds costs nothing
 * between commits. Remembers one count per index it is asked about (weakly: a closed index is forgotten). Any thread;
 * may block for the count after a commit.
 */
public final class ChunkCount {
    private record Counted(long generation, long chunks) {
    }

    private final Map<ChunkIndex, Counted> counted = new WeakHashMap<>();

    /** The index's searchable chunks, or NaN while it cannot be read (being reopened, closed). */
    public synchronized double valueOf(ChunkIndex index) {
        try (IndexSnapshot snap = index.acquire()) {
            Counted c = counted.get(index);
            if (c == null || c.generation() != snap.generation()) {
                c = new Counted(snap.generation(), snap.searcher().count(new TermQuery(new Term(IndexFields.KIND,
                        IndexFields.KIND_CHUNK))));
                counted.put(index, c);
            }
            return c.chunks();
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
