package org.dindex.scrape;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import crawlercommons.robots.BaseRobotRules;
import crawlercommons.robots.SimpleRobotRules;
import crawlercommons.robots.SimpleRobotRules.RobotRulesMode;
import crawlercommons.robots.SimpleRobotRulesParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * robots.txt of every origin the crawl touches, fetched once (the first time a URL of the origin is about to be
 * fetched) and kept for the crawl, parsed by crawler-commons.
 *
 * <p>Status handling follows RFC 9309: 2xx is parsed (the first {@value #MAX_ROBOTS_BYTES} bytes, as the RFC allows);
 * redirects are followed up to {@value #MAX_REDIRECTS} hops, each through the address policy; any other 4xx means
 * there are no rules (allow all); 429 and 5xx are retried with back-off and, if they persist, like a network failure
 * or timeout make the origin "unavailable": its URLs are skipped, because a server that cannot serve robots.txt
 * cannot tell us what we may fetch. A Crawl-delay raises the host's politeness delay (capped at
 * {@value #MAX_CRAWL_DELAY_MS} ms so one directive cannot stall a crawl for hours).
 *
 * <p>Fetching robots.txt is a request to the host like any other: it waits its turn and delays the next request.
 * (A robots.txt redirected to another host waits for that host's delay too, but not for a request to it that may
 * be under way: at worst that host briefly sees two requests.) Used on the crawler's context only.
 */
final class RobotsCache {
    static final int MAX_ROBOTS_BYTES = 500 * 1024;
    static final int MAX_REDIRECTS = 5;
    static final int MAX_ATTEMPTS = 3;
    static final long MAX_CRAWL_DELAY_MS = 30_000;

    /** The rules for one origin; unavailable (the reason) when robots.txt could not be fetched. */
    record Rules(BaseRobotRules rules, String unavailable) {
        /** Null when url may be fetched, else the SKIPPED reason. */
        String refusal(String url) {
            if (unavailable != null) {
                return "robots.txt unavailable (" + unavailable + ")";
            }
            return rules.isAllowed(url) ? null : "robots.txt";
        }
    }

    private static final BaseRobotRules ALLOW_ALL = new SimpleRobotRules(RobotRulesMode.ALLOW_ALL);

    private final Vertx vertx;
    private final Fetcher fetcher;
    private final AddressResolver resolver;
    private final Function<String, HostQueue> hosts;
    private final List<String> robotNames;
    private final Map<String, Future<Rules>> byOrigin = new HashMap<>();

    RobotsCache(Vertx vertx, Fetcher fetcher, AddressResolver resolver, Function<String, HostQueue> hosts,
            String robotName) {
        this.vertx = vertx;
        this.fetcher = fetcher;
        this.resolver = resolver;
        this.hosts = hosts;
        this.robotNames = List.of(robotName);
    }

    /**
     * The rules for url's origin, fetching robots.txt first when this origin has none yet.
     *
     * @param address the checked address of url's host
     */
    Future<Rules> rulesFor(String url, InetAddress address) {
        String origin = UrlNormalizer.origin(url);
        Future<Rules> rules = byOrigin.get(origin);
        if (rules == null) {
            rules = fetch(origin + "/robots.txt", address, 0, 1);
            byOrigin.put(origin, rules);
        }
        return rules;
    }

    private Future<Rules> fetch(String url, InetAddress address, int hops, int attempt) {
        HostQueue host = hosts.apply(UrlNormalizer.host(url));
        return host.awaitTurn(vertx)
                .compose(v -> fetcher.get(url, address, MAX_ROBOTS_BYTES, true, null))
                .transform(ar -> {
                    if (ar.failed()) {
                        host.requestDone();
                        return Future.succeededFuture(unavailable(FetchException.of(ar.cause()).getMessage()));
                    }
                    Fetcher.Response r = ar.result();
                    int status = r.status();
                    if (status >= 200 && status < 300) {
                        return parse(url, r).map(rules -> {
                            if (rules.rules() != null && rules.rules().getCrawlDelay() > 0) {
                                host.raiseDelay(Math.min(rules.rules().getCrawlDelay(), MAX_CRAWL_DELAY_MS));
                            }
                            host.requestDone();
                            return rules;
                        });
                    }
                    host.requestDone();
                    if (status >= 300 && status < 400) {
                        return redirect(url, r, hops);
                    }
                    if (status == 429 || status >= 500) {
                        if (attempt < MAX_ATTEMPTS) {
                            long wait = Backoff.retryAfterMs(r.header("Retry-After"), System.currentTimeMillis());
                            host.backOff(wait >= 0 ? wait : Backoff.defaultMs(host.delayMs, attempt));
                            return fetch(url, address, hops, attempt + 1);
                        }
                        return Future.succeededFuture(unavailable("HTTP " + status));
                    }
                    return Future.succeededFuture(new Rules(ALLOW_ALL, null));
                });
    }

    /**
     * Parses off the event loop (a robots.txt may be 500 KiB), with a parser per call since crawler-commons' parser
     * keeps per-parse state. No maximum Crawl-delay is given to it: a long one is capped by the caller instead of
     * making crawler-commons disallow everything.
     */
    private Future<Rules> parse(String url, Fetcher.Response r) {
        byte[] body = r.body().getBytes();
        String contentType = r.header("Content-Type");
        return vertx.<BaseRobotRules>executeBlocking(() -> new SimpleRobotRulesParser(Long.MAX_VALUE, 5)
                        .parseContent(url, body, contentType, robotNames), false)
                .transform(ar -> Future.succeededFuture(ar.succeeded() ? new Rules(ar.result(), null)
                        : unavailable("cannot parse: " + FetchException.describe(ar.cause()))));
    }

    private Future<Rules> redirect(String url, Fetcher.Response r, int hops) {
        Optional<String> target = Optional.ofNullable(r.header("Location"))
                .flatMap(location -> UrlNormalizer.resolve(url, location));
        if (target.isEmpty() || hops + 1 > MAX_REDIRECTS) {
            // RFC 9309: a robots.txt that cannot be reached through redirects counts as not found.
            return Future.succeededFuture(new Rules(ALLOW_ALL, null));
        }
        String next = target.get();
        return resolver.resolve(UrlNormalizer.host(next))
                .transform(ar -> ar.succeeded()
                        ? fetch(next, ar.result(), hops + 1, 1)
                        : Future.succeededFuture(unavailable("redirect to " + next + ": "
                                + FetchException.describe(ar.cause()))));
    }

    private static Rules unavailable(String why) {
        return new Rules(null, why);
    }
}
