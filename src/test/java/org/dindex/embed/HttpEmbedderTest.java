package org.dindex.embed;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.client.DindexClient;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAI-compatible backend against a real HTTP server on loopback that serves real vectors (computed by the
 * bundled model), with scripted failures.
 */
@Timeout(120)
class HttpEmbedderTest {
    static Vertx vertx;
    static HttpServer server;
    static OnnxEmbedder model;
    static int port;
    static final ConcurrentLinkedQueue<Integer> script = new ConcurrentLinkedQueue<>();
    static final AtomicInteger calls = new AtomicInteger();
    static volatile int dimensionsServed = 384;
    static volatile String lastAuthorization;

    @BeforeAll
    static void start() throws Exception {
        model = OnnxEmbedder.load(ModelCatalog.byName("all-minilm-l6-v2-q").orElseThrow(), 1);
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            calls.incrementAndGet();
            lastAuthorization = req.getHeader("Authorization");
            Integer planned = script.poll();
            if (planned != null && planned != 200) {
                req.response().setStatusCode(planned).putHeader("Retry-After", "0").end("{\"error\":\"busy\"}");
                return;
            }
            JsonArray input = body.toJsonObject().getJsonArray("input");
            vertx.<JsonObject>executeBlocking(() -> {
                List<float[]> vs = model.embedPassages(input.getList());
                JsonArray data = new JsonArray();
                for (int i = 0; i < vs.size(); i++) {
                    JsonArray e = new JsonArray();
                    for (int d = 0; d < dimensionsServed; d++) {
                        e.add(vs.get(i)[d % 384] * 3); // not unit length: the client must normalise
                    }
                    data.add(new JsonObject().put("index", i).put("embedding", e));
                }
                return new JsonObject().put("object", "list").put("data", data);
            }).onSuccess(json -> req.response().putHeader("Content-Type", "application/json").end(json.encode()));
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
        port = server.actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get();
        vertx.close().toCompletionStage().toCompletableFuture().get();
        model.close();
    }

    @BeforeEach
    void reset() {
        script.clear();
        calls.set(0);
        dimensionsServed = 384;
    }

    HttpEmbedder client(int dims, int retries) {
        return new HttpEmbedder(new HttpEmbedder.Options(URI.create("http://127.0.0.1:" + port + "/v1"), "mini",
                "secret-key", dims, retries, Duration.ofSeconds(30)), model.tokenizer());
    }

    @Test
    void vectorsMatchTheModelAfterNormalisation() {
        HttpEmbedder http = client(384, 0);
        float[] remote = http.embedPassages(List.of("The committee approved the budget.")).getFirst();
        float[] local = model.embedPassages(List.of("The committee approved the budget.")).getFirst();
        double dot = 0;
        for (int i = 0; i < 384; i++) {
            dot += remote[i] * local[i];
        }
        assertEquals(1.0, dot, 1e-4);
        assertEquals("Bearer secret-key", lastAuthorization);
        assertEquals("http:mini", http.modelName());
    }

    @Test
    void retriesTooManyRequestsAndServerErrorsThenSucceeds() {
        script.addAll(List.of(429, 503, 500));
        HttpEmbedder http = client(384, 4);
        assertEquals(2, http.embedPassages(List.of("a", "b")).size());
        assertEquals(4, calls.get());
        assertEquals(3, http.retries());
    }

    @Test
    void givesUpAfterTheRetryLimitWithTheStatus() {
        script.addAll(List.of(503, 503, 503));
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> client(384, 1).embedQuery("x"));
        assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
        assertEquals(2, calls.get());
    }

    @Test
    void wrongDimensionsAreRefusedClearly() {
        dimensionsServed = 100;
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> client(384, 0).embedQuery("x"));
        assertTrue(e.getMessage().contains("returned 100 dimensions but the index uses 384"), e.getMessage());
    }

    @Test
    void unreachableServiceIsAClearError() {
        HttpEmbedder http = new HttpEmbedder(new HttpEmbedder.Options(URI.create("http://127.0.0.1:1/v1"), "m", "",
                384, 1, Duration.ofSeconds(5)), model.tokenizer());
        EmbeddingException e = assertThrows(EmbeddingException.class, () -> http.embedQuery("x"));
        assertTrue(e.getMessage().contains("unreachable after 2 attempts"), e.getMessage());
    }

    @Test
    void daemonIndexesThroughTheServiceAndReportsItsFailures() throws Exception {
        try (EmbeddedDaemon daemon = EmbeddedDaemon.start(Map.of("embedding.backend", "http",
                "embedding.model", "mini", "embedding.http.url", "http://127.0.0.1:" + port + "/v1",
                "embedding.http.dimensions", 384, "embedding.http.max_retries", 0), List.of());
             DindexClient c = daemon.client()) {
            JsonObject reply = c.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", new JsonArray()
                    .add(new JsonObject().put("source", "mem://1").put("text", "Fisheries quotas were debated."))));
            assertEquals("indexed", reply.getJsonArray("results").getJsonObject(0).getString("status"));
            c.request(Addresses.COMMIT, new JsonObject());
            JsonObject stats = c.request(Addresses.STATS, new JsonObject());
            assertEquals(1, stats.getInteger("documents"));
            assertEquals("http:mini", stats.getJsonObject("model").getString("name"));

            dimensionsServed = 12;
            DindexException e = assertThrows(DindexException.class, () -> c.request(Addresses.INDEX_SUBMIT,
                    new JsonObject().put("documents", new JsonArray().add(new JsonObject().put("source", "mem://2")
                            .put("text", "Another text.")))));
            assertTrue(e.getMessage().contains("returned 12 dimensions"), e.getMessage());
            assertEquals(1, c.request(Addresses.STATS, new JsonObject()).getInteger("documents"),
                    "the failed write changed nothing");

            // The service fails: searches still answer from BM25, marked degraded.
            script.addAll(List.of(500, 500, 500));
            JsonObject degraded = c.request(Addresses.SEARCH, new JsonObject().put("query", "fisheries quotas"));
            assertEquals(true, degraded.getBoolean("degraded"), degraded.encode());
            assertTrue(degraded.getString("warning").contains("HTTP 500"), degraded.getString("warning"));
            assertEquals("mem://1", degraded.getJsonArray("results").getJsonObject(0).getString("source"));
        }
    }
}
