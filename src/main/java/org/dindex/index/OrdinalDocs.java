package org.dindex.index;

import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the Lucene document of a vector ordinal: how a dense hit becomes a chunk.
 *
 * <p><b>Why.</b> Asking the points index ({@code IntField.newSetQuery}) for the hundred ordinals of a dense search
 * walked every segment's tree and took a fifth of a hybrid search's CPU at 100k chunks, more than fusing and
 * assembling together. Here each segment gets, once, its ordinals sorted with their documents (8 bytes per chunk,
 * read from the ordinal doc values); a lookup is then a range check and a binary search per segment. A segment's
 * documents never change (only its deletions do, and those are checked against the snapshot's live docs), so the
 * table lives as long as the segment, keyed by its core and dropped when Lucene closes it.
 */
final class OrdinalDocs {
    private static final Map<IndexReader.CacheKey, OrdinalDocs> BY_SEGMENT = new ConcurrentHashMap<>();

    private final int[] ordinals;
    private final int[] docs;

    private OrdinalDocs(int[] ordinals, int[] docs) {
        this.ordinals = ordinals;
        this.docs = docs;
    }

    /**
     * The live document (index-wide doc id) holding each ordinal in {@code leaves}, or -1 where none does.
     */
    static int[] docsOf(List<LeafReaderContext> leaves, int[] wanted) {
        int[] out = new int[wanted.length];
        Arrays.fill(out, -1);
        for (LeafReaderContext leaf : leaves) {
            OrdinalDocs table = of(leaf.reader());
            if (table.ordinals.length == 0) {
                continue;
            }
            int min = table.ordinals[0];
            int max = table.ordinals[table.ordinals.length - 1];
            Bits live = leaf.reader().getLiveDocs();
            for (int i = 0; i < wanted.length; i++) {
                if (out[i] >= 0 || wanted[i] < min || wanted[i] > max) {
                    continue;
                }
                int at = Arrays.binarySearch(table.ordinals, wanted[i]);
                if (at >= 0 && (live == null || live.get(table.docs[at]))) {
                    out[i] = leaf.docBase + table.docs[at];
                }
            }
        }
        return out;
    }

    /**
     * Builds the tables of segments that have none yet. Called as each commit's searcher is made, so that the first
     * search after a merge does not pay for its new segment (about 100 ms per million chunks).
     */
    static void warm(List<LeafReaderContext> leaves) {
        for (LeafReaderContext leaf : leaves) {
            of(leaf.reader());
        }
    }

    private static OrdinalDocs of(LeafReader reader) {
        IndexReader.CacheHelper helper = reader.getCoreCacheHelper();
        if (helper == null) {
            return build(reader);
        }
        OrdinalDocs table = BY_SEGMENT.get(helper.getKey());
        if (table == null) {
            table = build(reader);
            if (BY_SEGMENT.putIfAbsent(helper.getKey(), table) == null) {
                helper.addClosedListener(BY_SEGMENT::remove);
            }
        }
        return table;
    }

    /** Every (ordinal, doc) of the segment, deleted documents included, sorted by ordinal. */
    private static OrdinalDocs build(LeafReader reader) {
        try {
            SortedNumericDocValues values = DocValues.getSortedNumeric(reader, IndexFields.VECTOR_ORDINAL);
            long[] pairs = new long[Math.toIntExact(Math.max(0, values.cost()))];
            int n = 0;
            for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
                if (n == pairs.length) {
                    pairs = Arrays.copyOf(pairs, Math.max(16, n * 2));
                }
                pairs[n++] = values.nextValue() << 32 | doc;
            }
            Arrays.sort(pairs, 0, n);
            int[] ordinals = new int[n];
            int[] docs = new int[n];
            for (int i = 0; i < n; i++) {
                ordinals[i] = (int) (pairs[i] >>> 32);
                docs[i] = (int) pairs[i];
            }
            return new OrdinalDocs(ordinals, docs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
