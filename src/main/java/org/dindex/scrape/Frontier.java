package org.dindex.scrape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The URLs still to fetch, in per-host politeness queues, and every URL seen so far.
 *
 * <p>Order: each host's queue is breadth-first (depth, then discovery order); among hosts free to take a request,
 * the one whose next URL is shallowest (then oldest) goes first, so the crawl as a whole is breadth-first as far as
 * politeness allows. Used on the crawler's context only.
 */
final class Frontier {
    private final Map<String, HostQueue> hosts = new HashMap<>();
    private final Set<String> seen = new HashSet<>();
    private final long delayMs;
    private long seq;
    private int pending;

    Frontier(long delayMs) {
        this.delayMs = delayMs;
    }

    /** True when the URL was queued, fetched or recorded before (under any role). */
    boolean seen(String url) {
        return seen.contains(url);
    }

    /** Marks a URL seen; true when it was new. */
    boolean markSeen(String url) {
        return seen.add(url);
    }

    /** A new entry for a URL, marked seen (callers check {@link #seen} first). */
    FrontierEntry entry(String url, int depth, int redirects) {
        seen.add(url);
        return new FrontierEntry(url, depth, seq++, redirects);
    }

    HostQueue host(String host) {
        return hosts.computeIfAbsent(host, h -> new HostQueue(h, delayMs));
    }

    void add(FrontierEntry e) {
        host(e.host).add(e);
        pending++;
    }

    int pending() {
        return pending;
    }

    /**
     * Takes the next URL whose host is idle and whose politeness delay has passed, marking the host busy; null
     * when no host is ready now.
     */
    FrontierEntry pollReady(long now) {
        HostQueue best = null;
        for (HostQueue h : hosts.values()) {
            if (!h.busy && h.hasPending() && h.nextRequestAt() <= now
                    && (best == null || h.peek().compareTo(best.peek()) < 0)) {
                best = h;
            }
        }
        if (best == null) {
            return null;
        }
        best.busy = true;
        pending--;
        return best.poll();
    }

    /** The earliest time an idle host with waiting URLs becomes ready, or -1 when there is none. */
    long nextReadyAt() {
        long at = -1;
        for (HostQueue h : hosts.values()) {
            if (!h.busy && h.hasPending() && (at < 0 || h.nextRequestAt() < at)) {
                at = h.nextRequestAt();
            }
        }
        return at;
    }

    /** Removes and returns every waiting URL (the crawl is stopping), in breadth-first order. */
    List<FrontierEntry> drain() {
        List<FrontierEntry> all = new ArrayList<>(pending);
        for (HostQueue h : hosts.values()) {
            all.addAll(h.pending());
            h.pending().clear();
        }
        all.sort(FrontierEntry::compareTo);
        pending = 0;
        return all;
    }
}
