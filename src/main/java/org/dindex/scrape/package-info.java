/**
 * A polite, asynchronous web crawler that feeds pages to the index.
 *
 * <p>{@link org.dindex.scrape.Crawler} is the entry point: built from {@link org.dindex.scrape.CrawlOptions}, a
 * {@link org.dindex.scrape.PageSink} that indexes each {@link org.dindex.scrape.ScrapedPage} and a
 * {@link org.dindex.scrape.CrawlListener} that receives a {@link org.dindex.scrape.UrlEvent} for every step of
 * every URL; {@code run()} completes with a {@link org.dindex.scrape.CrawlSummary}.
 *
 * <p>What makes it polite and safe, and where each concern lives:
 * <ul>
 *   <li>per-host queues, one request at a time per host, a delay between requests, robots.txt Crawl-delay, and
 *       back-off on 429/503 honouring Retry-After ({@code Frontier}, {@code HostQueue}, {@link
 *       org.dindex.scrape.Backoff});</li>
 *   <li>robots.txt fetched once per origin with crawler-commons ({@code RobotsCache}), and
 *       {@code <meta name="robots">} / X-Robots-Tag noindex and nofollow;</li>
 *   <li>every host resolved and every address checked before connecting, on every redirect hop, so pages cannot
 *       steer the daemon to cloud metadata or internal services ({@link org.dindex.scrape.AddressPolicy});</li>
 *   <li>one spelling per URL ({@link org.dindex.scrape.UrlNormalizer}), canonical links and redirects recorded
 *       under the final URL, exact and near-duplicate text skipped ({@link org.dindex.scrape.DuplicateDetector},
 *       {@link org.dindex.scrape.SimHash}), infinite URL spaces refused ({@link org.dindex.scrape.CrawlTraps});</li>
 *   <li>bounded requests: timeout, size cap enforced on the bytes read, unsupported content refused from the
 *       response head ({@code Fetcher}).</li>
 * </ul>
 *
 * <p>Text is extracted with the same extractors as local files ({@link org.dindex.extract.Extractors}), so a
 * page and a saved copy of it index alike.
 */
package org.dindex.scrape;
