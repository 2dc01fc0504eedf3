package org.dindex.scrape;

import io.vertx.core.Future;

/**
 * Where the crawler delivers each page worth indexing (the scrape job chunks, embeds and stores it).
 *
 * <p>Asynchronous because indexing embeds text, which takes far longer than a fetch: the crawler keeps fetching
 * other hosts meanwhile. The future may complete on any thread; the crawler continues on its own context.
 */
public interface PageSink {
    /**
     * Indexes one page.
     *
     * @return the number of chunks indexed; a failed future marks that URL FAILED with the failure's message
     */
    Future<Integer> index(ScrapedPage page);
}
