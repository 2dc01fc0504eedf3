package org.dindex.scrape;

import java.util.Locale;
import java.util.Objects;

import io.vertx.core.json.JsonObject;

/**
 * One step in the life of a URL. Every URL reported goes QUEUED, then FETCHING if a request was made for it, then
 * exactly one terminal event: INDEXED, SKIPPED or FAILED.
 *
 * @param url      the URL as queued (normalised); events of one URL always carry the same url
 * @param kind     what happened
 * @param depth    link distance from the seeds (seeds are 0)
 * @param status   HTTP status of the last response when there was one, else null
 * @param reason   why a URL was SKIPPED or FAILED ("robots.txt", "HTTP 404", "duplicate of ..."); null otherwise
 * @param chunks   chunks indexed (INDEXED only, else 0)
 * @param words    words in the extracted text (INDEXED only, else 0)
 * @param atMillis when it happened (epoch milliseconds)
 * @param finalUrl for INDEXED, the URL the page was recorded under when it differs from url (after redirects or
 *                 a canonical link); null otherwise
 * @param title    for INDEXED, the page's title; null otherwise
 * @param discovered for INDEXED, how many new URLs its links added to the crawl; 0 otherwise
 */
public record UrlEvent(String url, Kind kind, int depth, Integer status, String reason, int chunks, int words,
        long atMillis, String finalUrl, String title, int discovered) {
    /** The kinds of event; INDEXED, SKIPPED and FAILED are terminal. */
    public enum Kind {
        QUEUED, FETCHING, INDEXED, SKIPPED, FAILED;

        public boolean terminal() {
            return this == INDEXED || this == SKIPPED || this == FAILED;
        }
    }

    public UrlEvent {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(kind, "kind");
    }

    /** An event without a final URL (all but INDEXED after a redirect or canonical link). */
    public UrlEvent(String url, Kind kind, int depth, Integer status, String reason, int chunks, int words,
            long atMillis) {
        this(url, kind, depth, status, reason, chunks, words, atMillis, null);
    }

    /** An event without title or discovered links. */
    public UrlEvent(String url, Kind kind, int depth, Integer status, String reason, int chunks, int words,
            long atMillis, String finalUrl) {
        this(url, kind, depth, status, reason, chunks, words, atMillis, finalUrl, null, 0);
    }

    /**
     * The event for clients: url, kind (lower case: "queued", "fetching", "indexed", "skipped", "failed"), depth,
     * at, and when present status, reason, finalUrl, plus chunks, words, title and discovered for INDEXED.
     */
    public JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("url", url)
                .put("kind", kind.name().toLowerCase(Locale.ROOT))
                .put("depth", depth)
                .put("at", atMillis);
        if (status != null) {
            json.put("status", status);
        }
        if (reason != null) {
            json.put("reason", reason);
        }
        if (finalUrl != null) {
            json.put("finalUrl", finalUrl);
        }
        if (kind == Kind.INDEXED) {
            json.put("chunks", chunks).put("words", words).put("discovered", discovered);
            if (title != null) {
                json.put("title", title);
            }
        }
        return json;
    }
}
