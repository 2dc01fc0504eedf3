package org.dindex.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Contract tests of the HTTP API against a real daemon (real model and index) over real HTTP on loopback: every route's
 * success, API keys (missing, wrong, Bearer, bare, X-API-Key), and each bad input with its status and JSON error.
 */
@Timeout(300)
class HttpApiTest {
    static final String KEY = "s3cret-key-1";
    static EmbeddedDaemon daemon;
    static String base;
    static Path importRoot;
    static ApiClient client;

    @BeforeAll
    static void start() throws Exception {
        importRoot = Files.createTempDirectory("dindex-import-root");
        daemon = EmbeddedDaemon.start(Map.of("http.api_keys", KEY + ",other-key", "http.max_body_bytes", 4096,
                "http.cors_origins", "http://app.example", "http.import_roots", importRoot.toString()), List.of());
        base = daemon.client().request(Addresses.STATUS, new JsonObject()).getJsonObject("http").getString("url");
        client = new ApiClient(base, KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
        org.dindex.support.TestDirs.deleteTree(importRoot);
    }

    /** A request through {@link ApiClient}, so every response is also checked against the OpenAPI document. */
    static ApiClient.Reply send(String method, String path, String body, String... headers) throws Exception {
        return client.send(method, path, body, headers);
    }

    static ApiClient.Reply api(String method, String path, JsonObject body) throws Exception {
        return client.api(method, path, body);
    }

    static void assertError(ApiClient.Reply r, int status, String code, String messagePart) {
        assertEquals(status, r.status(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.body());
        JsonObject json = r.json();
        assertEquals(code, json.getString("code"), r.body());
        assertTrue(json.getString("message").contains(messagePart), r.body());
        assertFalse(r.body().contains("\tat "), "no stack trace: " + r.body());
    }

    @Test
    void healthNeedsNoKeyEverythingElseDoes() throws Exception {
        assertEquals(200, send("GET", "/api/v1/health", null).status());
        assertEquals("running", send("GET", "/api/v1/health/ready", null).json().getString("status"));
        assertEquals(200, send("GET", "/api/v1/health/live", null).status());

        assertError(send("GET", "/api/v1/status", null), 401, "unauthorized", "API key is required");
        assertError(send("GET", "/api/v1/status", null, "Authorization", "Bearer wrong"), 401, "unauthorized",
                "not valid");
        assertError(send("GET", "/api/v1/status", null, "Authorization", "Bearer " + KEY + "x"), 401,
                "unauthorized", "not valid");
        ApiClient.Reply bearer = send("GET", "/api/v1/status", null, "Authorization", "Bearer " + KEY);
        assertEquals(200, bearer.status());
        assertEquals("running", bearer.json().getString("state"));
        assertFalse(bearer.body().contains(KEY), "keys are never echoed");
        assertEquals(200, send("GET", "/api/v1/stats", null, "Authorization", KEY).status(), "bare key");
        assertEquals(200, send("GET", "/api/v1/stats", null, "X-API-Key", "other-key").status(), "second key");
        assertError(send("POST", "/api/v1/search", "{\"query\":\"x\"}", "Content-Type", "application/json"), 401,
                "unauthorized", "API key");
        assertError(send("GET", "/api/v1/jobs", null), 401, "unauthorized", "API key");
    }

    static final String[][] ROUTES = {{"GET", "/api/v1/status"}, {"GET", "/api/v1/stats"}, {"POST", "/api/v1/search"},
                {"POST", "/api/v1/context"}, {"POST", "/api/v1/index"}, {"POST", "/api/v1/index/commit"},
                {"POST", "/api/v1/index/clear"}, {"DELETE", "/api/v1/documents"}, {"POST", "/api/v1/scrape"},
                {"POST", "/api/v1/import"}, {"GET", "/api/v1/jobs"}, {"GET", "/api/v1/jobs/import-00000000"},
                {"POST", "/api/v1/jobs/import-00000000/cancel"}, {"GET", "/api/v1/jobs/import-00000000/events"},
                {"POST", "/api/v1/topics"}, {"POST", "/api/v1/cluster"}, {"GET", "/api/v1/cluster/shards"}};

    @Test
    void everyRouteButHealthNeedsTheKey() throws Exception {
        for (String[] r : ROUTES) {
            assertError(send(r[0], r[1], "{}", "Content-Type", "application/json"), 401, "unauthorized", "API key");
            assertError(send(r[0], r[1], "{}", "Content-Type", "application/json", "X-API-Key", "nope"), 401,
                    "unauthorized", "not valid");
        }
    }

    /**
     * The OpenAPI document: served without a key, 3.1, every route of the API in it, every reference resolving, and
     * the check every test response passes through ({@link OpenApiCheck}) able to fail.
     */
    @Test
    void theOpenApiDocumentDescribesTheApi() throws Exception {
        ApiClient.Reply doc = send("GET", "/api/v1/openapi.json", null);
        assertEquals(200, doc.status());
        JsonObject json = doc.json();
        assertEquals("3.1.0", json.getString("openapi"));
        assertEquals(HttpVerticle.openApiDocument().toJsonObject(), json, "the resource, as served");
        JsonObject paths = json.getJsonObject("paths");
        for (String[] r : ROUTES) {
            String template = r[1].replaceAll("import-00000000", "{id}");
            assertNotNull(paths.getJsonObject(template), "documented: " + template);
            assertNotNull(paths.getJsonObject(template).getJsonObject(r[0].toLowerCase(java.util.Locale.ROOT)),
                    "documented: " + r[0] + " " + template);
        }
        List<String> refs = new java.util.ArrayList<>();
        collectRefs(json, refs);
        assertFalse(refs.isEmpty());
        for (String ref : refs) {
            assertFalse(OpenApiCheck.document().at(ref.substring(1)).isMissingNode(), "unresolved " + ref);
        }
        // The check fails on a wrong type, a missing required field, an undocumented route or status.
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> OpenApiCheck.verify("GET",
                "/api/v1/health", 200, "application/json", "{\"healthy\": \"yes\", \"version\": \"1\", \"status\": \"ok\"}"));
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> OpenApiCheck.verify("POST",
                "/api/v1/search", 200, "application/json", "{\"results\": []}"));
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> OpenApiCheck.verify("GET",
                "/api/v1/undocumented", 200, "application/json", "{}"));
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> OpenApiCheck.verify("GET",
                "/api/v1/health", 200, "text/html", "<html>"));
        long before = OpenApiCheck.CHECKED.get();
        api("GET", "/api/v1/stats", null);
        assertEquals(before + 1, OpenApiCheck.CHECKED.get(), "responses are checked");
    }

    private static void collectRefs(Object node, List<String> refs) {
        if (node instanceof JsonObject o) {
            o.forEach(e -> {
                if (e.getKey().equals("$ref") && e.getValue() instanceof String s) {
                    refs.add(s);
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node instanceof JsonArray a) {
            a.forEach(v -> collectRefs(v, refs));
        }
    }

    @Test
    void clearNeedsConfirmationThenEmptiesTheIndex() throws Exception {
        api("POST", "/api/v1/index", new JsonObject().put("documents", new JsonArray().add(new JsonObject()
                .put("url", "https://x.example/clear-me").put("content", "Temporary text to be cleared."))));
        assertError(api("POST", "/api/v1/index/clear", new JsonObject().put("confirm", "yes")), 400, "bad_request",
                "confirm");
        ApiClient.Reply cleared = api("POST", "/api/v1/index/clear", new JsonObject().put("confirm", true));
        assertEquals(200, cleared.status(), cleared.body());
        assertEquals(0, api("GET", "/api/v1/stats", null).json().getInteger("documents"));
    }

    @Test
    void indexSearchReplaceDeleteThroughHttp() throws Exception {
        JsonObject docs = new JsonObject().put("documents", new JsonArray()
                .add(new JsonObject().put("url", "https://docs.example/tides").put("title", "Tides")
                        .put("content", "Ocean tides are caused by the gravitational pull of the moon and the sun"
                                + " on the rotating earth.").put("metadata", new JsonObject().put("topic", "sea")))
                .add(new JsonObject().put("url", "https://docs.example/volcano").put("title", "Volcanoes")
                        .put("content", "Volcanoes erupt when magma rises through cracks in the crust.")));
        ApiClient.Reply indexed = api("POST", "/api/v1/index", docs);
        assertEquals(200, indexed.status(), indexed.body());
        assertEquals(2, indexed.json().getInteger("indexed"), indexed.body());
        assertTrue(indexed.json().getBoolean("searchable"));

        ApiClient.Reply search = api("POST", "/api/v1/search", new JsonObject().put("query", "what causes ocean tides")
                .put("top_k", 2));
        assertEquals(200, search.status(), search.body());
        JsonObject top = search.json().getJsonArray("results").getJsonObject(0);
        assertEquals("https://docs.example/tides", top.getString("url"));
        assertEquals("sea", top.getJsonObject("metadata").getString("topic"));
        assertEquals(1, search.json().getJsonArray("citations").getJsonObject(0).getInteger("number"));

        assertEquals(2, api("POST", "/api/v1/index", docs).json().getInteger("unchanged"), "same content again");
        docs.getJsonArray("documents").getJsonObject(0).put("content", "Tides rise twice a day on most coasts.");
        ApiClient.Reply replaced = api("POST", "/api/v1/index", docs);
        assertEquals(1, replaced.json().getInteger("replaced"), replaced.body());

        ApiClient.Reply context = api("POST", "/api/v1/context", new JsonObject().put("query", "magma").put("budget", 200));
        assertEquals(200, context.status(), context.body());
        assertTrue(context.body().contains("magma"), context.body());

        ApiClient.Reply deleted = api("DELETE", "/api/v1/documents", new JsonObject().put("urls",
                new JsonArray().add("https://docs.example/volcano")));
        assertEquals(200, deleted.status(), deleted.body());
        assertEquals(1, deleted.json().getInteger("deleted_documents"));
        assertEquals(200, api("POST", "/api/v1/index/commit", null).status());
        ApiClient.Reply after = api("POST", "/api/v1/search", new JsonObject().put("query", "magma crust eruption"));
        assertFalse(after.body().contains("docs.example/volcano"), after.body());
    }

    @Test
    void badInputGetsSpecificJsonErrors() throws Exception {
        assertError(send("POST", "/api/v1/search", "{\"query\": ", "Authorization", KEY, "Content-Type",
                "application/json"), 400, "bad_request", "not valid JSON");
        assertError(send("POST", "/api/v1/search", "query=x", "Authorization", KEY, "Content-Type",
                "application/x-www-form-urlencoded"), 415, "unsupported_media_type", "application/json");
        assertError(send("POST", "/api/v1/search", "[1,2]", "Authorization", KEY, "Content-Type",
                "application/json"), 400, "bad_request", "JSON object");
        assertError(api("POST", "/api/v1/search", new JsonObject().put("query", "")), 400, "bad_request", "query");
        assertError(api("POST", "/api/v1/search", new JsonObject().put("query", "x").put("top_k", 0)), 400,
                "bad_request", "top_k");
        assertError(api("POST", "/api/v1/index", new JsonObject()), 400, "bad_request", "'documents'");
        assertError(api("POST", "/api/v1/index", new JsonObject().put("documents", new JsonArray()
                .add(new JsonObject().put("title", "no content")))), 400, "bad_request", "'content'");
        String big = new JsonObject().put("query", "x".repeat(5000)).encode();
        assertError(send("POST", "/api/v1/search", big, "Authorization", KEY, "Content-Type", "application/json"),
                413, "too_large", "4096 bytes");
        assertError(api("GET", "/api/v1/jobs/scrape-00000000", null), 404, "not_found", "no job");
        assertError(api("GET", "/api/v1/jobs/scrape-00000000/events", null), 404, "not_found", "no job");
        assertError(api("GET", "/api/v1/jobs/nope/events", null), 400, "bad_request", "invalid job id");
        assertError(api("GET", "/api/v1/jobs/..%2F..%2Fetc", null), 400, "bad_request", "invalid job id");
        assertError(api("POST", "/api/v1/jobs/nope/cancel", null), 400, "bad_request", "invalid job id");
        assertError(api("GET", "/api/v1/nothing-here", null), 404, "not_found", "no route");
        assertError(api("POST", "/api/v1/index/clear", new JsonObject()), 400, "bad_request", "confirm");
        assertError(api("POST", "/api/v1/scrape", new JsonObject().put("urls", new JsonArray().add("file:///etc"))),
                400, "bad_request", "http(s)");
        assertError(api("DELETE", "/api/v1/documents", new JsonObject()), 400, "bad_request", "document_ids");
    }

    /** A field of the wrong JSON type is a bad request naming the field and the type sent, and changes nothing. */
    @Test
    void fieldsOfTheWrongTypeAreRefusedAndTheIndexIsIntact() throws Exception {
        JsonObject doc = new JsonObject().put("url", "https://docs.example/typed").put("content", "Harbour seals rest"
                + " on sandbanks at low tide.");
        assertEquals(200, api("POST", "/api/v1/index", new JsonObject().put("documents", new JsonArray().add(doc)))
                .status());
        long before = api("GET", "/api/v1/stats", null).json().getLong("documents");
        JsonObject badTitle = doc.copy().put("url", "https://docs.example/t2").put("title", new JsonObject()
                .put("a", 1));
        JsonObject badTime = doc.copy().put("url", "https://docs.example/t3").put("timestamp", "garbage");
        // A batch answers per document: each bad one fails with its reason, the good ones are indexed.
        ApiClient.Reply batch = api("POST", "/api/v1/index", new JsonObject().put("documents", new JsonArray().add(badTitle)
                .add(badTime)));
        assertEquals(200, batch.status(), batch.body());
        JsonArray results = batch.json().getJsonArray("results");
        assertEquals(2, batch.json().getInteger("failed"), batch.body());
        assertEquals("'title' of https://docs.example/t2 must be a string, got an object",
                results.getJsonObject(0).getString("error"));
        assertEquals("'timestamp' of https://docs.example/t3 must be epoch milliseconds or an ISO-8601 instant, got"
                + " the string \"garbage\"", results.getJsonObject(1).getString("error"));
        assertError(api("POST", "/api/v1/search", new JsonObject().put("query", "seals").put("explain", "yes")), 400,
                "bad_request", "explain must be true or false, got the string \"yes\"");
        assertError(api("POST", "/api/v1/search", new JsonObject().put("query", "seals").put("top_k", "5")), 400,
                "bad_request", "top_k must be an integer between 1 and 1000, got the string \"5\"");
        assertError(api("POST", "/api/v1/search", new JsonObject().put("query", "seals").put("mode", 1)), 400,
                "bad_request", "mode must be hybrid, dense or bm25, got the number 1");
        assertError(api("DELETE", "/api/v1/documents", new JsonObject().put("document_ids", new JsonArray()
                        .add("nothing")).put("urls", new JsonArray().add("https://docs.example/typed"))), 400,
                "bad_request", "give exactly one of 'document_ids'");
        assertError(api("DELETE", "/api/v1/documents", new JsonObject().put("urls", "https://docs.example/typed")),
                400, "bad_request", "'urls' must be a non-empty array of non-empty strings, got the string");
        assertEquals(before, api("GET", "/api/v1/stats", null).json().getLong("documents"), "nothing changed");
        JsonObject isoTime = doc.copy().put("url", "https://docs.example/t4").put("timestamp", "2026-01-02T03:04:05Z");
        assertEquals(200, api("POST", "/api/v1/index", new JsonObject().put("documents", new JsonArray()
                .add(isoTime))).status(), "an ISO-8601 timestamp is fine");
    }

    @Test
    void importIsConfinedToTheImportRoots() throws Exception {
        Path inside = Files.writeString(importRoot.resolve("notes.jsonl"),
                "{\"id\": \"n1\", \"title\": \"Bees\", \"text\": \"Honey bees dance to tell the hive where flowers"
                        + " are.\"}\n");
        Path outside = Files.writeString(daemon.root.resolve("outside.jsonl"), "{\"id\":\"x\",\"text\":\"secret\"}\n");
        assertError(api("POST", "/api/v1/import", new JsonObject().put("path", outside.toString())), 403,
                "access_denied", "outside the import roots");
        assertError(api("POST", "/api/v1/import", new JsonObject().put("path", importRoot + "/../../etc/passwd")),
                403, "access_denied", "outside the import roots");
        Path link = importRoot.resolve("escape.jsonl");
        Files.createSymbolicLink(link, outside);
        assertError(api("POST", "/api/v1/import", new JsonObject().put("path", link.toString())), 403,
                "access_denied", "outside the import roots");
        assertError(api("POST", "/api/v1/import", new JsonObject().put("path", importRoot.resolve("none.xml")
                .toString())), 404, "not_found", "no such file");

        ApiClient.Reply started = api("POST", "/api/v1/import", new JsonObject().put("path", "notes.jsonl"));
        assertEquals(202, started.status(), started.body());
        String id = started.json().getJsonObject("job").getString("id");
        assertEquals(id, started.json().getString("job_id"));
        // Server-sent events in the original's vocabulary: started, progress, completed (and the stream ends).
        ApiClient.Reply events = send("GET", "/api/v1/jobs/" + id + "/events", null, "Authorization", KEY);
        assertEquals(200, events.status());
        assertTrue(events.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<OriginalContractTest.Sse> stream = OriginalContractTest.Sse.parse(events.body());
        assertEquals("job_started", stream.getFirst().name(), events.body());
        JsonObject jobStarted = new JsonObject(stream.getFirst().data());
        assertEquals(new JsonArray().add(inside.toRealPath().toString()), jobStarted.getJsonArray("seed_urls"));
        assertEquals("job_completed", stream.getLast().name(), events.body());
        JsonObject completed = new JsonObject(stream.getLast().data());
        assertEquals("completed", completed.getString("status"));
        assertEquals(1, completed.getJsonObject("stats").getInteger("documents_processed"));
        for (OriginalContractTest.Sse e : stream) {
            OpenApiCheck.verifyEvent(OriginalContractTest.schemaName(e.name()), e.data());
        }
        assertTrue(stream.stream().anyMatch(e -> e.name().equals("progress")), events.body());
        JsonObject job = api("GET", "/api/v1/jobs/" + id, null).json().getJsonObject("job");
        assertEquals("completed", job.getString("state"));
        assertEquals(1, job.getJsonObject("counters").getInteger("imported"));
        assertError(api("POST", "/api/v1/jobs/" + id + "/cancel", null), 409, "conflict", "already ended");
        JsonArray jobs = api("GET", "/api/v1/jobs", null).json().getJsonArray("jobs");
        assertTrue(jobs.stream().anyMatch(o -> ((JsonObject) o).getString("id").equals(id)));
    }

    @Test
    void aLoneDaemonHoldsEveryCollectionWholeWithoutShards() throws Exception {
        JsonObject shards = api("GET", "/api/v1/cluster/shards", null).json();
        assertEquals(false, shards.getBoolean("enabled"), shards.encode());
        assertEquals("green", shards.getString("health"));
        assertEquals(0, shards.getJsonArray("collections").size());
    }

    @Test
    void clusterGroupsDocumentsByTopic() throws Exception {
        JsonArray docs = new JsonArray();
        String[] sea = {"Coral reefs grow in warm shallow ocean water and shelter many fish.",
                "Whales migrate across the ocean to feed in cold polar seas.",
                "Sea turtles lay their eggs on sandy ocean beaches."};
        String[] code = {"A compiler translates program source code into machine instructions.",
                "Garbage collection frees memory that a program no longer uses.",
                "A debugger lets a programmer step through code line by line."};
        for (int i = 0; i < 3; i++) {
            docs.add(new JsonObject().put("url", "https://c.example/sea" + i).put("title", "Ocean " + i)
                    .put("content", sea[i]));
            docs.add(new JsonObject().put("url", "https://c.example/code" + i).put("title", "Programming " + i)
                    .put("content", code[i]));
        }
        assertEquals(200, api("POST", "/api/v1/index", new JsonObject().put("documents", docs)).status());
        JsonArray urls = new JsonArray();
        docs.forEach(d -> urls.add(((JsonObject) d).getString("url")));
        urls.add("https://c.example/not-indexed");
        ApiClient.Reply r = api("POST", "/api/v1/cluster", new JsonObject().put("urls", urls).put("k", 2));
        assertEquals(200, r.status(), r.body());
        JsonArray clusters = r.json().getJsonArray("clusters");
        assertEquals(2, clusters.size(), r.body());
        for (Object o : clusters) {
            JsonObject c = (JsonObject) o;
            assertEquals(3, c.getInteger("size"), r.body());
            long seaCount = c.getJsonArray("documents").stream()
                    .filter(d -> ((JsonObject) d).getString("url").contains("/sea")).count();
            assertTrue(seaCount == 0 || seaCount == 3, "topics not mixed: " + r.body());
            assertFalse(c.getString("label").isBlank());
        }
        assertEquals(new JsonArray().add("https://c.example/not-indexed"), r.json().getJsonArray("missing"));
        ApiClient.Reply topics = api("POST", "/api/v1/topics", new JsonObject().put("urls", urls).put("k", 2));
        assertEquals(200, topics.status(), topics.body());
        assertEquals(r.json().getJsonArray("clusters").size(), topics.json().getJsonArray("clusters").size(),
                "/topics and its first name /cluster answer alike: " + topics.body());
    }

    @Test
    void metricsCorsAndStaticFiles() throws Exception {
        api("POST", "/api/v1/index", new JsonObject().put("documents", new JsonArray().add(new JsonObject()
                .put("url", "https://m.example/a").put("content", "Metrics are numbers about the daemon."))));
        api("POST", "/api/v1/search", new JsonObject().put("query", "numbers about the daemon").put("mode", "bm25"));
        try (var c = daemon.client()) {
            c.writeRaw("{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            c.readFrame(Duration.ofSeconds(5));
        }
        ApiClient.Reply metrics = send("GET", "/metrics", null);
        assertEquals(200, metrics.status());
        String text = metrics.body();
        for (String expected : List.of("dindex_http_requests_seconds_count{method=\"POST\",route=\"/api/v1/search\","
                        + "status=\"200\"}", "dindex_search_seconds_bucket{mode=\"bm25\",outcome=\"ok\",le=\"0.01\"}",
                "dindex_commit_seconds_count", "dindex_embedding_batch_seconds_count", "dindex_embedding_queue ",
                "dindex_embedding_passages_total", "dindex_documents_total{status=\"indexed\"}",
                "dindex_chunks_indexed_total", "dindex_wal_size_bytes", "dindex_jobs{state=\"running\"}",
                "dindex_bridge_connections", "dindex_bridge_frames_total", "dindex_bridge_errors_total{kind=",
                "dindex_vectors_memory_bytes", "dindex_index_chunks ", "jvm_memory_used_bytes", "process_cpu_usage")) {
            assertTrue(text.contains(expected), "metrics lack " + expected + "\n" + text);
        }

        ApiClient.Reply preflight = send("OPTIONS", "/api/v1/documents", null, "Origin", "http://app.example",
                "Access-Control-Request-Method", "DELETE");
        assertEquals("http://app.example", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("DELETE"));
        ApiClient.Reply foreign = send("OPTIONS", "/api/v1/documents", null, "Origin", "http://evil.example",
                "Access-Control-Request-Method", "DELETE");
        assertTrue(foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), foreign.toString());

        ApiClient.Reply page = send("GET", "/", null);
        assertEquals(200, page.status());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertNotNull(page.headers().firstValue("Content-Security-Policy").orElse(null));
        assertEquals(404, send("GET", "/.hidden", null).status());
        assertEquals(404, send("GET", "/../pom.xml", null).status());
    }
}
