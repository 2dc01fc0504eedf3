package org.dindex.scrape;

/**
 * Totals of a finished crawl. Every queued URL ends in exactly one of the three outcomes, so
 * {@code queued == indexed + skipped + failed}.
 *
 * @param queued    URLs reported QUEUED (seeds included)
 * @param indexed   pages the sink indexed
 * @param skipped   URLs deliberately not indexed (robots.txt, duplicates, 404, traps, limits, cancellation, ...)
 * @param failed    URLs that could not be fetched or indexed
 * @param cancelled true when {@link Crawler#cancel()} ended the crawl
 * @param requests  HTTP requests made (robots.txt, redirects and retries included)
 * @param stoppedBy why the crawl ended: "no more URLs", "max pages reached", "request limit reached (...)" or
 *                  "cancelled"
 */
public record CrawlSummary(int queued, int indexed, int skipped, int failed, boolean cancelled, long requests,
                           String stoppedBy) {
}
