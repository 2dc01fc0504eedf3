package org.dindex.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.dindex.scrape.UrlEvent.Kind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The crawler against real HTTP servers on loopback serving small sites with every situation a crawl meets. The
 * sink and listener only record what they receive; nothing of the crawler is replaced.
 */
@Timeout(120)
class CrawlerTest {
    static final String UA = "dindex-test-crawler/2.0 (+https://example.invalid/bot)";
    static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        await(vertx.close());
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    // ---- test infrastructure ----------------------------------------------------------------------------------

    /** A request as the server saw it. */
    record Seen(String host, String path, String userAgent, long atNanos) {
    }

    /** A real HTTP server on 127.0.0.1 with exact and prefix routes; records every request. */
    static final class Site implements AutoCloseable {
        final List<Seen> requests = new CopyOnWriteArrayList<>();
        final Map<String, Handler<HttpServerRequest>> routes = new ConcurrentHashMap<>();
        final Map<String, Handler<HttpServerRequest>> prefixes = new ConcurrentHashMap<>();
        HttpServer server;
        int port;

        Site start() throws Exception {
            server = await(vertx.createHttpServer().requestHandler(req -> {
                requests.add(new Seen(req.getHeader("Host"), req.path(), req.getHeader("User-Agent"),
                        System.nanoTime()));
                Handler<HttpServerRequest> h = routes.get(req.path());
                if (h == null) {
                    h = prefixes.entrySet().stream().filter(e -> req.path().startsWith(e.getKey()))
                            .map(Map.Entry::getValue).findFirst().orElse(null);
                }
                if (h == null) {
                    req.response().setStatusCode(404).putHeader("Content-Type", "text/html")
                            .end("<html><body><p>Not found</p></body></html>");
                } else {
                    h.handle(req);
                }
            }).listen(0, "127.0.0.1"));
            port = server.actualPort();
            return this;
        }

        String base() {
            return "http://127.0.0.1:" + port;
        }

        Site route(String path, Handler<HttpServerRequest> handler) {
            routes.put(path, handler);
            return this;
        }

        Site prefix(String path, Handler<HttpServerRequest> handler) {
            prefixes.put(path, handler);
            return this;
        }

        Site page(String path, String html) {
            return route(path, req -> req.response().putHeader("Content-Type", "text/html; charset=utf-8").end(html));
        }

        Site body(String path, String contentType, byte[] bytes) {
            return route(path, req -> req.response().putHeader("Content-Type", contentType)
                    .end(Buffer.buffer(bytes)));
        }

        Site redirect(String path, int status, String location) {
            return route(path, req -> req.response().setStatusCode(status).putHeader("Location", location).end());
        }

        long count(String path) {
            return requests.stream().filter(r -> r.path().equals(path)).count();
        }

        List<Long> times(String path) {
            return requests.stream().filter(r -> r.path().equals(path)).map(Seen::atNanos).toList();
        }

        @Override
        public void close() {
            try {
                await(server.close());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The test's consumer of pages and events: records everything. */
    static final class Recorder implements PageSink, CrawlListener {
        final List<ScrapedPage> pages = new CopyOnWriteArrayList<>();
        final List<UrlEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public Future<Integer> index(ScrapedPage page) {
            pages.add(page);
            return Future.succeededFuture(1 + page.words() / 200);
        }

        @Override
        public void onEvent(UrlEvent event) {
            events.add(event);
        }

        Map<String, UrlEvent> terminals() {
            Map<String, UrlEvent> out = new LinkedHashMap<>();
            for (UrlEvent e : events) {
                if (e.kind().terminal()) {
                    out.put(e.url(), e);
                }
            }
            return out;
        }

        UrlEvent terminal(String url) {
            return terminals().get(url);
        }

        /** url -> reason of the URLs whose terminal event is kind. */
        Map<String, String> reasons(Kind kind) {
            return terminals().values().stream().filter(e -> e.kind() == kind)
                    .collect(Collectors.toMap(UrlEvent::url, e -> String.valueOf(e.reason()), (a, b) -> a,
                            TreeMap::new));
        }

        Set<String> urls(Kind kind) {
            return new TreeSet<>(reasons(kind).keySet());
        }

        List<Kind> kindsOf(String url) {
            return events.stream().filter(e -> e.url().equals(url)).map(UrlEvent::kind).toList();
        }

        ScrapedPage page(String url) {
            return pages.stream().filter(p -> p.url().equals(url)).findFirst().orElse(null);
        }
    }

    /**
     * Every URL reported: QUEUED first, then FETCHING at most once, then exactly one terminal event and nothing
     * after it; the summary counts agree with the events.
     */
    static void assertLifecycles(Recorder r, CrawlSummary summary) {
        Map<String, List<Kind>> byUrl = new LinkedHashMap<>();
        for (UrlEvent e : r.events) {
            byUrl.computeIfAbsent(e.url(), k -> new ArrayList<>()).add(e.kind());
        }
        Map<Kind, Integer> terminalCounts = new HashMap<>();
        for (var entry : byUrl.entrySet()) {
            List<Kind> kinds = entry.getValue();
            String url = entry.getKey();
            assertEquals(Kind.QUEUED, kinds.getFirst(), url + " " + kinds);
            assertTrue(kinds.size() == 2 || (kinds.size() == 3 && kinds.get(1) == Kind.FETCHING), url + " " + kinds);
            assertTrue(kinds.getLast().terminal(), url + " " + kinds);
            terminalCounts.merge(kinds.getLast(), 1, Integer::sum);
        }
        assertEquals(byUrl.size(), summary.queued(), "queued");
        assertEquals(terminalCounts.getOrDefault(Kind.INDEXED, 0), summary.indexed(), "indexed");
        assertEquals(terminalCounts.getOrDefault(Kind.SKIPPED, 0), summary.skipped(), "skipped");
        assertEquals(terminalCounts.getOrDefault(Kind.FAILED, 0), summary.failed(), "failed");
        assertEquals(summary.queued(), summary.indexed() + summary.skipped() + summary.failed());
    }

    static String html(String title, String main) {
        return "<!DOCTYPE html><html><head><title>" + title + "</title></head><body>"
                + "<nav><a href=\"/\">Home</a></nav><main>" + main + "</main>"
                + "<footer><p>Example footer</p></footer></body></html>";
    }

    static String html(String title, String head, String main) {
        return "<!DOCTYPE html><html><head><title>" + title + "</title>" + head + "</head><body><main>" + main
                + "</main></body></html>";
    }

    /** A real PDF with the given title and one line of text per entry. */
    static byte[] pdf(String title, String... lines) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDPage page = new PDPage();
            doc.addPage(page);
            try (PDPageContentStream content = new PDPageContentStream(doc, page)) {
                content.beginText();
                content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                content.setLeading(14.5f);
                content.newLineAtOffset(72, 720);
                for (String line : lines) {
                    content.showText(line);
                    content.newLine();
                }
                content.endText();
            }
            doc.getDocumentInformation().setTitle(title);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }

    static CrawlOptions options(String... seeds) {
        return CrawlOptions.defaults(List.of(seeds)).withUserAgent(UA).withDelayMs(0)
                .withRequestTimeoutMs(5000);
    }

    // ---- the full site ----------------------------------------------------------------------------------------

    static final String ABOUT_TEXT = "The example project builds a small search daemon. Its people care about "
            + "polite crawling, clear errors and fast answers to every query.";
    static final String GUIDE_TEXT = Prose.of(42, 1500);

    /** A site with every situation the crawler must handle; see the expectations in the test. */
    static Site fullSite() throws Exception {
        Site site = new Site().start();
        String b = site.base();
        AtomicInteger busyCalls = new AtomicInteger();
        site.body("/robots.txt", "text/plain",
                "User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\nCrawl-delay: 0.1\n"
                        .getBytes());
        site.page("/", html("Example site", """
                <h1>Welcome</h1><p>This is the example site that the crawler test walks through.</p>
                <ul>
                <li><a href="/about">About</a></li>
                <li><a href="docs/guide">Guide</a></li>
                <li><a href="/private/secret">Secret</a></li>
                <li><a href="/missing">Missing</a></li>
                <li><a href="/gone">Gone</a></li>
                <li><a href="/broken">Broken</a></li>
                <li><a href="/busy">Busy</a></li>
                <li><a href="/old">Old</a></li>
                <li><a href="/loop">Loop</a></li>
                <li><a href="/copy">Copy</a></li>
                <li><a href="/near">Near</a></li>
                <li><a href="/calendar/2026/11">Calendar</a></li>
                <li><a href="/canonical-dup">Canonical duplicate</a></li>
                <li><a href="/print/story">Printable story</a></li>
                <li><a href="/report.pdf">Report</a></li>
                <li><a href="/image.png">Image</a></li>
                <li><a href="/download.bin">Download</a></li>
                <li><a href="/fake.txt">Fake text</a></li>
                <li><a href="/noindex">Noindex</a></li>
                <li><a href="/nofollow">Nofollow</a></li>
                <li><a href="/a/b/a/b/a/b">Deep</a></li>
                <li><a href="/search?f=6&amp;e=5&amp;d=4&amp;c=3&amp;b=2&amp;a=1">Search</a></li>
                <li><a href="/big">Big</a></li>
                <li><a href="/big-chunked">Big chunked</a></li>
                <li><a href="/slow">Slow</a></li>
                <li><a href="/logout">Log out</a></li>
                <li><a href="mailto:someone@example.com">Mail</a> <a href="javascript:void(0)">JS</a>
                    <a href="#top">Top</a> <a href="https://elsewhere.example/page">Elsewhere</a></li>
                <li><a href="/about#team">Team</a> <a href="%s/docs/../about">About again</a></li>
                </ul>""".formatted(b)));
        site.page("/about", html("About", "<h1>About</h1><p>" + ABOUT_TEXT + "</p>"));
        site.page("/copy", html("A copy of about", "<h1>About</h1><p>" + ABOUT_TEXT + "</p>"));
        site.page("/docs/guide", html("Guide", "<p>" + GUIDE_TEXT + "</p><p><a href=\"/docs/guide/deeper\">More</a></p>"));
        site.page("/near", html("Guide (mirror)", "<p>" + Prose.replaceWord(GUIDE_TEXT, 700, "zebra")
                + "</p><p><a href=\"/docs/guide/deeper\">More</a></p>"));
        site.page("/docs/guide/deeper", html("Deeper", "<p>Deeper material about harbours and bridges.</p>"
                + "<a href=\"deeper/deepest\">Deepest</a>"));
        site.page("/docs/guide/deeper/deepest", html("Deepest", "<p>Too deep to be crawled.</p>"));
        site.page("/private/secret", html("Secret", "<p>Robots may not read this.</p>"));
        site.page("/logout", html("Logout", "<p>Excluded by pattern.</p>"));
        site.route("/gone", req -> req.response().setStatusCode(410).end("gone"));
        site.route("/broken", req -> req.response().setStatusCode(500).end("<html><body>oops</body></html>"));
        site.route("/busy", req -> {
            if (busyCalls.incrementAndGet() == 1) {
                req.response().setStatusCode(429).putHeader("Retry-After", "1").end("slow down");
            } else {
                req.response().putHeader("Content-Type", "text/html")
                        .end(html("Busy", "<p>Served after the server asked us to wait a second.</p>"));
            }
        });
        site.redirect("/old", 301, "/older");
        site.redirect("/older", 302, b + "/new");
        site.page("/new", html("New home", "<p>The page that moved twice now lives here.</p>"));
        site.redirect("/loop", 302, "/r/1");
        site.prefix("/r/", req -> {
            int n = Integer.parseInt(req.path().substring(3));
            req.response().setStatusCode(302).putHeader("Location", "/r/" + (n + 1)).end();
        });
        site.prefix("/calendar/", req -> {
            String[] parts = req.path().split("/");
            int year = Integer.parseInt(parts[2]);
            int month = Integer.parseInt(parts[3]);
            StringBuilder links = new StringBuilder();
            for (int i = 1; i <= 12; i++) {
                int m = month + i;
                links.append("<a href=\"/calendar/").append(year + (m - 1) / 12).append('/')
                        .append((m - 1) % 12 + 1).append("\">next</a> ");
            }
            req.response().putHeader("Content-Type", "text/html").end(html("Calendar " + year + "-" + month,
                    "<p>Events in month " + month + " of " + year + ". " + Prose.of(year * 100L + month, 40)
                            + "</p>" + links));
        });
        site.page("/canonical-dup", html("About (alternate)", "<link rel=\"canonical\" href=\"/about\">",
                "<p>Another view of the about page, worded differently on purpose.</p>"));
        site.page("/print/story", html("Story", "<link rel=\"canonical\" href=\"/story\">",
                "<p>A printer friendly story about a river, a bridge and a quiet harbour.</p>"));
        site.page("/story", html("Story", "<p>Never fetched: the printable copy stands for it.</p>"));
        site.body("/report.pdf", "application/pdf", pdf("Crawler Report",
                "Quarterly crawler report: every page was fetched politely."));
        byte[] png = new byte[64];
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, 0, png, 0, 8);
        site.body("/image.png", "image/png", png);
        site.body("/download.bin", "application/octet-stream", new byte[] {1, 2, 0, 0, 3, 4});
        site.body("/fake.txt", "text/plain", "looks like text\u0000but is not".getBytes());
        site.page("/noindex", html("Noindex", "<meta name=\"robots\" content=\"noindex\">",
                "<p>Do not index me, but follow me.</p><a href=\"/from-noindex\">onwards</a>"));
        site.page("/from-noindex", html("From noindex", "<p>Reached through a noindex page.</p>"));
        site.page("/nofollow", html("Nofollow", "<meta name=\"robots\" content=\"nofollow\">",
                "<p>Index me but do not follow my links.</p><a href=\"/hidden\">hidden</a>"));
        site.page("/hidden", html("Hidden", "<p>Only linked from a nofollow page.</p>"));
        site.body("/big", "text/html", ("<html><body><p>" + "x".repeat(100 * 1024 - 33) + "</p></body></html>")
                .getBytes());
        site.route("/big-chunked", req -> {
            HttpServerResponse resp = req.response().setChunked(true).putHeader("Content-Type", "text/html");
            resp.write("<html><body><p>");
            for (int i = 0; i < 10; i++) {
                resp.write("y".repeat(10 * 1024));
            }
            resp.end("</p></body></html>");
        });
        site.route("/slow", req -> vertx.setTimer(3000, id -> {
            if (!req.response().closed()) {
                req.response().putHeader("Content-Type", "text/html").end(html("Slow", "<p>Too late.</p>"));
            }
        }));
        return site;
    }

    @Test
    void crawlsTheSiteIndexingSkippingAndFailingExactlyTheRightUrls() throws Exception {
        try (Site site = fullSite()) {
            String b = site.base();
            Recorder r = new Recorder();
            CrawlOptions options = options(b + "/").withDelayMs(50).withRequestTimeoutMs(1000)
                    .withMaxPageBytes(64 * 1024).withExclude(Pattern.compile("/logout$"));
            CrawlSummary summary = await(new Crawler(vertx, options, r, r).run());

            assertLifecycles(r, summary);
            assertFalse(summary.cancelled());

            Set<String> indexed = new TreeSet<>();
            for (String p : List.of("/", "/about", "/docs/guide", "/busy", "/old", "/calendar/2026/11",
                    "/calendar/2026/12", "/calendar/2027/1", "/calendar/2027/2", "/calendar/2027/3", "/print/story",
                    "/report.pdf", "/nofollow", "/docs/guide/deeper", "/from-noindex")) {
                indexed.add(b + p);
            }
            assertEquals(indexed, r.urls(Kind.INDEXED));

            Map<String, String> skipped = new TreeMap<>();
            skipped.put(b + "/private/secret", "robots.txt");
            skipped.put(b + "/missing", "HTTP 404");
            skipped.put(b + "/gone", "HTTP 410");
            skipped.put(b + "/copy", "duplicate of " + b + "/about");
            skipped.put(b + "/near", "near-duplicate of " + b + "/docs/guide");
            skipped.put(b + "/canonical-dup", "duplicate (canonical) of " + b + "/about");
            skipped.put(b + "/image.png", "unsupported content type image/png");
            skipped.put(b + "/download.bin", "unsupported content type application/octet-stream");
            skipped.put(b + "/fake.txt", "binary content");
            skipped.put(b + "/noindex", "noindex");
            skipped.put(b + "/a/b/a/b/a/b", "crawler trap: path segment 'a' repeated 3 times");
            skipped.put(b + "/search?a=1&b=2&c=3&d=4&e=5&f=6", "crawler trap: too many query parameters (6, at most 5)");
            skipped.put(b + "/big", "too large (Content-Length 102400 bytes, the limit is 65536)");
            skipped.put(b + "/big-chunked", "too large (more than 65536 bytes)");
            for (String month : List.of("2027/4", "2027/5", "2027/6", "2027/7", "2027/8", "2027/9", "2027/10",
                    "2027/11")) {
                skipped.put(b + "/calendar/" + month,
                        "crawler trap: calendar-like URLs (more than 5 of " + b + "/calendar/{year}/{month})");
            }
            assertEquals(skipped, r.reasons(Kind.SKIPPED));

            assertEquals(Map.of(b + "/broken", "HTTP 500 after 3 attempts",
                    b + "/loop", "too many redirects (more than 5)",
                    b + "/slow", "timeout after 1000 ms"), r.reasons(Kind.FAILED));

            // Statuses are recorded; 404 is skipped, never indexed.
            assertEquals(404, r.terminal(b + "/missing").status());
            assertEquals(410, r.terminal(b + "/gone").status());
            assertEquals(500, r.terminal(b + "/broken").status());
            assertEquals(200, r.terminal(b + "/big").status());
            assertEquals(302, r.terminal(b + "/loop").status());
            assertNull(r.page(b + "/missing"));

            // Redirects and canonical links: recorded under the final URL.
            assertEquals(b + "/new", r.terminal(b + "/old").finalUrl());
            assertEquals(b + "/story", r.terminal(b + "/print/story").finalUrl());
            assertNull(r.terminal(b + "/about").finalUrl());
            Set<String> pageUrls = r.pages.stream().map(ScrapedPage::url).collect(Collectors.toCollection(TreeSet::new));
            Set<String> expectedPageUrls = new TreeSet<>(indexed);
            expectedPageUrls.remove(b + "/old");
            expectedPageUrls.add(b + "/new");
            expectedPageUrls.remove(b + "/print/story");
            expectedPageUrls.add(b + "/story");
            assertEquals(expectedPageUrls, pageUrls);
            assertEquals("New home", r.page(b + "/new").title());

            // The PDF's text was extracted.
            ScrapedPage report = r.page(b + "/report.pdf");
            assertEquals("application/pdf", report.contentType());
            assertEquals("Crawler Report", report.title());
            assertEquals("Quarterly crawler report: every page was fetched politely.", report.content().fullText());
            assertEquals(8, report.words());
            UrlEvent reportEvent = r.terminal(b + "/report.pdf");
            assertEquals(8, reportEvent.words());
            assertEquals(1, reportEvent.chunks());

            ScrapedPage about = r.page(b + "/about");
            assertEquals("About", about.title());
            assertEquals("text/html", about.contentType());
            assertEquals(200, about.status());
            assertTrue(about.content().fullText().contains("polite crawling"));
            assertFalse(about.content().fullText().contains("Example footer"), "boilerplate removed");

            // URLs refused before any request have no FETCHING; fetched ones do.
            assertEquals(List.of(Kind.QUEUED, Kind.SKIPPED), r.kindsOf(b + "/private/secret"));
            assertEquals(List.of(Kind.QUEUED, Kind.SKIPPED), r.kindsOf(b + "/a/b/a/b/a/b"));
            assertEquals(List.of(Kind.QUEUED, Kind.FETCHING, Kind.SKIPPED), r.kindsOf(b + "/missing"));
            assertEquals(List.of(Kind.QUEUED, Kind.FETCHING, Kind.INDEXED), r.kindsOf(b + "/old"));
            // Out-of-bounds links are not reported at all.
            Set<String> reported = r.events.stream().map(UrlEvent::url).collect(Collectors.toSet());
            for (String url : List.of("https://elsewhere.example/page", b + "/logout", b + "/hidden",
                    b + "/docs/guide/deeper/deepest", b + "/story", b + "/new")) {
                assertFalse(reported.contains(url), url);
            }
            assertEquals(0, r.events.stream().filter(e -> e.depth() > 2).count());

            // What the server saw.
            assertEquals(1, site.count("/robots.txt"), "robots.txt is fetched once");
            assertEquals("/robots.txt", site.requests.getFirst().path());
            for (String never : List.of("/private/secret", "/hidden", "/logout", "/story", "/calendar/2027/4",
                    "/a/b/a/b/a/b", "/search", "/docs/guide/deeper/deepest", "/r/6")) {
                assertEquals(0, site.count(never), never);
            }
            assertEquals(3, site.count("/broken"), "a 500 is retried twice");
            assertEquals(2, site.count("/busy"), "a 429 is retried");
            assertEquals(1, site.count("/r/5"));
            for (Seen s : site.requests) {
                assertEquals(UA, s.userAgent());
                assertEquals("127.0.0.1:" + site.port, s.host());
            }

            // Politeness: one host, so consecutive requests are at least the robots Crawl-delay (100 ms, more
            // than the configured 50 ms) apart; 2 ms tolerance for millisecond rounding.
            List<Seen> seen = site.requests;
            for (int i = 1; i < seen.size(); i++) {
                long gapMs = (seen.get(i).atNanos() - seen.get(i - 1).atNanos()) / 1_000_000;
                assertTrue(gapMs >= 98, "only " + gapMs + " ms between " + seen.get(i - 1).path() + " and "
                        + seen.get(i).path());
            }
            List<Long> busy = site.times("/busy");
            assertTrue((busy.get(1) - busy.get(0)) / 1_000_000 >= 998, "Retry-After: 1 honoured");
            List<Long> broken = site.times("/broken");
            assertTrue((broken.get(1) - broken.get(0)) / 1_000_000 >= 248, "back-off before the second attempt");
            assertTrue((broken.get(2) - broken.get(1)) / 1_000_000 >= 498, "back-off doubles");
        }
    }

    // ---- concurrency across hosts, cross-host redirects ----------------------------------------------------------

    @Test
    void hostsAreCrawledInParallelButEachHostPolitely() throws Exception {
        InetAddress[] localhost = InetAddress.getAllByName("localhost");
        assumeTrue(localhost.length > 0 && localhost[0] instanceof Inet4Address && localhost[0].isLoopbackAddress(),
                "localhost must resolve to 127.0.0.1 first");
        try (Site site = new Site().start()) {
            String ip = "http://127.0.0.1:" + site.port;
            String named = "http://localhost:" + site.port;
            site.prefix("/", req -> {
                boolean isNamed = req.getHeader("Host").startsWith("localhost");
                String p = isNamed ? "q" : "p";
                String text = "Page " + req.path() + " on " + (isNamed ? "the named host" : "the address") + ". "
                        + Prose.of(req.path().hashCode() * 31L + (isNamed ? 1 : 2), 60);
                if (req.path().equals("/robots.txt")) {
                    req.response().setStatusCode(404).end();
                } else if (req.path().equals("/to-other")) {
                    req.response().setStatusCode(302).putHeader("Location", named + "/landing").end();
                } else if (req.path().equals("/")) {
                    String links = "<a href=\"/" + p + "1\">1</a><a href=\"/" + p + "2\">2</a><a href=\"/" + p
                            + "3\">3</a>" + (isNamed ? "" : "<a href=\"/to-other\">other</a>");
                    req.response().putHeader("Content-Type", "text/html").end(html("Home", "<p>" + text + "</p>"
                            + links));
                } else {
                    req.response().putHeader("Content-Type", "text/html").end(html(req.path(), "<p>" + text + "</p>"));
                }
            });
            Recorder r = new Recorder();
            CrawlSummary summary = await(new Crawler(vertx, options(ip + "/", named + "/").withDelayMs(300)
                    .withConcurrency(4), r, r).run());

            assertLifecycles(r, summary);
            assertEquals(new TreeSet<>(List.of(ip + "/", ip + "/p1", ip + "/p2", ip + "/p3", named + "/",
                    named + "/q1", named + "/q2", named + "/q3", named + "/landing")), r.urls(Kind.INDEXED));
            assertEquals(Map.of(ip + "/to-other", "redirected to " + named + "/landing"), r.reasons(Kind.SKIPPED));
            assertEquals(0, r.reasons(Kind.FAILED).size());

            // Each host saw its own name in Host (we connect to the checked address, not by name) and polite gaps.
            Map<String, List<Seen>> byHost = site.requests.stream().collect(Collectors.groupingBy(Seen::host));
            assertEquals(Set.of("127.0.0.1:" + site.port, "localhost:" + site.port), byHost.keySet());
            for (List<Seen> requests : byHost.values()) {
                assertEquals(1, requests.stream().filter(s -> s.path().equals("/robots.txt")).count());
                for (int i = 1; i < requests.size(); i++) {
                    long gapMs = (requests.get(i).atNanos() - requests.get(i - 1).atNanos()) / 1_000_000;
                    assertTrue(gapMs >= 298, gapMs + " ms between requests to one host");
                }
            }
            // ...while the two hosts were crawled at the same time.
            List<Seen> a = byHost.get("127.0.0.1:" + site.port);
            List<Seen> n = byHost.get("localhost:" + site.port);
            assertTrue(a.getFirst().atNanos() < n.getLast().atNanos() && n.getFirst().atNanos() < a.getLast().atNanos(),
                    "the hosts' crawls overlap in time");
        }
    }

    // ---- stopping --------------------------------------------------------------------------------------------

    /** An endless site: every page links to five new ones. Requests after the first `fast` never get answers. */
    static Site endlessSite(int fast, CountDownLatch hanging) throws Exception {
        Site site = new Site().start();
        AtomicInteger pages = new AtomicInteger();
        site.prefix("/", req -> {
            if (req.path().equals("/robots.txt")) {
                req.response().setStatusCode(404).end();
                return;
            }
            if (pages.incrementAndGet() > fast) {
                hanging.countDown();
                return; // never answers
            }
            StringBuilder links = new StringBuilder();
            String self = req.path().equals("/") ? "/p" : req.path();
            for (int i = 1; i <= 5; i++) {
                links.append("<a href=\"").append(self).append('/').append(i).append("\">").append(i).append("</a>");
            }
            req.response().putHeader("Content-Type", "text/html").end(html(req.path(),
                    "<p>" + Prose.of(req.path().hashCode(), 50) + "</p>" + links));
        });
        return site;
    }

    @Test
    void cancelEndsRunQuicklyAndReportsEveryQueuedUrl() throws Exception {
        CountDownLatch hanging = new CountDownLatch(1);
        try (Site site = endlessSite(3, hanging)) {
            Recorder r = new Recorder();
            Crawler crawler = new Crawler(vertx, options(site.base() + "/").withMaxDepth(20).withDelayMs(20)
                    .withRequestTimeoutMs(30_000), r, r);
            Future<CrawlSummary> run = crawler.run();
            assertTrue(hanging.await(20, TimeUnit.SECONDS), "a request is in flight");
            long start = System.nanoTime();
            crawler.cancel();
            CrawlSummary summary = run.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMs < 1000, "run() completed " + tookMs + " ms after cancel()");

            assertTrue(summary.cancelled());
            assertLifecycles(r, summary);
            assertEquals(3, summary.indexed());
            assertTrue(summary.skipped() > 5);
            for (String reason : r.reasons(Kind.SKIPPED).values()) {
                assertEquals("cancelled", reason);
            }
            // The URL whose request was in flight was abandoned.
            String inFlight = site.requests.getLast().path();
            assertEquals(List.of(Kind.QUEUED, Kind.FETCHING, Kind.SKIPPED), r.kindsOf(site.base() + inFlight));

            int requests = site.requests.size();
            // Not a wait for a condition but the scenario: stay quiet for 300 ms (15 crawl delays) and check that the
            // cancelled crawler sent nothing meanwhile.
            Thread.sleep(300);
            assertEquals(requests, site.requests.size(), "no request after cancel");
            assertEquals(summary, crawler.run().result(), "run() again returns the same result");
        }
    }

    @Test
    void maxPagesStopsTheCrawlAndReportsTheRest() throws Exception {
        try (Site site = endlessSite(1000, new CountDownLatch(1))) {
            Recorder r = new Recorder();
            CrawlSummary summary = await(new Crawler(vertx, options(site.base() + "/").withMaxPages(3)
                    .withMaxDepth(5), r, r).run());

            assertFalse(summary.cancelled());
            assertLifecycles(r, summary);
            assertEquals(3, summary.indexed());
            assertEquals(3, r.pages.size());
            assertEquals(Set.of(site.base() + "/", site.base() + "/p/1", site.base() + "/p/2"), r.urls(Kind.INDEXED));
            assertTrue(summary.skipped() >= 8, "the queued rest: " + summary);
            assertEquals(Set.of("max pages reached"), Set.copyOf(r.reasons(Kind.SKIPPED).values()));
            assertEquals(4, site.requests.size(), "robots.txt and three pages: " + site.requests);
        }
    }

    // ---- safety and refusals -----------------------------------------------------------------------------------

    @Test
    void addressPolicyRefusesMetadataLinkLocalAndPrivateAddressesWithoutConnecting() throws Exception {
        try (Site site = new Site().start()) {
            String b = site.base();
            site.redirect("/evil-redirect", 302, "http://169.254.169.254/latest/user-data");
            Recorder r = new Recorder();
            CrawlOptions options = options(b + "/evil-redirect", "http://169.254.169.254/latest/meta-data/",
                    "http://metadata.google.internal/computeMetadata/v1/", "http://10.20.30.40/",
                    "http://[fd00:ec2::254]/", "http://100.100.100.200/", "http://[fe80::1]/")
                    .withStayOnDomain(false);
            CrawlSummary summary = await(new Crawler(vertx, options, r, r).run());

            assertLifecycles(r, summary);
            Map<String, String> expected = new TreeMap<>();
            expected.put(b + "/evil-redirect", "redirected to http://169.254.169.254/latest/user-data");
            expected.put("http://169.254.169.254/latest/user-data",
                    "address not allowed: 169.254.169.254 is a cloud metadata address");
            expected.put("http://169.254.169.254/latest/meta-data/",
                    "address not allowed: 169.254.169.254 is a cloud metadata address");
            expected.put("http://metadata.google.internal/computeMetadata/v1/",
                    "address not allowed: metadata.google.internal is a cloud metadata host");
            expected.put("http://10.20.30.40/",
                    "address not allowed: 10.20.30.40 is a private address (private addresses are not allowed)");
            expected.put("http://[fd00:ec2::254]/",
                    "address not allowed: fd00:ec2:0:0:0:0:0:254 is a cloud metadata address");
            expected.put("http://100.100.100.200/",
                    "address not allowed: 100.100.100.200 is a cloud metadata address");
            expected.put("http://[fe80::1]/", "address not allowed: fe80:0:0:0:0:0:0:1 is a link-local address");
            assertEquals(expected, r.reasons(Kind.SKIPPED));
            assertEquals(List.of(Kind.QUEUED, Kind.SKIPPED), r.kindsOf("http://169.254.169.254/latest/user-data"));
            assertEquals(List.of("/robots.txt", "/evil-redirect"), site.requests.stream().map(Seen::path).toList());
        }
    }

    @Test
    void loopbackCanBeRefusedToo() throws Exception {
        try (Site site = new Site().start()) {
            site.page("/", html("Home", "<p>Local page.</p>"));
            Recorder r = new Recorder();
            CrawlSummary summary = await(new Crawler(vertx, options(site.base() + "/")
                    .withAddressPolicy(new AddressPolicy(false, false)), r, r).run());
            assertLifecycles(r, summary);
            assertEquals(Map.of(site.base() + "/",
                            "address not allowed: 127.0.0.1 is a loopback address (loopback is not allowed)"),
                    r.reasons(Kind.SKIPPED));
            assertEquals(0, site.requests.size(), "nothing was requested, not even robots.txt");
        }
    }

    @Test
    void unavailableRobotsTxtKeepsTheCrawlerOff() throws Exception {
        try (Site site = new Site().start()) {
            site.route("/robots.txt", req -> req.response().setStatusCode(503).end());
            site.page("/", html("Home", "<p>Unreachable rules.</p>"));
            Recorder r = new Recorder();
            CrawlSummary summary = await(new Crawler(vertx, options(site.base() + "/"), r, r).run());
            assertLifecycles(r, summary);
            assertEquals(Map.of(site.base() + "/", "robots.txt unavailable (HTTP 503)"), r.reasons(Kind.SKIPPED));
            assertEquals(3, site.count("/robots.txt"), "retried like any 503");
            assertEquals(0, site.count("/"));
        }
    }

    @Test
    void includePatternFiltersLinksAndRefusesSeeds() throws Exception {
        try (Site site = new Site().start()) {
            String b = site.base();
            site.page("/", html("Home", "<p>Start here.</p><a href=\"/docs/a\">a</a><a href=\"/blog/b\">b</a>"
                    + "<a href=\"/docs/c\">c</a>"));
            site.page("/docs/a", html("A", "<p>Document A about mountains.</p>"));
            site.page("/docs/c", html("C", "<p>Document C about rivers.</p>"));
            site.page("/blog/b", html("B", "<p>Blog B.</p>"));
            Pattern include = Pattern.compile("^http://127\\.0\\.0\\.1:\\d+/(docs/.*)?$");
            Recorder r = new Recorder();
            CrawlSummary summary = await(new Crawler(vertx, options(b + "/", b + "/blog/seed").withInclude(include),
                    r, r).run());
            assertLifecycles(r, summary);
            assertEquals(Set.of(b + "/", b + "/docs/a", b + "/docs/c"), r.urls(Kind.INDEXED));
            assertEquals(Map.of(b + "/blog/seed", "excluded by pattern (does not match include " + include.pattern()
                    + ")"), r.reasons(Kind.SKIPPED));
            assertEquals(0, site.count("/blog/b"));
            assertNotNull(r.page(b + "/docs/c"));
        }
    }

    @Test
    void aFailingSinkMarksThePageFailed() throws Exception {
        try (Site site = new Site().start()) {
            site.page("/", html("Home", "<p>Cannot be stored.</p>"));
            List<UrlEvent> events = new CopyOnWriteArrayList<>();
            PageSink failing = page -> Future.failedFuture("disk full");
            CrawlSummary summary = await(new Crawler(vertx, options(site.base() + "/"), failing, events::add).run());
            assertEquals(1, summary.failed());
            UrlEvent last = events.getLast();
            assertEquals(Kind.FAILED, last.kind());
            assertEquals("indexing failed: disk full", last.reason());
        }
    }
}
