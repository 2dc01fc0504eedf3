package org.dindex.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * An OpenAI-compatible embedding service on loopback ({@code POST /v1/embeddings}) that answers each request after a
 * fixed delay, whatever else it is answering: it stands in for remote GPUs, one per member, so that a cluster
 * benchmark on two cores measures how ingest spreads over members rather than how two cores share local inference.
 * Vectors are pseudo-random unit vectors seeded by the text, so equal texts get equal vectors.
 */
final class DelayedEmbeddingServer implements AutoCloseable {
    static final String MODEL = "bench-delayed";

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final int dimensions;
    private volatile long delayMillis;

    DelayedEmbeddingServer(int dimensions, long delayMillis) {
        this.dimensions = dimensions;
        this.delayMillis = delayMillis;
        this.server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            JsonArray input = new JsonObject(body).getJsonArray("input");
            JsonArray data = new JsonArray();
            for (int i = 0; i < input.size(); i++) {
                data.add(new JsonObject().put("object", "embedding").put("index", i)
                        .put("embedding", vector(input.getString(i))));
            }
            String reply = new JsonObject().put("object", "list").put("model", MODEL).put("data", data).encode();
            Runnable answer = () -> req.response().putHeader("content-type", "application/json").end(reply);
            long delay = this.delayMillis;
            if (delay > 0) {
                vertx.setTimer(delay, t -> answer.run());
            } else {
                answer.run();
            }
        })).listen(0, "127.0.0.1").await();
    }

    /** The base URL to configure as {@code embedding.http.url}. */
    String url() {
        return "http://127.0.0.1:" + server.actualPort() + "/v1";
    }

    void delay(long millis) {
        this.delayMillis = millis;
    }

    private JsonArray vector(String text) {
        CRC32C crc = new CRC32C();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        Random random = new Random(crc.getValue());
        double[] v = new double[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            v[i] = random.nextGaussian();
            norm += v[i] * v[i];
        }
        JsonArray out = new JsonArray();
        for (double x : v) {
            out.add((float) (x / Math.sqrt(norm)));
        }
        return out;
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
