package org.dindex.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CrawlTrapsTest {
    private final CrawlTraps traps = new CrawlTraps();

    @Test
    void repeatedPathSegmentsAreRefused() {
        assertEquals("crawler trap: path segment 'a' repeated 3 times", traps.check("http://h/a/b/a/b/a/b"));
        assertEquals("crawler trap: path segment 'x' repeated 3 times", traps.check("http://h/x/x/x"));
        assertNull(traps.check("http://h/x/x"));
        assertNull(traps.check("http://h/docs/v1/docs/"));
        assertTrue(traps.check("http://h/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/21")
                .startsWith("crawler trap: path too deep"));
    }

    @Test
    void calendarPathsAreCappedPerPattern() {
        String[] accepted = {"/calendar/2026/11", "/calendar/2026/12", "/calendar/2027/1", "/calendar/2027/02",
            "/calendar/2027/3"};
        for (String path : accepted) {
            assertNull(traps.check("http://h" + path), path);
        }
        String reason = traps.check("http://h/calendar/2027/4");
        assertEquals("crawler trap: calendar-like URLs (more than 5 of http://h/calendar/{year}/{month})", reason);
        // Another pattern has its own budget; pages without dates are never counted.
        assertNull(traps.check("http://h/news/2026/11/05/launch"));
        assertNull(traps.check("http://h/blog/hello-world"));
        assertNull(CrawlTraps.calendarKey("http://h/blog/hello-world", new String[] {"blog", "hello-world"}, null));
    }

    @Test
    void dateQueryParametersAreCappedPerPattern() {
        for (int m = 1; m <= 5; m++) {
            assertNull(traps.check("http://h/events?month=2026-0" + m));
        }
        assertTrue(traps.check("http://h/events?month=2026-06").startsWith("crawler trap: calendar-like URLs"));
        for (int d = 1; d <= 5; d++) {
            assertNull(traps.check("http://h/agenda?date=2026110" + d + "&view=day"));
        }
        assertTrue(traps.check("http://h/agenda?date=20261106&view=day").startsWith("crawler trap: calendar-like"));
        for (int y = 2020; y < 2025; y++) {
            assertNull(traps.check("http://h/archive?year=" + y));
        }
        assertTrue(traps.check("http://h/archive?year=2025").startsWith("crawler trap: calendar-like"));
        assertEquals("http://h/day/{date}.html",
                CrawlTraps.calendarKey("http://h/day/2026-11-05.html", new String[] {"day", "2026-11-05.html"}, null));
    }

    @Test
    void tooManyParametersAndTooManyVariantsAreRefused() {
        assertEquals("crawler trap: too many query parameters (6, at most 5)",
                traps.check("http://h/search?a=1&b=2&c=3&d=4&e=5&f=6"));
        assertNull(traps.check("http://h/search?a=1&b=2&c=3&d=4&e=5"));
        CrawlTraps fresh = new CrawlTraps();
        for (int page = 1; page <= 10; page++) {
            assertNull(fresh.check("http://h/items?page=" + page + "&sort=name"));
        }
        assertEquals("crawler trap: more than 10 query variants of /items",
                fresh.check("http://h/items?page=11&sort=name"));
        assertNull(fresh.check("http://h/items?page=3&sort=name"), "a variant already accepted stays accepted");
        assertNull(fresh.check("http://h/items"), "the path without a query is not a variant");
        assertNull(fresh.check("http://h/other?page=11"), "each path has its own budget");
    }
}
