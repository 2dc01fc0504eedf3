package org.dindex.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class CrawlOptionsTest {
    private static String message(Supplier<CrawlOptions> options) {
        return assertThrows(IllegalArgumentException.class, options::get).getMessage();
    }

    @Test
    void defaultsAreTheDocumentedOnesAndSeedsAreNormalisedAndDeduplicated() {
        CrawlOptions o = CrawlOptions.defaults(List.of("HTTP://Example.com", "http://example.com/#top",
                "https://example.com/docs/"));
        assertEquals(List.of("http://example.com/", "https://example.com/docs/"), o.seeds());
        assertEquals(2, o.maxDepth());
        assertEquals(100, o.maxPages());
        assertTrue(o.stayOnDomain());
        assertEquals(1000, o.delayMs());
        assertEquals(4, o.concurrency());
        assertNull(o.include());
        assertEquals(5, o.maxRedirects());
        assertEquals(AddressPolicy.DEFAULT, o.addressPolicy());
        assertEquals("dindex-crawler", o.robotName());
        assertEquals("mybot", o.withUserAgent("MyBot/2.0 (+https://example.com/bot)").robotName());
    }

    @Test
    void invalidOptionsAreRefusedWithClearMessages() {
        CrawlOptions o = CrawlOptions.defaults(List.of("http://example.com/"));
        assertEquals("at least one seed URL is required", message(() -> CrawlOptions.defaults(List.of())));
        assertEquals("invalid seed URL: unsupported scheme ftp: ftp://example.com/",
                message(() -> CrawlOptions.defaults(List.of("ftp://example.com/"))));
        assertEquals("invalid seed URL: not an absolute URL: example.com",
                message(() -> CrawlOptions.defaults(List.of("example.com"))));
        assertEquals("maxDepth must be between 0 and 100: -1", message(() -> o.withMaxDepth(-1)));
        assertEquals("maxPages must be at least 1: 0", message(() -> o.withMaxPages(0)));
        assertEquals("delayMs must be between 0 and 60000: -5", message(() -> o.withDelayMs(-5)));
        assertEquals("concurrency must be between 1 and 64: 0", message(() -> o.withConcurrency(0)));
        assertEquals("userAgent must not be blank", message(() -> o.withUserAgent(" ")));
        assertEquals("userAgent must not contain control characters", message(() -> o.withUserAgent("a\nb")));
        assertEquals("requestTimeoutMs must be positive: 0", message(() -> o.withRequestTimeoutMs(0)));
        assertEquals("maxPageBytes must be between 1 and 1073741824: 0", message(() -> o.withMaxPageBytes(0)));
        assertEquals("maxRedirects must be between 0 and 20: 21", message(() -> o.withMaxRedirects(21)));
        assertThrows(NullPointerException.class, () -> o.withAddressPolicy(null));
    }

    @Test
    void eventsSerialiseForClients() {
        JsonObject indexed = new UrlEvent("http://h/old", UrlEvent.Kind.INDEXED, 1, 200, null, 3, 120, 42L,
                "http://h/new", "Old page", 5).toJson();
        assertEquals(new JsonObject().put("url", "http://h/old").put("kind", "indexed").put("depth", 1)
                .put("at", 42L).put("status", 200).put("finalUrl", "http://h/new").put("chunks", 3)
                .put("words", 120).put("discovered", 5).put("title", "Old page"), indexed);
        JsonObject skipped = new UrlEvent("http://h/x", UrlEvent.Kind.SKIPPED, 0, 404, "HTTP 404", 0, 0, 7L).toJson();
        assertEquals(new JsonObject().put("url", "http://h/x").put("kind", "skipped").put("depth", 0).put("at", 7L)
                .put("status", 404).put("reason", "HTTP 404"), skipped);
    }
}
