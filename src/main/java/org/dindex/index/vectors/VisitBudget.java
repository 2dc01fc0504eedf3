package org.dindex.index.vectors;

import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import org.apache.lucene.search.KnnCollector;

/**
 * The approximate (PQ) score function of one graph search, counting the nodes it scores into Lucene's
 * {@link KnnCollector} and stopping the search once the collector says so.
 *
 * <p>jvector's searcher has no visit limit or cancellation, but every node it visits is scored here first. Stopping
 * matters for filtered searches: Lucene sets the visit limit to the filter's size, and when a search would visit
 * more nodes than that, an exact scan of the filter's documents is cheaper, so it reports early termination and
 * Lucene runs that scan. A query timeout ends the search the same way. The search is abandoned by throwing
 * {@link Exhausted}, which jvector lets through (it only clears its own state on the way).
 */
final class VisitBudget implements ScoreFunction.ApproximateScoreFunction {
    /** Thrown to abandon a search; allocated once, without a stack trace, as it is control flow. */
    static final class Exhausted extends RuntimeException {
        private static final Exhausted INSTANCE = new Exhausted();

        private Exhausted() {
            super("visit budget exhausted", null, false, false);
        }
    }

    /** Visits are reported in batches: a timeout check per node would cost more than the visit. */
    private static final int REPORT_EVERY = 32;

    private final ScoreFunction scores;
    private final KnnCollector collector;
    private int unreported;

    VisitBudget(ScoreFunction scores, KnnCollector collector) {
        this.scores = scores;
        this.collector = collector;
    }

    @Override
    public float similarityTo(int node) {
        if (++unreported == REPORT_EVERY) {
            reportVisits();
            if (collector.earlyTerminated()) {
                throw Exhausted.INSTANCE;
            }
        }
        return scores.similarityTo(node);
    }

    /** Adds the visits not yet reported to the collector's count; call once the search is over. */
    void reportVisits() {
        collector.incVisitedCount(unreported);
        unreported = 0;
    }
}
