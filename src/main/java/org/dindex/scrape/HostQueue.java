package org.dindex.scrape;

import java.util.PriorityQueue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * The politeness state of one host: its waiting URLs, whether a request to it is under way, and when the next one
 * may start.
 *
 * <p>Why per host: servers are loaded per host, so politeness is too. A host is "busy" while one URL of it is being
 * processed, which covers every request that URL needs (robots.txt, redirect hops, retries), so a host never sees
 * two requests at once. After each request the next may start only {@link #delayMs} later (the configured delay,
 * raised to robots.txt's Crawl-delay); a 429/503 back-off pushes that time further. Times are from
 * {@link System#nanoTime()}, which wall-clock changes cannot disturb.
 */
final class HostQueue {
    final String host;
    private final PriorityQueue<FrontierEntry> pending = new PriorityQueue<>(FrontierEntry::compareTo);
    boolean busy;
    long delayMs;
    private long nextRequestAt;

    HostQueue(String host, long delayMs) {
        this.host = host;
        this.delayMs = delayMs;
        this.nextRequestAt = now();
    }

    static long now() {
        return System.nanoTime() / 1_000_000;
    }

    void add(FrontierEntry e) {
        pending.add(e);
    }

    FrontierEntry peek() {
        return pending.peek();
    }

    FrontierEntry poll() {
        return pending.poll();
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    PriorityQueue<FrontierEntry> pending() {
        return pending;
    }

    long nextRequestAt() {
        return nextRequestAt;
    }

    /** Completes when the next request to this host may start. */
    Future<Void> awaitTurn(Vertx vertx) {
        long wait = nextRequestAt - now();
        if (wait <= 0) {
            return Future.succeededFuture();
        }
        Promise<Void> p = Promise.promise();
        vertx.setTimer(wait, id -> p.complete());
        return p.future();
    }

    /** Records that a request just ended: the next may start delayMs from now. */
    void requestDone() {
        nextRequestAt = Math.max(nextRequestAt, now() + delayMs);
    }

    /** Holds all requests to this host for at least backoffMs (429/503, server errors). */
    void backOff(long backoffMs) {
        nextRequestAt = Math.max(nextRequestAt, now() + Math.max(backoffMs, delayMs));
    }

    /** Raises the delay to a robots.txt Crawl-delay. */
    void raiseDelay(long ms) {
        delayMs = Math.max(delayMs, ms);
    }
}
