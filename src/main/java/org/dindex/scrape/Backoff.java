package org.dindex.scrape;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * How long to leave a host alone after it said it is overloaded (429, 503) or failed (5xx).
 *
 * <p>Why honour Retry-After: it is the server telling us exactly when it can take requests again; retrying sooner
 * only earns another 429. It is capped because a crawl should not stall for hours on one host's say-so. Without it,
 * the wait doubles per attempt from the host's politeness delay (at least {@value #MIN_MS} ms).
 */
final class Backoff {
    static final long MIN_MS = 250;
    static final long MAX_MS = 30_000;

    private Backoff() {
    }

    /** The default wait before attempt number attempt + 1 (attempt counts from 1). */
    static long defaultMs(long hostDelayMs, int attempt) {
        long base = Math.max(hostDelayMs, MIN_MS);
        return Math.min(MAX_MS, base << Math.min(attempt - 1, 16));
    }

    /**
     * Retry-After in milliseconds (delta-seconds or an HTTP date), capped at {@value #MAX_MS}; -1 when absent or
     * unparseable.
     */
    static long retryAfterMs(String header, long nowMillis) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        String v = header.strip();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? -1 : Math.min(MAX_MS, seconds * 1000);
        } catch (NumberFormatException e) {
            // Not seconds: try an HTTP date.
        }
        try {
            long at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Math.max(0, Math.min(MAX_MS, at - nowMillis));
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
