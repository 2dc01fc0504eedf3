package org.dindex.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.client.DindexClient;
import org.dindex.support.Await;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /ws} against a real daemon: snapshot then live events, search, Origin and key checks, limits, slow clients. */
@Timeout(300)
class WebSocketTest {
    static final String KEY = "ws-key";
    static EmbeddedDaemon daemon;
    static Vertx vertx;
    static WebSocketClient client;
    static URI base;

    /** A connected test client: every text message lands in a queue. */
    record Conn(WebSocket ws, BlockingQueue<JsonObject> inbox, BlockingQueue<Short> closed) {
        JsonObject next(Predicate<JsonObject> match) throws InterruptedException {
            // The probe itself waits up to 1 s for a message, so no pause between two.
            return Await.value(Duration.ofSeconds(60), Duration.ZERO, "a matching message arrived",
                    () -> inbox.poll(1, TimeUnit.SECONDS), m -> m != null && match.test(m));
        }

        void send(JsonObject frame) throws Exception {
            ws.writeTextMessage(frame.encode()).await(10, TimeUnit.SECONDS);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        daemon = EmbeddedDaemon.start(Map.of("http.api_keys", KEY, "http.ws_max_frame_bytes", 1024,
                "http.ws_origins", "http://trusted.example", "jobs.batch_documents", 2), List.of());
        try (DindexClient c = daemon.client()) {
            base = URI.create(c.request(Addresses.STATUS, new JsonObject()).getJsonObject("http").getString("url"));
        }
        vertx = Vertx.vertx();
        client = vertx.createWebSocketClient();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close().await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
        daemon.close();
    }

    static Conn connect(String origin, String query) throws Exception {
        WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort())
                .setURI("/ws" + (query == null ? "" : query));
        if (origin != null) {
            o.addHeader("Origin", origin);
        }
        BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
        BlockingQueue<Short> closed = new LinkedBlockingQueue<>();
        // Handlers before connecting: the server greets at once.
        io.vertx.core.http.ClientWebSocket ws = client.webSocket();
        ws.textMessageHandler(t -> inbox.add(new JsonObject(t)));
        ws.closeHandler(v -> closed.add(ws.closeStatusCode() == null ? -1 : ws.closeStatusCode()));
        ws.connect(o).await(10, TimeUnit.SECONDS);
        return new Conn(ws, inbox, closed);
    }

    static String sameOrigin() {
        return "http://" + base.getHost() + ":" + base.getPort();
    }

    static Path jsonl(String name, int lines, int badEvery) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            sb.append(badEvery > 0 && i % badEvery == 0 ? "{broken line " + i + "\n"
                    : "{\"id\":\"" + name + i + "\",\"title\":\"Note " + i + "\",\"text\":\"Field note " + i
                    + " about migrating birds resting on the lake shore in autumn.\"}\n");
        }
        return Files.writeString(daemon.root.resolve(name + ".jsonl"), sb);
    }

    static String startImport(Path file) {
        try (DindexClient c = daemon.client()) {
            return c.request(Addresses.IMPORT, new JsonObject().put("path", file.toString())).getJsonObject("job")
                    .getString("id");
        }
    }

    @Test
    void subscribeGetsASnapshotThenLiveEventsToTheEnd() throws Exception {
        Conn c = connect(sameOrigin(), "?api_key=" + KEY);
        assertEquals("hello", c.next(m -> true).getString("type"));
        c.send(new JsonObject().put("type", "subscribe").put("id", "s1"));
        JsonObject snapshot = c.next(m -> m.getString("type").equals("snapshot"));
        assertEquals("s1", snapshot.getString("id"));
        assertNotNull(snapshot.getJsonArray("jobs"));

        String id = startImport(jsonl("birds", 40, 0));
        JsonObject last = c.next(m -> m.getString("type").equals("job")
                && m.getJsonObject("job").getString("id").equals(id)
                && m.getJsonObject("job").getString("state").equals("completed"));
        assertEquals(40, last.getJsonObject("job").getJsonObject("counters").getInteger("imported"));

        // One job, with its recent item events in the snapshot.
        c.send(new JsonObject().put("type", "subscribe").put("job", id).put("id", "s2"));
        JsonObject one = c.next(m -> "s2".equals(m.getString("id")));
        assertEquals("snapshot", one.getString("type"), one.encode());
        assertEquals(id, one.getJsonObject("job").getString("id"));

        c.send(new JsonObject().put("type", "search").put("id", "q1").put("request", new JsonObject()
                .put("query", "birds resting by the lake").put("top_k", 3)));
        JsonObject result = c.next(m -> "q1".equals(m.getString("id")));
        assertEquals("search_result", result.getString("type"), result.encode());
        assertEquals(3, result.getJsonObject("result").getJsonArray("results").size());
        c.ws().close().await(10, TimeUnit.SECONDS);
    }

    /**
     * {@code "scope": "metrics"}: the history (here larger than the 1 KB frame limit, so the server fragments it),
     * then a sample every 5 s read from the daemon's meters: an import shows as ingest, a search as latency.
     */
    @Test
    void metricsHistoryThenLiveSamples() throws Exception {
        Conn c = connect(sameOrigin(), "?api_key=" + KEY);
        c.next(m -> m.getString("type").equals("hello"));
        c.send(new JsonObject().put("type", "subscribe").put("scope", "weather").put("id", "w"));
        JsonObject bad = c.next(m -> "w".equals(m.getString("id")));
        assertEquals("bad_request", bad.getString("code"));
        assertEquals("'scope' must be 'jobs' or 'metrics', got 'weather'", bad.getString("message"));

        c.send(new JsonObject().put("type", "subscribe").put("scope", "metrics").put("id", "m1"));
        JsonObject history = c.next(m -> "m1".equals(m.getString("id")));
        assertEquals("metrics_history", history.getString("type"), history.encode());
        assertEquals(5000L, history.getLong("interval_ms"));
        assertEquals(3_600_000L, history.getLong("window_ms"));
        var samples = history.getJsonArray("samples");
        assertTrue(samples.size() >= 1, "the feed sampled when the server started");
        for (int i = 1; i < samples.size(); i++) {
            assertTrue(samples.getJsonObject(i).getLong("seq") > samples.getJsonObject(i - 1).getLong("seq"));
        }
        long lastSeq = samples.getJsonObject(samples.size() - 1).getLong("seq");

        startImport(jsonl("metered", 60, 0));
        JsonObject ingest = c.next(m -> m.getString("type").equals("metrics")
                && m.getJsonObject("sample").getDouble("ingest_chunks_per_second", 0.0) > 0);
        assertTrue(ingest.getJsonObject("sample").getLong("seq") > lastSeq, ingest.encode());
        JsonObject sample = ingest.getJsonObject("sample");
        assertTrue(sample.containsKey("embedding_queue") && sample.containsKey("chunks"), sample.encode());
        c.send(new JsonObject().put("type", "search").put("id", "q").put("request", new JsonObject()
                .put("query", "metered field notes").put("top_k", 3)));
        c.next(m -> "q".equals(m.getString("id")));
        JsonObject searched = c.next(m -> m.getString("type").equals("metrics")
                && m.getJsonObject("sample").getLong("search_count", 0L) > 0).getJsonObject("sample");
        assertTrue(searched.getDouble("search_p50_ms") > 0, searched.encode());
        assertTrue(searched.getDouble("search_p99_ms") >= searched.getDouble("search_p50_ms"), searched.encode());
        c.next(m -> m.getString("type").equals("metrics")
                && m.getJsonObject("sample").getDouble("chunks", 0.0) >= 60);

        c.send(new JsonObject().put("type", "unsubscribe").put("scope", "metrics").put("id", "u"));
        assertEquals("unsubscribed", c.next(m -> "u".equals(m.getString("id"))).getString("type"));
        c.inbox().clear();
        JsonObject after = c.inbox().poll(6, TimeUnit.SECONDS);
        assertTrue(after == null || !after.getString("type").equals("metrics"), "no samples after unsubscribing");
        c.ws().close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void badFramesGetErrorsAndTheConnectionStays() throws Exception {
        Conn c = connect(null, "?api_key=" + KEY);
        c.next(m -> m.getString("type").equals("hello"));
        c.ws().writeTextMessage("{not json").await(10, TimeUnit.SECONDS);
        JsonObject e1 = c.next(m -> m.getString("type").equals("error"));
        assertEquals("bad_frame", e1.getString("code"));
        c.send(new JsonObject().put("type", "launch"));
        assertTrue(c.next(m -> m.getString("type").equals("error")).getString("message").contains("unknown type"));
        c.send(new JsonObject().put("type", "subscribe").put("job", "../etc").put("id", "bad"));
        assertEquals("bad_request", c.next(m -> "bad".equals(m.getString("id"))).getString("code"));
        c.send(new JsonObject().put("type", "search").put("id", "q").put("request", new JsonObject()
                .put("query", "")));
        assertEquals("bad_request", c.next(m -> "q".equals(m.getString("id"))).getString("code"));
        // Fields of the wrong type are answered, never dropped (a string request, a numeric job or id).
        c.send(new JsonObject().put("type", "search").put("id", "q2").put("request", "str"));
        JsonObject notObject = c.next(m -> "q2".equals(m.getString("id")));
        assertEquals("bad_request", notObject.getString("code"));
        assertEquals("'request' must be a JSON object (the search request), got the string \"str\"",
                notObject.getString("message"));
        c.send(new JsonObject().put("type", "subscribe").put("job", 5).put("id", "j5"));
        JsonObject numericJob = c.next(m -> "j5".equals(m.getString("id")));
        assertEquals("error", numericJob.getString("type"), "not the all-jobs snapshot: " + numericJob.encode());
        assertEquals("'job' must be a job id (a string), got the number 5", numericJob.getString("message"));
        c.send(new JsonObject().put("type", "ping").put("id", 7));
        assertTrue(c.next(m -> m.getString("type").equals("error")).getString("message")
                .startsWith("'id' must be a string, got the number 7"));
        c.send(new JsonObject().put("type", 3));
        assertTrue(c.next(m -> m.getString("type").equals("error")).getString("message")
                .startsWith("'type' must be a string"));
        c.send(new JsonObject().put("type", "ping").put("id", "p"));
        assertEquals("pong", c.next(m -> "p".equals(m.getString("id"))).getString("type"));

        // A message over the limit closes the connection with 1009 (message too big).
        c.ws().writeTextMessage("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(4000) + "\"}");
        Short code = c.closed().poll(10, TimeUnit.SECONDS);
        assertEquals((short) 1009, code);
    }

    /**
     * A message over the limit sent as many small fragments (each well under it) is refused like one big frame: the
     * connection is closed with 1009, not left open and dead.
     */
    @Test
    void aFragmentedMessageOverTheLimitIsClosedWith1009() throws Exception {
        Conn c = connect(null, "?api_key=" + KEY);
        c.next(m -> m.getString("type").equals("hello"));
        String piece = "x".repeat(100);
        c.ws().writeFrame(io.vertx.core.http.WebSocketFrame.textFrame("{\"type\":\"ping\",\"pad\":\"" + piece, false));
        for (int i = 0; i < 70; i++) {
            c.ws().writeFrame(io.vertx.core.http.WebSocketFrame.continuationFrame(
                    io.vertx.core.buffer.Buffer.buffer(piece), false));
        }
        c.ws().writeFrame(io.vertx.core.http.WebSocketFrame.continuationFrame(
                io.vertx.core.buffer.Buffer.buffer("\"}"), true));
        assertEquals((short) 1009, c.closed().poll(10, TimeUnit.SECONDS));
    }

    @Test
    void foreignOriginsAndMissingKeysAreRefused() throws Exception {
        var origin = assertThrows(CompletionException.class, () -> connectUnchecked("http://evil.example",
                "?api_key=" + KEY));
        assertEquals(403, ((UpgradeRejectedException) origin.getCause()).getStatus());
        var noKey = assertThrows(CompletionException.class, () -> connectUnchecked(sameOrigin(), null));
        assertEquals(401, ((UpgradeRejectedException) noKey.getCause()).getStatus());
        var wrongKey = assertThrows(CompletionException.class, () -> connectUnchecked(sameOrigin(), "?api_key=x"));
        assertEquals(401, ((UpgradeRejectedException) wrongKey.getCause()).getStatus());
        Conn trusted = connect("http://trusted.example", "?api_key=" + KEY);
        assertEquals("hello", trusted.next(m -> true).getString("type"));
        trusted.ws().close();
    }

    static void connectUnchecked(String origin, String query) {
        try {
            connect(origin, query);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    @Test
    void aSlowClientDoesNotHoldUpOthersAndGetsTheLatestStateLater() throws Exception {
        Conn slow = connect(sameOrigin(), "?api_key=" + KEY);
        Conn fast = connect(sameOrigin(), "?api_key=" + KEY);
        slow.next(m -> m.getString("type").equals("hello"));
        fast.next(m -> m.getString("type").equals("hello"));
        String id = startImportPaused(slow, fast);
        JsonObject done = fast.next(m -> m.getString("type").equals("job")
                && m.getJsonObject("job").getString("id").equals(id) && JobStateNames.finished(m));
        assertEquals("completed", done.getJsonObject("job").getString("state"));
        try (DindexClient c = daemon.client()) {
            assertEquals("running", c.request(Addresses.STATUS, new JsonObject()).getString("state"));
        }
        slow.ws().resume();
        JsonObject slowDone = slow.next(m -> m.getString("type").equals("job")
                && m.getJsonObject("job").getString("id").equals(id) && JobStateNames.finished(m));
        assertEquals("completed", slowDone.getJsonObject("job").getString("state"));
        slow.ws().close();
        fast.ws().close();
    }

    /** Subscribes both clients to the job's stream, stops reading on the slow one, and starts a noisy import. */
    private static String startImportPaused(Conn slow, Conn fast) throws Exception {
        Path file = jsonl("noisy", 600, 2);
        // Subscribe to all jobs (the job id is not known yet), then pause the slow reader.
        slow.send(new JsonObject().put("type", "subscribe").put("id", "a"));
        fast.send(new JsonObject().put("type", "subscribe").put("id", "a"));
        slow.next(m -> m.getString("type").equals("snapshot"));
        fast.next(m -> m.getString("type").equals("snapshot"));
        slow.ws().pause();
        return startImport(file);
    }

    /** Job-state helpers for matching frames. */
    static final class JobStateNames {
        static boolean finished(JsonObject frame) {
            String s = frame.getJsonObject("job").getString("state");
            return !s.equals("queued") && !s.equals("running");
        }
    }
}
