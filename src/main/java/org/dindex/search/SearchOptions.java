package org.dindex.search;

/**
 * How searches retrieve and fuse.
 *
 * @param candidates     candidates taken from each retriever before fusion (at least top_k)
 * @param denseBeam      jvector search beam (rerank depth): candidates kept per segment by compressed score; a
 *                       wider beam buys recall with latency (docs/benchmarks.md, {@code bench search})
 * @param exactBelow     a filter accepting at most this many chunks is answered by exact dense scoring
 * @param titleWeight    boost of the title field in BM25 (0 = text only)
 * @param fusion         how dense and BM25 combine in hybrid mode
 * @param snippetChars   snippet width
 */
public record SearchOptions(int candidates, int denseBeam, int exactBelow, float titleWeight, Fusion fusion,
                            int snippetChars) {
}
