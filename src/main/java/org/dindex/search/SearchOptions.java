package org.dindex.search;

import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;

import java.util.Locale;

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
    /** The options the configuration sets ({@code search.*}). */
    public static SearchOptions from(DaemonConfig config) {
        Fusion fusion = new Fusion(Fusion.Method.valueOf(config.getString(Settings.SEARCH_FUSION)
                .toUpperCase(Locale.ROOT)), config.getDouble(Settings.SEARCH_RRF_K),
                config.getDouble(Settings.SEARCH_DENSE_WEIGHT), config.getDouble(Settings.SEARCH_BM25_WEIGHT),
                config.getDouble(Settings.SEARCH_LINEAR_ALPHA));
        return new SearchOptions(config.getInt(Settings.SEARCH_CANDIDATES), config.getInt(Settings.SEARCH_DENSE_BEAM),
                config.getInt(Settings.SEARCH_EXACT_BELOW), (float) config.getDouble(Settings.SEARCH_TITLE_WEIGHT),
                fusion, 240);
    }
}
