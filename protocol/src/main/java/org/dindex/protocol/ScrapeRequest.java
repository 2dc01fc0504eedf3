package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A request to {@link Addresses#SCRAPE}: start pages and the crawl's limits. Null fields are left out, and the daemon
 * uses its defaults (shown). The daemon keeps the request as the job's parameters, in this order.
 *
 * @param urls         start pages, http or https
 * @param stayOnDomain only follow links to the start pages' hosts (false)
 * @param depth        links followed from a start page, 0 to 20 (2)
 * @param maxPages     stop after indexing this many pages (100)
 * @param maxRequests  stop after this many HTTP requests in all (0: ten per page of {@code maxPages}, at least 100)
 * @param delayMs      pause between requests to one host (1000; a larger robots.txt Crawl-delay wins)
 * @param concurrency  requests in flight across hosts (4)
 * @param include      only URLs matching this regular expression (found anywhere in the URL)
 * @param exclude      skip URLs matching this regular expression
 * @param collection   the collection to index into; null: the default (or a {@code Dindex} view's)
 */
public record ScrapeRequest(List<String> urls, Boolean stayOnDomain, Integer depth, Integer maxPages,
                            Integer maxRequests, Long delayMs, Integer concurrency, String include, String exclude,
                            String collection) {
    public ScrapeRequest {
        urls = List.copyOf(urls);
    }

    public ScrapeRequest(List<String> urls, Boolean stayOnDomain, Integer depth, Integer maxPages,
                         Integer maxRequests, Long delayMs, Integer concurrency, String include, String exclude) {
        this(urls, stayOnDomain, depth, maxPages, maxRequests, delayMs, concurrency, include, exclude, null);
    }

    public ScrapeRequest inCollection(String collection) {
        return new ScrapeRequest(urls, stayOnDomain, depth, maxPages, maxRequests, delayMs, concurrency, include,
                exclude, collection);
    }

    /** A crawl of {@code urls} with the daemon's defaults. */
    public static ScrapeRequest of(List<String> urls) {
        return new ScrapeRequest(urls, null, null, null, null, null, null, null, null);
    }

    /**
     * Just these pages: depth 0 (no links), one page each. A redirect to another host is followed (under the address
     * policy): a page that moved is still the page asked for.
     */
    public static ScrapeRequest pagesOnly(List<String> urls) {
        return new ScrapeRequest(urls, false, 0, urls.size(), null, null, null, null, null);
    }

    public JsonObject toJson() {
        JsonObject body = new JsonObject().put("urls", new JsonArray(new ArrayList<>(urls)));
        putIfSet(body, "stay_on_domain", stayOnDomain);
        putIfSet(body, "depth", depth);
        putIfSet(body, "max_pages", maxPages);
        putIfSet(body, "max_requests", maxRequests);
        putIfSet(body, "delay_ms", delayMs);
        putIfSet(body, "concurrency", concurrency);
        putIfSet(body, "include", include);
        putIfSet(body, "exclude", exclude);
        return CollectionNames.put(body, collection);
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static ScrapeRequest fromJson(JsonObject body) {
        return new ScrapeRequest(SearchResult.strings(body.getJsonArray("urls")), body.getBoolean("stay_on_domain"),
                body.getInteger("depth"), body.getInteger("max_pages"), body.getInteger("max_requests"),
                body.getLong("delay_ms"), body.getInteger("concurrency"), body.getString("include"),
                body.getString("exclude"), body.getString(CollectionNames.FIELD));
    }

    private static void putIfSet(JsonObject body, String key, Object value) {
        if (value != null) {
            body.put(key, value);
        }
    }
}
