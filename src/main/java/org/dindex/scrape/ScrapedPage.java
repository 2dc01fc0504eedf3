package org.dindex.scrape;

import java.util.Objects;

import org.dindex.extract.ExtractedDocument;

/**
 * A fetched page, ready to be indexed.
 *
 * @param url             the page's identity: the normalised URL after redirects, replaced by its
 *                        {@code <link rel="canonical">} when that names a page on the same host
 * @param title           the page's own title, else a fallback derived from the URL; never null
 * @param content         the extracted text blocks (boilerplate removed for HTML)
 * @param contentType     media type from the response, without parameters ("text/html", "application/pdf")
 * @param status          HTTP status of the final response (2xx)
 * @param fetchedAtMillis when the response was received (epoch milliseconds)
 * @param words           number of words in the extracted text
 */
public record ScrapedPage(String url, String title, ExtractedDocument content, String contentType, int status,
        long fetchedAtMillis, int words) {
    public ScrapedPage {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(contentType, "contentType");
    }
}
