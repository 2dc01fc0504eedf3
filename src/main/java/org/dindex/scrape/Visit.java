package org.dindex.scrape;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.vertx.core.Future;
import io.vertx.core.http.HttpResponseHead;
import org.dindex.extract.ExtractionException;

/**
 * Everything done for one queued URL while its host is reserved for it: address check, robots.txt, the request
 * with its retries and same-host redirect hops, analysis, duplicate checks and indexing. Ends in exactly one
 * {@link UrlResult}.
 *
 * <p>Why redirects on the same host are followed here but redirects to another host are queued: following a hop
 * means another request, and a request to another host must wait for that host's politeness turn; waiting for it
 * while holding this host's reservation could deadlock two hosts redirecting to each other. Queueing the target
 * (with the hops so far, so the redirect limit still holds across hosts) keeps every host's requests serial.
 *
 * <p>Runs on the crawler's context; the analysis step runs through {@code executeBlocking}.
 */
final class Visit {
    static final int MAX_ATTEMPTS = 3;

    private final Crawler crawler;
    private final FrontierEntry entry;
    private final HostQueue host;
    private final CrawlOptions options;
    private final Set<String> chain = new HashSet<>();
    private int hops;

    Visit(Crawler crawler, FrontierEntry entry, HostQueue host) {
        this.crawler = crawler;
        this.entry = entry;
        this.host = host;
        this.options = crawler.options();
        this.hops = entry.redirects;
        chain.add(entry.url);
    }

    Future<UrlResult> run() {
        return hop(entry.url);
    }

    /** One URL of the redirect chain: check where it points, then request it. */
    private Future<UrlResult> hop(String url) {
        if (crawler.stopping()) {
            return cancelled();
        }
        String hostName = UrlNormalizer.host(url);
        return crawler.resolver().resolve(hostName).transform(resolved -> {
            if (resolved.failed()) {
                return done(addressFailure(hostName, resolved.cause()));
            }
            InetAddress address = resolved.result();
            return crawler.robots().rulesFor(url, address).compose(rules -> {
                if (crawler.stopping()) {
                    return cancelled();
                }
                String refusal = rules.refusal(url);
                if (refusal != null) {
                    return done(UrlResult.skipped(refusal, null));
                }
                crawler.fetching(entry);
                return attempt(url, address, 1);
            });
        });
    }

    private Future<UrlResult> attempt(String url, InetAddress address, int attempt) {
        return host.awaitTurn(crawler.vertx())
                .compose(v -> crawler.stopping()
                        ? Future.<Fetcher.Response>failedFuture(
                                new FetchException(FetchException.Kind.CANCELLED, null, "cancelled"))
                        : crawler.fetcher().get(url, address, options.maxPageBytes(), false, this::headCheck))
                .transform(ar -> {
                    host.requestDone();
                    if (ar.failed()) {
                        return done(fetchFailure(FetchException.of(ar.cause())));
                    }
                    return response(url, address, attempt, ar.result());
                });
    }

    /** Refuses a 2xx response whose content type cannot be indexed before its body is downloaded. */
    private String headCheck(HttpResponseHead head) {
        return PageAnalyzer.unsupportedType(head.getHeader("Content-Type"));
    }

    private Future<UrlResult> response(String url, InetAddress address, int attempt, Fetcher.Response r) {
        int status = r.status();
        if (status >= 200 && status < 300) {
            return page(url, r);
        }
        if (status >= 300 && status < 400 && status != 304) {
            return redirect(url, r);
        }
        if (status == 404 || status == 410) {
            return done(UrlResult.skipped("HTTP " + status, status));
        }
        if (status == 429 || status >= 500) {
            if (attempt < MAX_ATTEMPTS) {
                long wait = -1;
                if (status == 429 || status == 503) {
                    wait = Backoff.retryAfterMs(r.header("Retry-After"), System.currentTimeMillis());
                }
                host.backOff(wait >= 0 ? wait : Backoff.defaultMs(host.delayMs, attempt));
                return attempt(url, address, attempt + 1);
            }
            return done(UrlResult.failed("HTTP " + status + " after " + MAX_ATTEMPTS + " attempts", status));
        }
        return done(UrlResult.failed("HTTP " + status, status));
    }

    private Future<UrlResult> redirect(String url, Fetcher.Response r) {
        int status = r.status();
        String location = r.header("Location");
        if (location == null || location.isBlank()) {
            return done(UrlResult.failed("HTTP " + status + " redirect without Location", status));
        }
        Optional<String> target = UrlNormalizer.resolve(url, location);
        if (target.isEmpty()) {
            return done(UrlResult.failed("redirect to an invalid or non-http(s) URL: " + location.strip(), status));
        }
        hops++;
        if (hops > options.maxRedirects()) {
            return done(UrlResult.failed("too many redirects (more than " + options.maxRedirects() + ")", status));
        }
        String next = target.get();
        if (!chain.add(next)) {
            return done(UrlResult.failed("redirect loop at " + next, status));
        }
        if (!UrlNormalizer.host(next).equals(host.host)) {
            return done(crawler.handOff(entry, next, hops, status));
        }
        String excluded = crawler.patternRefusal(next);
        if (excluded != null) {
            return done(UrlResult.skipped("redirect target " + next + " " + excluded, status));
        }
        return hop(next);
    }

    /** A 2xx response: analyse it off the event loop, then decide. */
    private Future<UrlResult> page(String url, Fetcher.Response r) {
        int status = r.status();
        if (!url.equals(entry.url)) {
            // Redirected: the page's identity is the final URL, which may be known under its own name.
            if (crawler.frontier().seen(url)) {
                return done(UrlResult.skipped("duplicate (redirect) of " + url, status));
            }
            crawler.frontier().markSeen(url);
        }
        byte[] body = r.body().getBytes();
        String contentType = r.header("Content-Type");
        List<String> robotsTags = r.headers().getAll("X-Robots-Tag");
        String robotName = options.robotName();
        return crawler.vertx()
                .executeBlocking(() -> PageAnalyzer.analyze(url, contentType, body, robotsTags, robotName), false)
                .transform(ar -> {
                    if (crawler.stopping()) {
                        return cancelled();
                    }
                    if (ar.failed()) {
                        if (ar.cause() instanceof PageAnalyzer.Skip skip) {
                            return done(UrlResult.skipped(skip.getMessage(), status));
                        }
                        return done(UrlResult.failed("extraction failed: " + FetchException.describe(ar.cause()),
                                status));
                    }
                    return analyzed(url, status, r.receivedAtMillis(), ar.result());
                });
    }

    private Future<UrlResult> analyzed(String url, int status, long fetchedAt, PageAnalyzer.Result page) {
        int discovered = page.nofollow() ? 0 : crawler.offerLinks(page.links(), entry.depth + 1);
        if (page.noindex()) {
            return done(UrlResult.skipped("noindex", status));
        }
        if (page.document() == null) {
            ExtractionException e = page.extractionError();
            return done(switch (e.reason()) {
                case BINARY -> UrlResult.skipped("binary content", status);
                case EMPTY -> UrlResult.skipped("no text content", status);
                default -> UrlResult.failed("extraction failed: " + e.getMessage(), status);
            });
        }
        String pageUrl = url;
        String canonical = page.canonical();
        if (canonical != null && !canonical.equals(url)
                && UrlNormalizer.host(canonical).equals(UrlNormalizer.host(url))) {
            if (!canonical.equals(entry.url)) {
                if (crawler.frontier().seen(canonical)) {
                    return done(UrlResult.skipped("duplicate (canonical) of " + canonical, status));
                }
                crawler.frontier().markSeen(canonical);
            }
            pageUrl = canonical;
        }
        Optional<DuplicateDetector.Match> duplicate = crawler.duplicates().find(page.fingerprint());
        if (duplicate.isPresent()) {
            DuplicateDetector.Match m = duplicate.get();
            return done(UrlResult.skipped((m.exact() ? "duplicate of " : "near-duplicate of ") + m.url(), status));
        }
        if (!crawler.reserveIndexSlot()) {
            return done(UrlResult.skipped("max pages reached", status));
        }
        String recordedUrl = pageUrl;
        crawler.duplicates().add(recordedUrl, page.fingerprint());
        String title = page.document().title() != null ? page.document().title()
                : PageAnalyzer.fallbackTitle(recordedUrl);
        ScrapedPage scraped = new ScrapedPage(recordedUrl, title, page.document(), page.mediaType(), status,
                fetchedAt, page.words());
        Future<Integer> indexing;
        try {
            indexing = crawler.sink().index(scraped);
            if (indexing == null) {
                indexing = Future.failedFuture("the page sink returned no future");
            }
        } catch (RuntimeException e) {
            indexing = Future.failedFuture(e);
        }
        return crawler.onContext(indexing).transform(ar -> {
            crawler.releaseIndexSlot();
            if (ar.succeeded()) {
                int chunks = ar.result() == null ? 0 : ar.result();
                return done(UrlResult.indexed(status, chunks, page.words(),
                        recordedUrl.equals(entry.url) ? null : recordedUrl, title, discovered));
            }
            crawler.duplicates().remove(recordedUrl);
            return done(UrlResult.failed("indexing failed: " + FetchException.describe(ar.cause()), status));
        });
    }

    private static UrlResult addressFailure(String host, Throwable cause) {
        if (cause instanceof AddressResolver.RefusedException refused) {
            return UrlResult.skipped("address not allowed: " + refused.getMessage(), null);
        }
        if (cause instanceof UnknownHostException) {
            return UrlResult.failed("cannot resolve host " + host, null);
        }
        return UrlResult.failed("cannot resolve host " + host + ": " + FetchException.describe(cause), null);
    }

    private static UrlResult fetchFailure(FetchException e) {
        return switch (e.kind()) {
            case TOO_LARGE, REFUSED -> UrlResult.skipped(e.getMessage(), e.status());
            case CANCELLED -> UrlResult.skipped("cancelled", null);
            case TIMEOUT, NETWORK -> UrlResult.failed(e.getMessage(), e.status());
        };
    }

    private static Future<UrlResult> done(UrlResult o) {
        return Future.succeededFuture(o);
    }

    private static Future<UrlResult> cancelled() {
        return done(UrlResult.skipped("cancelled", null));
    }
}
