package org.dindex.scrape;

/**
 * A queued URL: where it came from (depth) and how far along its life it is. Mutable, used on the crawler's context
 * only.
 */
final class FrontierEntry {
    final String url;
    final String host;
    final int depth;
    /** Queue order among entries of equal depth: first discovered, first fetched. */
    final long seq;
    /** Redirects already followed to reach this URL (a redirect to another host queues its target). */
    final int redirects;
    boolean fetching;
    boolean terminated;

    FrontierEntry(String url, int depth, long seq, int redirects) {
        this.url = url;
        this.host = UrlNormalizer.host(url);
        this.depth = depth;
        this.seq = seq;
        this.redirects = redirects;
    }

    /** Breadth-first: lower depth first, then discovery order. */
    int compareTo(FrontierEntry o) {
        int c = Integer.compare(depth, o.depth);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }

    @Override
    public String toString() {
        return url + " (depth " + depth + ")";
    }
}
