package org.dindex.scrape;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * An asynchronous, polite web crawler: breadth-first from the seeds, one request at a time per host with a delay
 * between requests, robots.txt obeyed, duplicates and crawler traps avoided, every page handed to a
 * {@link PageSink} and every URL's fate reported to a {@link CrawlListener}.
 *
 * <p><b>Threading.</b> All crawl state lives on one Vert.x context, the one {@link #run()} is called on (or a new
 * event-loop context when called from outside Vert.x), so it needs no locks; nothing blocks that context: name
 * resolution and extraction run through {@code executeBlocking}, HTTP through Vert.x's WebClient.
 *
 * <p><b>Lifecycle of a URL</b> (see {@link UrlEvent}): QUEUED when it enters the frontier; FETCHING when its first
 * request is about to be sent; then exactly one of INDEXED, SKIPPED, FAILED. A URL refused by a crawler-trap rule
 * when discovered is reported QUEUED and immediately SKIPPED ("crawler trap: ..."), so every reported URL follows
 * the same lifecycle. Links that are simply out of bounds are not reported at all, since every page has many:
 * beyond maxDepth, off-site with stayOnDomain, not matching include or matching exclude (a seed refused by the
 * patterns is reported SKIPPED "excluded by pattern"), other schemes, and URLs already seen.
 *
 * <p><b>Stopping.</b> The crawl ends when the frontier is empty, when maxPages pages were indexed, when maxRequests
 * HTTP requests were made (every fetch counts, so a crawler trap whose pages are all skipped still ends), or on
 * {@link #cancel()}. In the last three cases the URLs still queued and those in flight are reported SKIPPED "max
 * pages reached", "request limit reached (...)" or "cancelled"; in-flight requests are abandoned (their connections reset). A page already handed to the
 * sink when the crawl is cancelled may still be indexed by it, although its URL is reported SKIPPED "cancelled".
 *
 * <p>A crawler runs once; create a new one for another crawl.
 */
public final class Crawler {
    private static final Logger LOG = Logger.getLogger(Crawler.class.getName());

    private final Vertx vertx;
    private final CrawlOptions options;
    private final PageSink sink;
    private final CrawlListener listener;
    private final Promise<CrawlSummary> done = Promise.promise();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Context context;
    private volatile boolean cancelRequested;

    // Everything below is confined to the context.
    private final Frontier frontier;
    private final CrawlTraps traps = new CrawlTraps();
    private final DuplicateDetector duplicates = new DuplicateDetector();
    private final SiteScope scope;
    private final Set<FrontierEntry> inFlight = new LinkedHashSet<>();
    private Thread loop;
    private Fetcher fetcher;
    private AddressResolver resolver;
    private RobotsCache robots;
    private int queued;
    private int indexed;
    private int skipped;
    private int failed;
    private int reservedSlots;
    private boolean stopping;
    private long wakeTimer = -1;
    private long wakeAt;

    public Crawler(Vertx vertx, CrawlOptions options, PageSink sink, CrawlListener listener) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.options = Objects.requireNonNull(options, "options");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.frontier = new Frontier(options.delayMs());
        this.scope = new SiteScope(options.seeds());
    }

    /**
     * Starts the crawl (once; later calls return the same future).
     *
     * @return completes, on the crawler's context, when the frontier is exhausted, maxPages pages were indexed or
     *         the crawl was cancelled; never fails
     */
    public Future<CrawlSummary> run() {
        if (!started.compareAndSet(false, true)) {
            return done.future();
        }
        Context ctx = vertx.getOrCreateContext();
        context = ctx;
        ctx.runOnContext(v -> start());
        return done.future();
    }

    /**
     * Stops the crawl: no new request starts, queued and in-flight URLs are reported SKIPPED "cancelled", and
     * {@link #run()}'s future completes with {@code cancelled = true} right after. Safe from any thread; harmless
     * after the crawl ended.
     */
    public void cancel() {
        cancelRequested = true;
        Context ctx = context;
        if (ctx != null) {
            ctx.runOnContext(v -> stop("cancelled", true));
        }
    }

    private void start() {
        loop = Thread.currentThread();
        fetcher = new Fetcher(vertx, options);
        resolver = new AddressResolver(vertx, options.addressPolicy());
        robots = new RobotsCache(vertx, fetcher, resolver, frontier::host, options.robotName());
        for (String seed : options.seeds()) {
            if (frontier.seen(seed)) {
                continue;
            }
            FrontierEntry e = frontier.entry(seed, 0, 0);
            String excluded = patternRefusal(seed);
            if (excluded != null) {
                queuedEvent(e);
                finish(e, UrlResult.skipped(excluded, null));
            } else {
                queue(e);
            }
        }
        if (cancelRequested) {
            stop("cancelled", true);
            return;
        }
        pump();
        checkDone();
    }

    /** Starts visits while hosts are ready and the concurrency limit allows; otherwise waits for the next one. */
    private void pump() {
        if (stopping) {
            return;
        }
        if (fetcher.requests() >= options.maxRequests()) {
            stop(requestLimitReason(), false);
            return;
        }
        long now = HostQueue.now();
        while (inFlight.size() < options.concurrency()) {
            FrontierEntry e = frontier.pollReady(now);
            if (e == null) {
                break;
            }
            HostQueue host = frontier.host(e.host);
            inFlight.add(e);
            Future<UrlResult> visit;
            try {
                visit = new Visit(this, e, host).run();
            } catch (RuntimeException ex) {
                visit = Future.failedFuture(ex);
            }
            onContext(visit).onComplete(ar -> {
                if (ar.failed()) {
                    LOG.log(Level.WARNING, "crawling " + e.url + " failed unexpectedly", ar.cause());
                }
                finish(e, ar.succeeded() ? ar.result()
                        : UrlResult.failed("internal error: " + FetchException.describe(ar.cause()), null));
                inFlight.remove(e);
                host.busy = false;
                pump();
                checkDone();
            });
        }
        scheduleWake(now);
    }

    /** Arms one timer for the moment the next idle host becomes ready (politeness delay or back-off). */
    private void scheduleWake(long now) {
        if (stopping || inFlight.size() >= options.concurrency()) {
            return;
        }
        long at = frontier.nextReadyAt();
        if (at < 0 || (wakeTimer >= 0 && wakeAt <= at)) {
            return;
        }
        if (wakeTimer >= 0) {
            vertx.cancelTimer(wakeTimer);
        }
        wakeAt = at;
        wakeTimer = vertx.setTimer(Math.max(1, at - now), id -> {
            wakeTimer = -1;
            pump();
        });
    }

    private void checkDone() {
        if (!stopping && inFlight.isEmpty() && frontier.pending() == 0) {
            stopping = true;
            complete(false, "no more URLs");
        }
    }

    private String requestLimitReason() {
        return "request limit reached (" + options.maxRequests() + " requests, max_requests)";
    }

    /** Ends the crawl early, reporting every unfinished URL SKIPPED with reason. */
    private void stop(String reason, boolean cancelled) {
        if (stopping) {
            return;
        }
        stopping = true;
        if (wakeTimer >= 0) {
            vertx.cancelTimer(wakeTimer);
            wakeTimer = -1;
        }
        for (FrontierEntry e : new ArrayList<>(inFlight)) {
            finish(e, UrlResult.skipped(reason, null));
        }
        for (FrontierEntry e : frontier.drain()) {
            finish(e, UrlResult.skipped(reason, null));
        }
        complete(cancelled, reason);
    }

    private void complete(boolean cancelled, String stoppedBy) {
        if (fetcher != null) {
            fetcher.close();
        }
        CrawlSummary summary = new CrawlSummary(queued, indexed, skipped, failed, cancelled,
                fetcher == null ? 0 : fetcher.requests(), stoppedBy);
        LOG.fine(() -> "crawl finished: " + summary);
        done.tryComplete(summary);
    }

    // ---- URL intake -------------------------------------------------------------------------------------------

    /** Queues the links of a page fetched at depth - 1 that are in bounds and new; returns how many it queued. */
    int offerLinks(List<String> links, int depth) {
        if (stopping || depth > options.maxDepth()) {
            return 0;
        }
        int queuedNow = 0;
        for (String url : links) {
            if (!frontier.seen(url) && inScope(url) && patternRefusal(url) == null) {
                queue(frontier.entry(url, depth, 0));
                queuedNow++;
            }
        }
        pump();
        return queuedNow;
    }

    /**
     * A redirect to another host: queues the target (at the same depth, carrying the hops so far) instead of
     * following it inline, and returns the outcome for the redirecting URL.
     */
    UrlResult handOff(FrontierEntry from, String target, int hops, int status) {
        if (frontier.seen(target)) {
            return UrlResult.skipped("duplicate (redirect) of " + target, status);
        }
        if (!inScope(target)) {
            return UrlResult.skipped("redirected off-site to " + target, status);
        }
        String excluded = patternRefusal(target);
        if (excluded != null) {
            return UrlResult.skipped("redirect target " + target + " " + excluded, status);
        }
        queue(frontier.entry(target, from.depth, hops));
        return UrlResult.skipped("redirected to " + target, status);
    }

    private void queue(FrontierEntry e) {
        queuedEvent(e);
        String trap = traps.check(e.url);
        if (trap != null) {
            finish(e, UrlResult.skipped(trap, null));
        } else {
            frontier.add(e);
        }
    }

    /** With stayOnDomain, only a seed's host (ignoring its "www.") and its subdomains; see {@link SiteScope}. */
    private boolean inScope(String url) {
        return !options.stayOnDomain() || scope.contains(url);
    }

    /** Null when the include/exclude patterns allow url, else the reason. */
    String patternRefusal(String url) {
        if (options.include() != null && !options.include().matcher(url).find()) {
            return "excluded by pattern (does not match include " + options.include().pattern() + ")";
        }
        if (options.exclude() != null && options.exclude().matcher(url).find()) {
            return "excluded by pattern (matches exclude " + options.exclude().pattern() + ")";
        }
        return null;
    }

    // ---- events -----------------------------------------------------------------------------------------------

    private void queuedEvent(FrontierEntry e) {
        queued++;
        emit(new UrlEvent(e.url, UrlEvent.Kind.QUEUED, e.depth, null, null, 0, 0, System.currentTimeMillis()));
    }

    /** Reports FETCHING once per URL, before its first request. */
    void fetching(FrontierEntry e) {
        if (!e.fetching && !e.terminated) {
            e.fetching = true;
            emit(new UrlEvent(e.url, UrlEvent.Kind.FETCHING, e.depth, null, null, 0, 0,
                    System.currentTimeMillis()));
        }
    }

    /** Reports the terminal event of a URL, once; later outcomes of an abandoned URL are ignored. */
    private void finish(FrontierEntry e, UrlResult o) {
        if (e.terminated) {
            return;
        }
        e.terminated = true;
        switch (o.kind()) {
            case INDEXED -> indexed++;
            case SKIPPED -> skipped++;
            case FAILED -> failed++;
            default -> throw new IllegalArgumentException("not a terminal outcome: " + o.kind());
        }
        emit(new UrlEvent(e.url, o.kind(), e.depth, o.status(), o.reason(), o.chunks(), o.words(),
                System.currentTimeMillis(), o.finalUrl(), o.title(), o.discovered()));
        if (o.kind() == UrlEvent.Kind.INDEXED && indexed >= options.maxPages()) {
            stop("max pages reached", false);
        }
    }

    private void emit(UrlEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "crawl listener failed on " + event.kind().name().toLowerCase(Locale.ROOT)
                    + " " + event.url(), ex);
        }
    }

    // ---- for Visit --------------------------------------------------------------------------------------------

    /** Reserves one of the maxPages slots before a page goes to the sink; false when none is left. */
    boolean reserveIndexSlot() {
        if (indexed + reservedSlots >= options.maxPages()) {
            return false;
        }
        reservedSlots++;
        return true;
    }

    void releaseIndexSlot() {
        reservedSlots--;
    }

    /** The same result, delivered on the crawler's context (the sink may complete on any thread). */
    <T> Future<T> onContext(Future<T> f) {
        Promise<T> p = Promise.promise();
        f.onComplete(ar -> {
            if (Thread.currentThread() == loop) {
                p.handle(ar);
            } else {
                context.runOnContext(v -> p.handle(ar));
            }
        });
        return p.future();
    }

    boolean stopping() {
        return stopping;
    }

    Vertx vertx() {
        return vertx;
    }

    CrawlOptions options() {
        return options;
    }

    PageSink sink() {
        return sink;
    }

    Fetcher fetcher() {
        return fetcher;
    }

    AddressResolver resolver() {
        return resolver;
    }

    RobotsCache robots() {
        return robots;
    }

    Frontier frontier() {
        return frontier;
    }

    DuplicateDetector duplicates() {
        return duplicates;
    }
}
