package org.dindex.index;

import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.IndexSearcher;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Searchers that search a snapshot's segments concurrently, in at most one slice per core.
 *
 * <p><b>Why.</b> A 1M-chunk index has a dozen segments; searched one after another, a BM25 query's tail is the tail
 * of every hybrid search (docs/benchmarks.md, {@code bench search}). Lucene searches slices of segments in
 * parallel when its searcher has an executor, and its top-k collectors share the minimum competitive score across
 * slices, so the slices prune each other. Lucene's default slicing (250k documents or 5 segments per slice) makes
 * more slices than two cores can run; here the segments are dealt, largest first, to the lightest of at most
 * {@code cores} slices, so the slices are about equal and each core gets one.
 *
 * <p>Small indexes stay sequential: below {@link #MIN_DOCS_PER_SLICE} documents per slice, handing a slice to
 * another thread costs more than it saves. The calling thread runs a slice itself and takes over any slice no pool
 * thread has started, so a busy pool delays a search but never deadlocks it.
 */
final class SegmentSearch {
    /** Fewer documents than this per slice are not worth a thread hand-off. */
    static final int MIN_DOCS_PER_SLICE = 100_000;

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    /**
     * Started all at once, when the index is first opened (on the daemon's main thread): a Linux thread inherits
     * its creator's nice value, and threads created on demand by a background thread would search at background
     * priority for the daemon's lifetime ({@link org.dindex.platform.BackgroundPriority}).
     */
    private static final ExecutorService THREADS = startedPool();

    private static ExecutorService startedPool() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(CORES, CORES, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), Thread.ofPlatform().name("dindex-segments-", 0).daemon().factory());
        pool.prestartAllCoreThreads();
        return pool;
    }

    private SegmentSearch() {
    }

    /** A searcher over {@code reader} whose segments are searched concurrently when the index is large enough. */
    static IndexSearcher searcher(IndexReader reader) {
        return searcher(reader, CORES, MIN_DOCS_PER_SLICE);
    }

    /** A searcher with at most {@code maxSlices} slices of at least {@code minDocsPerSlice} documents. */
    static IndexSearcher searcher(IndexReader reader, int maxSlices, int minDocsPerSlice) {
        return new Sliced(reader, maxSlices, minDocsPerSlice);
    }

    /**
     * Deals {@code leaves}, largest first, to the lightest of at most {@code maxSlices} slices, using fewer slices
     * when they would hold under {@code minDocsPerSlice} documents each.
     */
    static IndexSearcher.LeafSlice[] balanced(List<LeafReaderContext> leaves, int maxSlices, int minDocsPerSlice) {
        long total = 0;
        for (LeafReaderContext leaf : leaves) {
            total += leaf.reader().maxDoc();
        }
        int n = (int) Math.max(1, Math.min(Math.min(maxSlices, leaves.size()), total / Math.max(1, minDocsPerSlice)));
        List<List<IndexSearcher.LeafReaderContextPartition>> slices = new ArrayList<>();
        long[] docs = new long[n];
        for (int i = 0; i < n; i++) {
            slices.add(new ArrayList<>());
        }
        List<LeafReaderContext> bySize = new ArrayList<>(leaves);
        bySize.sort(Comparator.comparingInt((LeafReaderContext l) -> l.reader().maxDoc()).reversed());
        for (LeafReaderContext leaf : bySize) {
            int lightest = 0;
            for (int i = 1; i < n; i++) {
                if (docs[i] < docs[lightest]) {
                    lightest = i;
                }
            }
            slices.get(lightest).add(IndexSearcher.LeafReaderContextPartition.createForEntireSegment(leaf));
            docs[lightest] += leaf.reader().maxDoc();
        }
        return slices.stream().filter(s -> !s.isEmpty()).map(IndexSearcher.LeafSlice::new)
                .toArray(IndexSearcher.LeafSlice[]::new);
    }

    private static final class Sliced extends IndexSearcher {
        private final int maxSlices;
        private final int minDocsPerSlice;

        Sliced(IndexReader reader, int maxSlices, int minDocsPerSlice) {
            // Lucene asks for the slices lazily, on the first search, so the fields are set by then.
            super(reader, THREADS);
            this.maxSlices = maxSlices;
            this.minDocsPerSlice = minDocsPerSlice;
        }

        @Override
        protected LeafSlice[] slices(List<LeafReaderContext> leaves) {
            return balanced(leaves, maxSlices, minDocsPerSlice);
        }
    }
}
