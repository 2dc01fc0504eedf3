package org.dindex.jobs;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.client.DindexClient;
import org.dindex.support.Await;
import org.dindex.support.Cli;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scrape jobs end to end: a real HTTP server on loopback serves a small site, the CLI starts the job on a real
 * daemon, and the tests check the per-URL events on the job's stream, what became searchable, re-scraping and cancel.
 */
@Timeout(300)
class ScrapeJobTest {
    static EmbeddedDaemon daemon;
    static Cli cli;
    static DindexClient client;
    static Vertx web;
    static HttpServer server;
    static String base;
    /** The same site on the IPv6 loopback address. */
    static String baseV6;
    static final Map<String, String> pages = new ConcurrentHashMap<>();
    static final java.util.concurrent.atomic.AtomicLong trapRequests = new java.util.concurrent.atomic.AtomicLong();

    static String page(String title, String body, String... links) {
        StringBuilder sb = new StringBuilder("<html><head><title>").append(title).append("</title></head><body>")
                .append("<nav><a href=\"/\">Home</a></nav><main><h1>").append(title).append("</h1><p>").append(body)
                .append("</p>");
        for (String link : links) {
            sb.append("<a href=\"").append(link).append("\">").append(link).append("</a> ");
        }
        return sb.append("</main><footer>Copyright Example Garden Society</footer></body></html>").toString();
    }

    @BeforeAll
    static void start() throws Exception {
        pages.put("/", page("Garden society", "Welcome to the garden society of the valley.", "/roses",
                "/compost", "/missing", "/private/members"));
        pages.put("/roses", page("Pruning roses", "Prune roses in late winter, cutting each cane just above an"
                + " outward-facing bud so the bush stays open to light and air.", "/compost"));
        pages.put("/compost", page("Making compost", "A compost heap needs a balance of green nitrogen-rich"
                + " clippings and brown carbon-rich leaves, turned every few weeks to let air in."));
        web = Vertx.vertx();
        io.vertx.core.Handler<io.vertx.core.http.HttpServerRequest> site = req -> {
            String path = req.path();
            if (path.equals("/robots.txt")) {
                req.response().putHeader("content-type", "text/plain").end("User-agent: *\nDisallow: /private/\n");
            } else if (pages.containsKey(path)) {
                req.response().putHeader("content-type", "text/html; charset=utf-8").end(pages.get(path));
            } else if (path.startsWith("/slow/")) {
                // An endless site for the cancel test: every page links to two more.
                int n = Integer.parseInt(path.substring(6));
                web.setTimer(100, t -> req.response().putHeader("content-type", "text/html").end(page("Slow page "
                        + n, "Slow page number " + n + " about the weather in spring, with rain and sunshine.",
                        "/slow/" + (2 * n + 1), "/slow/" + (2 * n + 2))));
            } else if (path.startsWith("/trap/")) {
                // A crawler trap: every page has the same text (a near-duplicate of the others, so it is skipped)
                // and links to three new ones, in paths no trap rule recognises.
                trapRequests.incrementAndGet();
                long n = Long.parseLong(path.substring(6));
                req.response().putHeader("content-type", "text/html").end("<html><head><title>Calendar</title>"
                        + "</head><body><p>" + ("Events of the garden society this month: none planned yet, check"
                        + " again soon for walks, talks, seed swaps and the autumn show. ").repeat(8) + "</p><a href=\"/trap/"
                        + (3 * n + 1) + "\">more</a> <a href=\"/trap/" + (3 * n + 2) + "\">more</a> <a href=\"/trap/"
                        + (3 * n + 3) + "\">more</a></body></html>");
            } else {
                req.response().setStatusCode(404).end("not found");
            }
        };
        server = web.createHttpServer().requestHandler(site).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();
        HttpServer v6 = web.createHttpServer().requestHandler(site).listen(0, "::1").await(10, TimeUnit.SECONDS);
        baseV6 = "http://[::1]:" + v6.actualPort();
        daemon = EmbeddedDaemon.start(Map.of(), List.of());
        cli = new Cli(daemon.root);
        client = daemon.client();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        daemon.close();
        web.close().await(10, TimeUnit.SECONDS);
    }

    /**
     * A crawler trap whose pages are all skipped as near-duplicates never reaches max_pages: the request limit (ten
     * per page of max_pages by default) ends the crawl, and the job says why it stopped.
     */
    @Test
    void aCrawlerTrapIsBoundedByTheRequestLimit() throws Exception {
        Cli.Result done = cli.run("scrape", base + "/trap/0", "--depth", "20", "--max-pages", "6", "--delay-ms",
                "0", "--json");
        assertEquals(0, done.exit(), done.toString());
        JsonObject reply = client.request(Addresses.JOBS_GET, new JsonObject().put("id", done.json().getString("id"))
                .put("events", true));
        JsonObject job = reply.getJsonObject("job");
        assertEquals("completed", job.getString("state"), job.encode());
        long requests = job.getJsonObject("counters").getLong("requests");
        assertTrue(requests <= 100 && requests >= 90, "the default limit, 100 requests: " + job.encode());
        assertTrue(trapRequests.get() <= 100, "the site saw " + trapRequests.get() + " requests");
        assertEquals(1, job.getJsonObject("counters").getLong("indexed", 0L), "the rest are duplicates: " + job.encode());
        JsonObject stopped = reply.getJsonArray("events").stream().map(o -> ((JsonObject) o).getJsonObject("event"))
                .filter(e -> "stopped".equals(e.getString("kind"))).findFirst().orElseThrow();
        assertEquals("request limit reached (100 requests, max_requests)", stopped.getString("reason"));

        Cli.Result small = cli.run("scrape", base + "/trap/1000", "--depth", "20", "--max-requests", "7",
                "--delay-ms", "0", "--json");
        assertEquals(0, small.exit(), small.toString());
        assertEquals(7, small.json().getJsonObject("counters").getLong("requests"), small.out());
    }

    /** A site at an IPv6 address: robots.txt, pages and links all work with the bracketed host. */
    @Test
    void anIpv6SiteIsScraped() throws Exception {
        Cli.Result done = cli.run("scrape", baseV6 + "/roses", "--delay-ms", "0", "--json");
        assertEquals(0, done.exit(), done.toString());
        JsonObject job = done.json();
        assertEquals("completed", job.getString("state"), job.encode());
        assertEquals(3, job.getJsonObject("counters").getLong("indexed"), "roses, compost, home: " + job.encode());
        JsonObject hit = client.request(Addresses.SEARCH, new JsonObject().put("query", "prune roses outward bud")
                .put("filters", new JsonObject().put("source_url_prefix", baseV6)));
        assertEquals(baseV6 + "/roses", hit.getJsonArray("results").getJsonObject(0).getString("url"), hit.encode());
        // The same site under two addresses would compete in the other tests' searches.
        assertEquals(0, cli.run("delete", "--source", baseV6).exit());
    }

    @Test
    void scrapeIndexesTheSiteReportsEveryUrlAndReScrapeReplaces() throws Exception {
        Cli.Result done = cli.run("scrape", base + "/", "--delay-ms", "20", "--json");
        assertEquals(0, done.exit(), done.toString());
        JsonObject reply = client.request(Addresses.JOBS_GET, new JsonObject().put("id", done.json().getString("id"))
                .put("events", true));
        JsonObject job = reply.getJsonObject("job");
        Map<String, List<String>> events = new LinkedHashMap<>();
        for (Object o : reply.getJsonArray("events")) {
            JsonObject e = ((JsonObject) o).getJsonObject("event");
            events.computeIfAbsent(e.getString("url"), k -> new ArrayList<>()).add(e.getString("kind"));
        }
        assertEquals("completed", job.getString("state"), job.encodePrettily());
        JsonObject c = job.getJsonObject("counters");
        assertEquals(3, c.getLong("indexed"), c.encode());

        // Every URL: queued, fetching (when fetched), then one final event.
        assertEquals(List.of("queued", "fetching", "indexed"), events.get(base + "/"), events.toString());
        assertEquals(List.of("queued", "fetching", "indexed"), events.get(base + "/roses"));
        assertEquals(List.of("queued", "fetching", "indexed"), events.get(base + "/compost"));
        assertEquals("skipped", events.get(base + "/missing").getLast(), events.toString());
        assertEquals("skipped", events.get(base + "/private/members").getLast(), events.toString());
        assertTrue(!events.get(base + "/private/members").contains("fetching"), "robots.txt honoured");

        JsonObject hit = client.request(Addresses.SEARCH, new JsonObject().put("query", "when should I prune roses")
                .put("top_k", 3));
        JsonObject top = hit.getJsonArray("results").getJsonObject(0);
        assertEquals(base + "/roses", top.getString("url"), hit.encodePrettily());
        assertEquals("Pruning roses", top.getString("title"));
        String text = top.getJsonArray("chunks").getJsonObject(0).getString("content");
        assertTrue(!text.contains("Copyright") && !text.contains("Home"), "boilerplate removed: " + text);

        long documents = client.request(Addresses.STATS, new JsonObject()).getLong("documents");
        // The site changes; a second scrape replaces the page's chunks.
        pages.put("/roses", page("Pruning roses", "Prune climbing roses after they flower in summer, tying new"
                + " shoots horizontally along the trellis.", "/compost"));
        Cli.Result again = cli.run("scrape", base + "/roses", "--depth", "0", "--delay-ms", "0", "--json");
        assertEquals(0, again.exit(), again.toString());
        JsonObject roses = client.request(Addresses.SEARCH, new JsonObject().put("query", "climbing roses trellis")
                .put("top_k", 1)).getJsonArray("results").getJsonObject(0);
        assertEquals(base + "/roses", roses.getString("url"));
        JsonArray chunks = roses.getJsonArray("chunks");
        assertEquals(1, chunks.size());
        assertTrue(chunks.getJsonObject(0).getString("content").contains("trellis"));
        JsonObject stats = client.request(Addresses.STATS, new JsonObject());
        assertEquals(documents, stats.getLong("documents"), "replaced, not added: " + stats.encode());
    }

    @Test
    void cancelStopsAScrapeQuicklyAndKeepsItsPages() throws Exception {
        Cli.Result started = cli.run("scrape", base + "/slow/0", "--depth", "10", "--max-pages", "1000",
                "--delay-ms", "0", "--detach", "--json");
        String id = started.json().getString("id");
        Await.value(Duration.ofMinutes(2), Duration.ofMillis(100), "scrape " + id + " indexed 3 pages",
                () -> client.request(Addresses.JOBS_GET, new JsonObject().put("id", id)).getJsonObject("job"),
                job -> job.getJsonObject("counters").getLong("indexed", 0L) >= 3);
        long t0 = System.nanoTime();
        JsonObject cancelled = client.request(Addresses.JOBS_CANCEL, new JsonObject().put("id", id),
                Duration.ofSeconds(30)).getJsonObject("job");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("cancelled", cancelled.getString("state"), cancelled.encodePrettily());
        assertTrue(ms < 5000, "cancel took " + ms + " ms");
        long indexed = cancelled.getJsonObject("counters").getLong("indexed");
        assertTrue(indexed >= 3, cancelled.encode());
        JsonArray events = client.request(Addresses.JOBS_GET, new JsonObject().put("id", id).put("events", true))
                .getJsonArray("events");
        java.util.Set<String> slowIndexed = events.stream().map(o -> ((JsonObject) o).getJsonObject("event"))
                .filter(e -> e.getString("kind").equals("indexed") && e.getString("url").contains("/slow/"))
                .map(e -> e.getString("url")).collect(java.util.stream.Collectors.toSet());
        assertTrue(slowIndexed.size() >= 2, events.encode());
        JsonObject hit = client.request(Addresses.SEARCH, new JsonObject().put("query", "weather in spring rain")
                .put("top_k", 1000).put("filters", new JsonObject().put("source_url_prefix", base + "/slow/")));
        java.util.Set<String> found = hit.getJsonArray("results").stream()
                .map(o -> ((JsonObject) o).getString("url")).collect(java.util.stream.Collectors.toSet());
        assertTrue(found.containsAll(slowIndexed), "every page indexed before the cancel is searchable: "
                + slowIndexed + " in " + found);
    }

    @Test
    void jobsBeyondTheConcurrencyLimitQueueAndStartWhenASlotFrees() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {  // jobs.max_concurrent is 2 by default
            Cli.Result r = cli.run("scrape", base + "/slow/" + (1000 * (i + 1)), "--depth", "10", "--max-pages",
                    "1000", "--delay-ms", "0", "--detach", "--json");
            assertEquals(0, r.exit(), r.toString());
            ids.add(r.json().getString("id"));
        }
        assertEquals("queued", state(ids.get(2)));
        assertEquals("running", state(ids.get(0)));
        assertEquals("running", state(ids.get(1)));
        client.request(Addresses.JOBS_CANCEL, new JsonObject().put("id", ids.get(0)), Duration.ofSeconds(30));
        Await.until(Duration.ofSeconds(20), "the queued job " + ids.get(2) + " started when a slot freed",
                () -> state(ids.get(2)).equals("running"));
        assertEquals("running", state(ids.get(2)), "the queued job starts when a slot frees");
        // A queued job is cancelled at once; cancelling it again is a conflict.
        for (String id : ids.subList(1, 3)) {
            assertEquals("cancelled", client.request(Addresses.JOBS_CANCEL, new JsonObject().put("id", id),
                    Duration.ofSeconds(30)).getJsonObject("job").getString("state"));
        }
        DindexException again = assertThrows(DindexException.class, () -> client.request(Addresses.JOBS_CANCEL,
                new JsonObject().put("id", ids.get(1))));
        assertEquals(ErrorCode.CONFLICT, again.code());
    }

    static String state(String id) {
        return client.request(Addresses.JOBS_GET, new JsonObject().put("id", id)).getJsonObject("job")
                .getString("state");
    }

    @Test
    void badScrapeRequestsGetClearErrors() {
        DindexException scheme = assertThrows(DindexException.class, () -> client.request(Addresses.SCRAPE,
                new JsonObject().put("urls", new JsonArray().add("ftp://example.org/"))));
        assertEquals(ErrorCode.BAD_REQUEST, scheme.code());
        assertTrue(scheme.getMessage().contains("not an http(s) URL"), scheme.getMessage());
        DindexException regex = assertThrows(DindexException.class, () -> client.request(Addresses.SCRAPE,
                new JsonObject().put("urls", new JsonArray().add(base)).put("include", "([a-z")));
        assertTrue(regex.getMessage().contains("'include' is not a valid regular expression"), regex.getMessage());
        DindexException depth = assertThrows(DindexException.class, () -> client.request(Addresses.SCRAPE,
                new JsonObject().put("urls", new JsonArray().add(base)).put("depth", -1)));
        assertTrue(depth.getMessage().contains("'depth' must be a whole number"), depth.getMessage());
    }
}
