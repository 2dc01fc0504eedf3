package org.dindex.scrape;

/**
 * Receives the fate of every URL as it happens (the scrape job forwards these to users).
 *
 * <p>Called on the crawler's context, in order, and must return quickly; exceptions thrown are logged and
 * otherwise ignored, so a broken listener cannot stop a crawl.
 */
@FunctionalInterface
public interface CrawlListener {
    void onEvent(UrlEvent event);
}
