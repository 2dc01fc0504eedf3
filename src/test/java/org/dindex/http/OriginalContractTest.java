package org.dindex.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.http.original.OriginalApi;
import org.dindex.http.original.StrictJson;
import org.dindex.protocol.Addresses;
import org.dindex.support.Await;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden tests of compatibility with the Rust original's clients. A test-only model of the original's response types
 * ({@link OriginalApi}) is decoded strictly ({@link StrictJson}: every field required unless optional there,
 * integers whole and unsigned) from the real responses of a real daemon, for every route and every server-sent
 * event type; the requests are the original's (nested scrape options, metadata_contains arrays, a body-less clear,
 * the cluster route's document_urls). One fixture per route, written from the original's contract, shows that the
 * model accepts what the original sent, and mutated fixtures show that it is strict.
 */
@Timeout(600)
class OriginalContractTest {
    static final String KEY = "contract-key-1";
    static EmbeddedDaemon daemon;
    static ApiClient api;
    static Vertx web;
    static String site;
    static final Map<String, String> pages = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        pages.put("/", page("Harbour guide", "Boats, tides and the lighthouse of the old harbour.", "/tides",
                "/lighthouse", "/missing", "/forbidden", "/private/log"));
        pages.put("/tides", page("Tides", "Tides rise and fall twice a day under the pull of the moon."));
        pages.put("/lighthouse", page("Lighthouse", "The lighthouse keeper lit the lamp at dusk every evening."));
        for (int i = 0; i < 150; i++) {
            pages.put("/many/" + i, page("Shell " + i, "Shell number " + i + " washed up on the beach near rock "
                    + (i * 7 % 13) + " after the storm of the year " + (1900 + i) + "."));
        }
        StringBuilder hub = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            hub.append("<a href=\"/many/").append(i).append("\">shell ").append(i).append("</a> ");
        }
        pages.put("/many", "<html><head><title>Shells</title></head><body><p>All the shells of the beach.</p>"
                + hub + "</body></html>");
        web = Vertx.vertx();
        HttpServer server = web.createHttpServer().requestHandler(req -> {
            String path = req.path();
            if (path.equals("/robots.txt")) {
                req.response().putHeader("content-type", "text/plain").end("User-agent: *\nDisallow: /private/\n");
            } else if (path.equals("/forbidden")) {
                req.response().setStatusCode(403).end("no");
            } else if (pages.containsKey(path)) {
                req.response().putHeader("content-type", "text/html; charset=utf-8").end(pages.get(path));
            } else {
                req.response().setStatusCode(404).end("not found");
            }
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        site = "http://127.0.0.1:" + server.actualPort();
        daemon = EmbeddedDaemon.start(Map.of("http.api_keys", KEY), List.of());
        String base = daemon.client().request(Addresses.STATUS, new JsonObject()).getJsonObject("http")
                .getString("url");
        api = new ApiClient(base, KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
        web.close().await(10, TimeUnit.SECONDS);
    }

    static String page(String title, String body, String... links) {
        StringBuilder sb = new StringBuilder("<html><head><title>").append(title).append("</title></head><body><h1>")
                .append(title).append("</h1><p>").append(body).append("</p>");
        for (String link : links) {
            sb.append("<a href=\"").append(link).append("\">").append(link).append("</a> ");
        }
        return sb.append("</body></html>").toString();
    }

    /** A fixture from src/test/resources/original-contract. */
    static String fixture(String name) throws java.io.IOException {
        try (InputStream in = OriginalContractTest.class.getResourceAsStream("/original-contract/" + name)) {
            assertNotNull(in, "fixture " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static <R extends Record> R decode(Class<R> type, ApiClient.Reply reply, int status) {
        assertEquals(status, reply.status(), reply.body());
        return StrictJson.decode(type, reply.body());
    }

    // ---- the model against the original's contract ----

    static final Map<String, Class<? extends Record>> FIXTURE_TYPES = new LinkedHashMap<>();

    static {
        FIXTURE_TYPES.put("health.json", OriginalApi.Health.class);
        FIXTURE_TYPES.put("status.json", OriginalApi.Status.class);
        FIXTURE_TYPES.put("stats.json", OriginalApi.Stats.class);
        FIXTURE_TYPES.put("search.json", OriginalApi.Search.class);
        FIXTURE_TYPES.put("index.json", OriginalApi.Index.class);
        FIXTURE_TYPES.put("index-commit.json", OriginalApi.Commit.class);
        FIXTURE_TYPES.put("index-clear.json", OriginalApi.Clear.class);
        FIXTURE_TYPES.put("documents-delete.json", OriginalApi.Delete.class);
        FIXTURE_TYPES.put("cluster.json", OriginalApi.Clusters.class);
        FIXTURE_TYPES.put("scrape.json", OriginalApi.JobStarted.class);
        FIXTURE_TYPES.put("job.json", OriginalApi.JobProgress.class);
        FIXTURE_TYPES.put("job-cancel.json", OriginalApi.JobCancel.class);
        FIXTURE_TYPES.put("error.json", OriginalApi.Error.class);
    }

    /** Fields the original's types declare optional ({@code Option}): the only ones a fixture may lack. */
    static final Set<String> OPTIONAL = Set.of("source_url", "source_title", "snippet", "total", "rate",
            "eta_seconds", "stats", "error", "title");

    @Test
    void theModelAcceptsEveryFixtureAndIsStrict() throws Exception {
        for (Map.Entry<String, Class<? extends Record>> e : FIXTURE_TYPES.entrySet()) {
            String text = fixture(e.getKey());
            StrictJson.decode(e.getValue(), text);
            assertStrict(e.getKey(), e.getValue(), new JsonObject(text));
        }
        for (Sse event : Sse.parse(fixture("events.sse"))) {
            Class<? extends Record> type = OriginalApi.EVENTS.get(event.name());
            assertNotNull(type, "fixture event " + event.name());
            StrictJson.decode(type, event.data());
            assertStrict("events.sse " + event.name(), type, new JsonObject(event.data()));
        }
        assertEquals(OriginalApi.EVENTS.keySet(), new TreeSet<>(Sse.parse(fixture("events.sse")).stream().map(Sse::name).toList()).stream()
                .collect(java.util.stream.Collectors.toSet()), "one fixture event of every type");
    }

    /**
     * Every mutation of a valid document that a strict client refuses must be refused: removing a field the original
     * requires, making a whole number fractional or negative, or giving it as a string.
     */
    static void assertStrict(String name, Class<? extends Record> type, JsonObject valid) {
        List<String> problems = new ArrayList<>();
        mutate(valid, valid, "", name, type, problems);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static void mutate(JsonObject root, Object node, String path, String name, Class<? extends Record> type,
                               List<String> problems) {
        if (node instanceof JsonObject o) {
            for (String key : new ArrayList<>(o.fieldNames())) {
                Object v = o.getValue(key);
                o.remove(key);
                boolean accepted = decodes(type, root);
                o.put(key, v);
                if (accepted && !OPTIONAL.contains(key) && !(node == root.getJsonObject("documents"))) {
                    problems.add(name + ": decoded without required " + path + "." + key);
                }
                if (v instanceof Integer || v instanceof Long) {
                    long n = ((Number) v).longValue();
                    for (Object bad : new Object[] {n + 0.5, (double) n, -1 - n, String.valueOf(n)}) {
                        o.put(key, bad);
                        if (decodes(type, root)) {
                            problems.add(name + ": accepted " + path + "." + key + " = " + bad);
                        }
                    }
                    o.put(key, v);
                }
                mutate(root, v, path + "." + key, name, type, problems);
            }
        } else if (node instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                mutate(root, a.getValue(i), path + "[" + i + "]", name, type, problems);
            }
        }
    }

    private static boolean decodes(Class<? extends Record> type, JsonObject json) {
        try {
            StrictJson.decode(type, json.encode());
            return true;
        } catch (StrictJson.DecodeError e) {
            return false;
        }
    }

    // ---- the real daemon, answering the original's requests ----

    @Test
    void everyRouteAnswersWhatTheOriginalsClientsDecode() throws Exception {
        OriginalApi.Health health = decode(OriginalApi.Health.class, api.send("GET", "/api/v1/health", null), 200);
        assertTrue(health.healthy());
        long before = decode(OriginalApi.Stats.class, api.api("GET", "/api/v1/stats", null), 200).total_documents();

        JsonObject docs = new JsonObject().put("documents", new JsonArray()
                .add(new JsonObject().put("content", "Ocean tides are caused by the gravitational pull of the moon"
                        + " and the sun.").put("title", "Tides").put("url", "https://docs.example/tides")
                        .put("metadata", new JsonObject().put("topic", "sea")))
                .add(new JsonObject().put("content", "Volcanoes erupt when magma rises through the crust.")
                        .put("title", "Volcanoes").put("url", "https://docs.example/volcano")
                        .put("metadata", new JsonObject().put("topic", "land")))
                .add(new JsonObject().put("content", "Clouds form when water vapour condenses in cool air.")));
        OriginalApi.Index indexed = decode(OriginalApi.Index.class, api.api("POST", "/api/v1/index", docs), 200);
        assertEquals(3, indexed.documents_indexed());
        assertTrue(indexed.chunks_created() >= 3, "chunks: " + indexed);
        OriginalApi.Commit commit = decode(OriginalApi.Commit.class, api.api("POST", "/api/v1/index/commit", null),
                200);
        assertTrue(commit.success());

        OriginalApi.Status status = decode(OriginalApi.Status.class, api.api("GET", "/api/v1/status", null), 200);
        assertTrue(status.running() && status.memory_mb() > 0, status.toString());
        OriginalApi.Stats stats = decode(OriginalApi.Stats.class, api.api("GET", "/api/v1/stats", null), 200);
        assertEquals(before + 3, stats.total_documents());
        assertTrue(stats.storage_size_bytes() >= stats.bm25_index_size_bytes() && stats.bm25_index_size_bytes() > 0,
                stats.toString());

        // The original's search request, filters and all: metadata_contains holds arrays of allowed values.
        JsonObject request = new JsonObject().put("query", "what causes the tides").put("top_k", 10)
                .put("filters", new JsonObject().put("metadata_contains", new JsonObject().put("topic",
                        new JsonArray().add("sea").add("sky"))));
        OriginalApi.Search search = decode(OriginalApi.Search.class, api.api("POST", "/api/v1/search", request), 200);
        assertEquals(1, search.results().size(), search.toString());
        OriginalApi.GroupedResult top = search.results().getFirst();
        assertEquals("https://docs.example/tides", top.source_url().orElseThrow());
        assertEquals("Tides", top.source_title().orElseThrow());
        assertEquals(top.citation_index(), search.citations().getFirst().index());
        assertTrue(search.citations().getFirst().snippet().isPresent(), "citation snippet: " + search);
        assertTrue(top.chunks().getFirst().matched_by().stream().allMatch(m -> m.equals("dense") || m.equals("bm25")));
        JsonObject both = request.copy().put("query", "moon magma").put("filters", new JsonObject()
                .put("metadata_contains", new JsonObject().put("topic", new JsonArray().add("sea").add("land"))));
        assertEquals(2, decode(OriginalApi.Search.class, api.api("POST", "/api/v1/search", both), 200).results()
                .size(), "either value of the array matches");
        OriginalApi.Search sourceless = decode(OriginalApi.Search.class, api.api("POST", "/api/v1/search",
                new JsonObject().put("query", "water vapour condenses").put("top_k", 1)), 200);
        assertTrue(sourceless.results().getFirst().source_url().isPresent(), "a document without url still names"
                + " its source");

        // Cluster in the original's request shape, with and without summaries; no URL indexed is an empty answer.
        JsonObject cluster = new JsonObject().put("document_urls", new JsonArray().add("https://docs.example/tides")
                .add("https://docs.example/volcano").add("https://docs.example/none")).put("max_clusters", 2);
        OriginalApi.Clusters clusters = decode(OriginalApi.Clusters.class, api.api("POST", "/api/v1/cluster", cluster),
                200);
        assertEquals(List.of("https://docs.example/none"), clusters.unmatched_urls());
        assertEquals(2, clusters.documents().size(), clusters.toString());
        assertTrue(clusters.clusters().getFirst().cluster_id().startsWith("cluster_"));
        assertTrue(clusters.documents().get("https://docs.example/tides").snippet().startsWith("Ocean tides"));
        assertTrue(decode(OriginalApi.Clusters.class, api.api("POST", "/api/v1/cluster", cluster.copy()
                .put("include_summaries", false)), 200).documents().isEmpty());
        OriginalApi.Clusters none = decode(OriginalApi.Clusters.class, api.api("POST", "/api/v1/cluster",
                new JsonObject().put("document_urls", new JsonArray().add("https://nowhere.example/"))), 200);
        assertTrue(none.clusters().isEmpty() && none.unmatched_urls().size() == 1, none.toString());
        assertEquals(400, api.api("POST", "/api/v1/cluster", cluster.copy().put("max_clusters", 0)).status());

        // Delete by the ids search returned.
        OriginalApi.Delete deleted = decode(OriginalApi.Delete.class, api.api("DELETE", "/api/v1/documents",
                new JsonObject().put("document_ids", new JsonArray().add(top.document_id()))), 200);
        assertEquals(1, deleted.documents_deleted());
        assertTrue(deleted.chunks_deleted() >= 1, deleted.toString());
        assertEquals(400, api.api("DELETE", "/api/v1/documents", new JsonObject().put("document_ids",
                new JsonArray())).status(), "an empty list is refused, as by the original");

        // Errors: the original's {code, message}.
        decode(OriginalApi.Error.class, api.send("GET", "/api/v1/stats", null), 401);
        decode(OriginalApi.Error.class, api.api("GET", "/api/v1/jobs/not-a-job-id", null), 400);
        decode(OriginalApi.Error.class, api.api("GET", "/api/v1/jobs/6f1c2a9e-3b1d-4c8e-9a57-0f2d7c1e4b90", null),
                404);

        // Clear with an empty body: honoured because this daemon has API keys (docs/protocol.md says why).
        OriginalApi.Clear clear = decode(OriginalApi.Clear.class, api.api("POST", "/api/v1/index/clear", null), 200);
        assertTrue(clear.chunks_deleted() >= 2, clear.toString());
        assertEquals(0, decode(OriginalApi.Stats.class, api.api("GET", "/api/v1/stats", null), 200)
                .total_documents());
    }

    @Test
    void jobsStartPollCancelAndStreamTheOriginalsEvents() throws Exception {
        JsonObject scrape = new JsonObject().put("urls", new JsonArray().add(site + "/")).put("options",
                new JsonObject().put("max_depth", 1).put("stay_on_domain", true).put("delay_ms", 0)
                        .put("max_pages", 20));
        ApiClient.Reply twice = api.api("POST", "/api/v1/scrape", scrape.copy().put("depth", 1));
        assertEquals(400, twice.status(), twice.body());
        assertTrue(twice.json().getString("message").contains("'depth' is given twice"), twice.body());
        ApiClient.Reply unknownOption = api.api("POST", "/api/v1/scrape", scrape.copy().put("options",
                new JsonObject().put("max_dept", 1)));
        assertEquals(400, unknownOption.status(), unknownOption.body());
        assertTrue(unknownOption.json().getString("message").contains("unknown scrape option 'max_dept'"),
                unknownOption.body());
        OriginalApi.JobStarted started = decode(OriginalApi.JobStarted.class, api.api("POST", "/api/v1/scrape",
                scrape), 200);
        assertEquals("Scrape job started", started.message());
        List<Sse> events = Sse.read(api.base() + "/api/v1/jobs/" + started.job_id() + "/events", KEY, null);
        Set<String> seen = new TreeSet<>();
        for (Sse e : events) {
            Class<? extends Record> type = OriginalApi.EVENTS.get(e.name());
            assertNotNull(type, "unknown event " + e.name() + ": " + e.data());
            Record decoded = StrictJson.decode(type, e.data());
            OpenApiCheck.verifyEvent(schemaName(e.name()), e.data());
            if (!e.name().equals("lagged")) {
                assertEquals(started.job_id(), new JsonObject(e.data()).getString("job_id"));
            }
            seen.add(e.name());
            if (decoded instanceof OriginalApi.UrlIndexed indexed && indexed.url().equals(site + "/")) {
                assertEquals("Harbour guide", indexed.title().orElse(null));
                assertTrue(indexed.discovered_urls() >= 3, indexed.toString());
            }
        }
        assertEquals(new TreeSet<>(List.of("job_started", "url_queued", "url_fetching", "url_indexed", "url_failed",
                "url_skipped", "progress", "job_completed")), seen, "event types: " + events);
        assertEquals("job_started", events.getFirst().name());
        Sse last = events.getLast();
        assertEquals("job_completed", last.name(), "the stream ends after job_completed");
        OriginalApi.JobCompleted done = StrictJson.decode(OriginalApi.JobCompleted.class, last.data());
        assertEquals("completed", done.status());
        assertEquals(3, done.stats().orElseThrow().documents_processed(), done.toString());
        OriginalApi.Progress lastProgress = events.stream().filter(e -> e.name().equals("progress"))
                .map(e -> StrictJson.decode(OriginalApi.Progress.class, e.data())).toList().getLast();
        assertEquals(3, lastProgress.urls_succeeded());
        assertEquals(1, lastProgress.urls_failed(), "the 403");
        assertEquals(2, lastProgress.urls_skipped(), "the 404 and robots.txt");
        assertEquals(0, lastProgress.urls_queued());

        // Polled as the original's clients poll: until stage is "completed" or starts with "failed:".
        OriginalApi.JobProgress progress = decode(OriginalApi.JobProgress.class, api.api("GET", "/api/v1/jobs/"
                + started.job_id(), null), 200);
        assertEquals("completed", progress.stage());
        assertEquals(started.job_id(), progress.job_id());

        // Cancel: a running job (success), then again (ended: success false), then an unknown one (404).
        JsonObject slow = new JsonObject().put("urls", new JsonArray().add(site + "/many")).put("options",
                new JsonObject().put("max_depth", 1).put("delay_ms", 2000).put("max_pages", 100));
        String slowId = decode(OriginalApi.JobStarted.class, api.api("POST", "/api/v1/scrape", slow), 200).job_id();
        OriginalApi.JobCancel cancel = decode(OriginalApi.JobCancel.class, api.api("POST", "/api/v1/jobs/" + slowId
                + "/cancel", null), 200);
        assertTrue(cancel.success());
        ApiClient.Reply again = api.api("POST", "/api/v1/jobs/" + slowId + "/cancel", null);
        assertEquals(409, again.status(), again.body());
        assertFalse(StrictJson.decode(OriginalApi.JobCancel.class, again.body()).success());
        ApiClient.Reply unknown = api.api("POST", "/api/v1/jobs/scrape-00000000/cancel", null);
        assertEquals(404, unknown.status(), unknown.body());
        assertFalse(StrictJson.decode(OriginalApi.JobCancel.class, unknown.body()).success());
        StrictJson.decode(OriginalApi.Error.class, unknown.body());
        OriginalApi.JobProgress cancelled = decode(OriginalApi.JobProgress.class, api.api("GET", "/api/v1/jobs/"
                + slowId, null), 200);
        assertEquals("failed: cancelled", cancelled.stage(), "a cancelled job ends the original's polling loop");
        List<Sse> cancelledEvents = Sse.read(api.base() + "/api/v1/jobs/" + slowId + "/events", KEY, null);
        OriginalApi.JobCompleted end = StrictJson.decode(OriginalApi.JobCompleted.class,
                cancelledEvents.getLast().data());
        assertEquals("cancelled", end.status());
    }

    /** A reader that falls behind gets {@code lagged} with the number it missed, then the stream goes on. */
    @Test
    void aSlowReaderIsToldWhatItMissed() throws Exception {
        JsonObject scrape = new JsonObject().put("urls", new JsonArray().add(site + "/many")).put("options",
                new JsonObject().put("max_depth", 1).put("delay_ms", 0).put("max_pages", 200));
        String id = decode(OriginalApi.JobStarted.class, api.api("POST", "/api/v1/scrape", scrape), 200).job_id();
        // A reader with a tiny receive window that reads nothing until the job has ended.
        // Best effort: the assertions on the events say what is missing.
        List<Sse> events = Sse.read(api.base() + "/api/v1/jobs/" + id + "/events", KEY,
                () -> Await.holdsWithin(Duration.ofMinutes(5), Duration.ofMillis(200), () -> {
                    String state = daemon.client().request(Addresses.JOBS_GET, new JsonObject().put("id", id))
                            .getJsonObject("job").getString("state");
                    return !state.equals("running") && !state.equals("queued");
                }));
        List<String> names = events.stream().map(Sse::name).toList();
        assertTrue(names.contains("lagged"), "lagged among " + names.size() + " events");
        for (Sse e : events) {
            StrictJson.decode(OriginalApi.EVENTS.get(e.name()), e.data());
            OpenApiCheck.verifyEvent(schemaName(e.name()), e.data());
        }
        OriginalApi.Lagged lagged = StrictJson.decode(OriginalApi.Lagged.class, events.get(names.indexOf("lagged"))
                .data());
        assertTrue(lagged.missed() > 0);
        assertEquals("job_completed", names.getLast());
        assertEquals(151, StrictJson.decode(OriginalApi.JobCompleted.class, events.getLast().data()).stats()
                .orElseThrow().documents_processed());
    }

    static String schemaName(String event) {
        return switch (event) {
            case "job_started" -> "JobStartedEvent";
            case "url_queued" -> "UrlQueuedEvent";
            case "url_fetching" -> "UrlFetchingEvent";
            case "url_indexed" -> "UrlIndexedEvent";
            case "url_failed" -> "UrlFailedEvent";
            case "url_skipped" -> "UrlSkippedEvent";
            case "progress" -> "ProgressEvent";
            case "job_completed" -> "JobCompletedEvent";
            case "lagged" -> "LaggedEvent";
            default -> throw new AssertionError("unknown event " + event);
        };
    }

    /** One server-sent event. */
    record Sse(String name, String data) {
        static List<Sse> parse(String text) {
            List<Sse> out = new ArrayList<>();
            String name = "message";
            StringBuilder data = new StringBuilder();
            for (String line : text.split("\n", -1)) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        out.add(new Sse(name, data.toString()));
                    }
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).strip());
                }
            }
            return out;
        }

        interface Pause {
            void run() throws Exception;
        }

        /**
         * Reads a whole event stream over a raw socket (so the test controls the receive window): the request, then,
         * after {@code beforeReading} returns, everything until the server ends the stream.
         */
        static List<Sse> read(String url, String key, Pause beforeReading) throws Exception {
            java.net.URI uri = java.net.URI.create(url);
            try (Socket socket = new Socket()) {
                if (beforeReading != null) {
                    socket.setReceiveBufferSize(2048);
                }
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
                socket.setSoTimeout(300_000);
                socket.getOutputStream().write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":"
                        + uri.getPort() + "\r\nAuthorization: Bearer " + key + "\r\nAccept: text/event-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                if (beforeReading != null) {
                    beforeReading.run();
                }
                InputStream in = socket.getInputStream();
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                String status = reader.readLine();
                assertTrue(status.startsWith("HTTP/1.1 200"), status);
                boolean chunked = false;
                for (String h = reader.readLine(); h != null && !h.isEmpty(); h = reader.readLine()) {
                    String lower = h.toLowerCase(java.util.Locale.ROOT);
                    chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
                    if (lower.startsWith("content-type:")) {
                        assertTrue(lower.contains("text/event-stream"), h);
                    }
                }
                assertTrue(chunked, "a chunked stream");
                StringBuilder body = new StringBuilder();
                while (true) {
                    String size = reader.readLine();
                    assertNotNull(size, "stream cut before its last chunk");
                    int n = Integer.parseInt(size.strip(), 16);
                    if (n == 0) {
                        break;
                    }
                    char[] buf = new char[n];
                    int read = 0;
                    while (read < n) {
                        int r = reader.read(buf, read, n - read);
                        if (r < 0) {
                            throw new java.io.EOFException("stream cut in a chunk");
                        }
                        read += r;
                    }
                    body.append(buf);
                    reader.readLine();
                }
                return parse(body.toString());
            }
        }
    }
}
