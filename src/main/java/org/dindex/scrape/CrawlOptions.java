package org.dindex.scrape;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What to crawl and how politely.
 *
 * <p>Seeds are normalised here (see {@link UrlNormalizer}), so an invalid seed is reported when the job is created,
 * not halfway through a crawl. Start from {@link #defaults(List)} and adjust with the {@code with...} methods.
 *
 * @param seeds            start URLs (http or https), fetched at depth 0; at least one; duplicates removed
 * @param maxDepth         links followed from a seed at most this many times (0 = only the seeds); default 2
 * @param maxPages         the crawl stops once this many pages were indexed; default 100
 * @param stayOnDomain     only follow links to a seed's host or its subdomains (a leading "www." of a seed is
 *                         ignored, so a seed www.example.com also allows example.com and docs.example.com); off-site
 *                         links are not queued. Default true
 * @param delayMs          minimum time between the end of one request and the start of the next to the same host;
 *                         a larger robots.txt Crawl-delay (capped at 30 s) wins. Default 1000
 * @param concurrency      requests in flight at once, across hosts (one host never has more than one); default 4
 * @param include          when set, only URLs matching it (anywhere, {@link java.util.regex.Matcher#find()}) are
 *                         queued; nullable
 * @param exclude          when set, URLs matching it are not queued; nullable
 * @param userAgent        User-Agent header; its first product token (before "/") is the name looked up in
 *                         robots.txt
 * @param requestTimeoutMs whole-request limit per HTTP request (connect, headers and body); default 30000
 * @param maxPageBytes     larger responses are abandoned and the URL SKIPPED as too large; default 10 MiB, at most
 *                         1 GiB
 * @param maxRedirects     redirects followed per URL; default 5
 * @param addressPolicy    which network addresses may be fetched; default {@link AddressPolicy#DEFAULT}
 * @param maxRequests      HTTP requests the crawl may make in all (robots.txt, redirects and retries included);
 *                         the crawl stops when they are spent; 0 takes {@link #defaultMaxRequests}
 */
public record CrawlOptions(List<String> seeds, int maxDepth, int maxPages, boolean stayOnDomain, long delayMs,
        int concurrency, Pattern include, Pattern exclude, String userAgent, long requestTimeoutMs, long maxPageBytes,
        int maxRedirects, AddressPolicy addressPolicy, int maxRequests) {
    public static final int DEFAULT_MAX_DEPTH = 2;
    public static final int DEFAULT_MAX_PAGES = 100;
    public static final long DEFAULT_DELAY_MS = 1000;
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final String DEFAULT_USER_AGENT = "dindex-crawler/1.0";
    public static final long DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_MAX_PAGE_BYTES = 10L * 1024 * 1024;
    public static final int DEFAULT_MAX_REDIRECTS = 5;

    static final int MAX_SEEDS = 1000;
    static final int MAX_CONCURRENCY = 64;
    static final long MAX_DELAY_MS = 60_000;
    static final long MAX_PAGE_BYTES_LIMIT = 1L << 30;
    static final int MAX_REDIRECTS_LIMIT = 20;
    static final int MAX_DEPTH_LIMIT = 100;

    public CrawlOptions {
        Objects.requireNonNull(seeds, "seeds");
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("at least one seed URL is required");
        }
        if (seeds.size() > MAX_SEEDS) {
            throw new IllegalArgumentException("too many seed URLs: " + seeds.size() + " (at most " + MAX_SEEDS + ")");
        }
        LinkedHashSet<String> normalized = new LinkedHashSet<>();
        for (String seed : seeds) {
            try {
                normalized.add(UrlNormalizer.normalize(seed));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid seed URL: " + e.getMessage(), e);
            }
        }
        seeds = List.copyOf(new ArrayList<>(normalized));
        if (maxDepth < 0 || maxDepth > MAX_DEPTH_LIMIT) {
            throw new IllegalArgumentException("maxDepth must be between 0 and " + MAX_DEPTH_LIMIT + ": " + maxDepth);
        }
        if (maxPages < 1) {
            throw new IllegalArgumentException("maxPages must be at least 1: " + maxPages);
        }
        if (delayMs < 0 || delayMs > MAX_DELAY_MS) {
            throw new IllegalArgumentException("delayMs must be between 0 and " + MAX_DELAY_MS + ": " + delayMs);
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException(
                    "concurrency must be between 1 and " + MAX_CONCURRENCY + ": " + concurrency);
        }
        if (userAgent == null || userAgent.isBlank()) {
            throw new IllegalArgumentException("userAgent must not be blank");
        }
        if (userAgent.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw new IllegalArgumentException("userAgent must not contain control characters");
        }
        userAgent = userAgent.strip();
        if (requestTimeoutMs < 1) {
            throw new IllegalArgumentException("requestTimeoutMs must be positive: " + requestTimeoutMs);
        }
        if (maxPageBytes < 1 || maxPageBytes > MAX_PAGE_BYTES_LIMIT) {
            throw new IllegalArgumentException(
                    "maxPageBytes must be between 1 and " + MAX_PAGE_BYTES_LIMIT + ": " + maxPageBytes);
        }
        if (maxRedirects < 0 || maxRedirects > MAX_REDIRECTS_LIMIT) {
            throw new IllegalArgumentException(
                    "maxRedirects must be between 0 and " + MAX_REDIRECTS_LIMIT + ": " + maxRedirects);
        }
        Objects.requireNonNull(addressPolicy, "addressPolicy");
        if (maxRequests < 0) {
            throw new IllegalArgumentException("maxRequests must be positive (0: the default): " + maxRequests);
        }
        if (maxRequests == 0) {
            maxRequests = defaultMaxRequests(maxPages);
        }
    }

    /**
     * Requests a crawl may make when none is set: ten per page it may index (robots.txt, redirects, retries, and
     * pages skipped as duplicates or errors all count), at least 100. Bounds a crawl whose pages are all skipped,
     * such as a trap generating near-duplicates, which maxPages alone never would.
     */
    public static int defaultMaxRequests(int maxPages) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(100L, 10L * maxPages));
    }

    /** The documented defaults for these seeds. */
    public static CrawlOptions defaults(List<String> seeds) {
        return new CrawlOptions(seeds, DEFAULT_MAX_DEPTH, DEFAULT_MAX_PAGES, true, DEFAULT_DELAY_MS,
                DEFAULT_CONCURRENCY, null, null, DEFAULT_USER_AGENT, DEFAULT_REQUEST_TIMEOUT_MS,
                DEFAULT_MAX_PAGE_BYTES, DEFAULT_MAX_REDIRECTS, AddressPolicy.DEFAULT, 0);
    }

    /**
     * The name this crawler answers to in robots.txt: the User-Agent's first product token, lower case
     * ("dindex-crawler" for "dindex-crawler/1.0 (+https://example.com)").
     */
    public String robotName() {
        String token = userAgent.split("[/\\s]", 2)[0];
        return token.isEmpty() ? "*" : token.toLowerCase(Locale.ROOT);
    }

    public CrawlOptions withMaxDepth(int v) {
        return new CrawlOptions(seeds, v, maxPages, stayOnDomain, delayMs, concurrency, include, exclude, userAgent,
                requestTimeoutMs, maxPageBytes, maxRedirects, addressPolicy, maxRequests);
    }

    /** Also resets maxRequests to its default for the new maxPages. */
    public CrawlOptions withMaxPages(int v) {
        return new CrawlOptions(seeds, maxDepth, v, stayOnDomain, delayMs, concurrency, include, exclude, userAgent,
                requestTimeoutMs, maxPageBytes, maxRedirects, addressPolicy, 0);
    }

    public CrawlOptions withMaxRequests(int v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, stayOnDomain, delayMs, concurrency, include, exclude,
                userAgent, requestTimeoutMs, maxPageBytes, maxRedirects, addressPolicy, v);
    }

    public CrawlOptions withStayOnDomain(boolean v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, v, delayMs, concurrency, include, exclude, userAgent,
                requestTimeoutMs, maxPageBytes, maxRedirects, addressPolicy, maxRequests);
    }

    public CrawlOptions withDelayMs(long v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, stayOnDomain, v, concurrency, include, exclude, userAgent,
                requestTimeoutMs, maxPageBytes, maxRedirects, addressPolicy, maxRequests);
    }

    public CrawlOptions withConcurrency(int v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, stayOnDomain, delayMs, v, include, exclude, userAgent,
                requestTimeoutMs, maxPageBytes, maxRedirects, addressPolicy, maxRequests);
    }

    public CrawlOptions withInclude(Pattern v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, stayOnDomain, delayMs, concurrency, v, exclude, userAgent,
                requestTimeoutMs, maxPageBytes, maxRedirects, addressPolicy, maxRequests);
    }

    public CrawlOptions withExclude(Pattern v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, stayOnDomain, delayMs, concurrency, include, v, userAgent,
                requestTimeoutMs, maxPageBytes, maxRedirects, addressPolicy, maxRequests);
    }

    public CrawlOptions withUserAgent(String v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, stayOnDomain, delayMs, concurrency, include, exclude, v,
                requestTimeoutMs, maxPageBytes, maxRedirects, addressPolicy, maxRequests);
    }

    public CrawlOptions withRequestTimeoutMs(long v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, stayOnDomain, delayMs, concurrency, include, exclude,
                userAgent, v, maxPageBytes, maxRedirects, addressPolicy, maxRequests);
    }

    public CrawlOptions withMaxPageBytes(long v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, stayOnDomain, delayMs, concurrency, include, exclude,
                userAgent, requestTimeoutMs, v, maxRedirects, addressPolicy, maxRequests);
    }

    public CrawlOptions withMaxRedirects(int v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, stayOnDomain, delayMs, concurrency, include, exclude,
                userAgent, requestTimeoutMs, maxPageBytes, v, addressPolicy, maxRequests);
    }

    public CrawlOptions withAddressPolicy(AddressPolicy v) {
        return new CrawlOptions(seeds, maxDepth, maxPages, stayOnDomain, delayMs, concurrency, include, exclude,
                userAgent, requestTimeoutMs, maxPageBytes, maxRedirects, v, maxRequests);
    }
}
