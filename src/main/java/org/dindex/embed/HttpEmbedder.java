package org.dindex.embed;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * The optional backend: an OpenAI-compatible embedding service ({@code POST <url>/embeddings} with
 * {@code {"model", "input": [...]}}, answering {@code {"data": [{"index", "embedding"}]}}). Retries 429 and 5xx with
 * exponential backoff (honouring {@code Retry-After}), checks the dimension of every vector, and L2-normalises them
 * (dindex scores by dot product).
 *
 * <p>Why the JDK's {@link HttpClient} and not Vert.x's WebClient: {@link Embedder} is a blocking interface that the
 * daemon calls only from its embedding worker, and the JDK client needs no extra dependency. Chunking still needs a
 * tokenizer; the service has none we can call locally, so chunks are measured with the bundled MiniLM tokenizer.
 */
public final class HttpEmbedder implements Embedder {
    /** Settings of the service. */
    public record Options(URI url, String model, String apiKey, int dimensions, int maxRetries, Duration timeout) {
    }

    private final Options options;
    private final HttpClient client;
    private final TokenCounter tokenizer;
    private final LongAdder retries = new LongAdder();

    public HttpEmbedder(Options options, TokenCounter tokenizer) {
        this.options = options;
        this.tokenizer = tokenizer;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public String modelName() {
        return modelName(options.model());
    }

    /**
     * The name an index records for vectors from {@code model} served over HTTP: prefixed, so that it never equals
     * a bundled model's name (same name, different weights would mix incompatible vectors).
     */
    public static String modelName(String model) {
        return "http:" + model;
    }

    @Override
    public int dimensions() {
        return options.dimensions();
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        return texts.isEmpty() ? List.of() : call(texts);
    }

    @Override
    public float[] embedQuery(String text) {
        return call(List.of(text)).getFirst();
    }

    @Override
    public TokenCounter tokenizer() {
        return tokenizer;
    }

    /** Retries made since start (429 and 5xx answers, connection failures). */
    public long retries() {
        return retries.sum();
    }

    private List<float[]> call(List<String> texts) {
        JsonObject body = new JsonObject().put("model", options.model()).put("input", new JsonArray(texts));
        HttpRequest.Builder request = HttpRequest.newBuilder(options.url().resolve(
                        options.url().getPath().endsWith("/") ? "embeddings" : options.url().getPath() + "/embeddings"))
                .timeout(options.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
        if (!options.apiKey().isEmpty()) {
            request.header("Authorization", "Bearer " + options.apiKey());
        }
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                if (attempt < options.maxRetries()) {
                    backoff(attempt, Optional.empty());
                    continue;
                }
                throw new EmbeddingException("embedding service " + options.url() + " unreachable after "
                        + (attempt + 1) + " attempts: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new EmbeddingException("interrupted while calling the embedding service");
            }
            int status = response.statusCode();
            if (status == 200) {
                return parse(response.body(), texts.size());
            }
            if ((status == 429 || status >= 500) && attempt < options.maxRetries()) {
                backoff(attempt, response.headers().firstValue("Retry-After"));
                continue;
            }
            throw new EmbeddingException("embedding service answered HTTP " + status + ": "
                    + abbreviate(response.body()));
        }
    }

    private List<float[]> parse(String body, int expected) {
        JsonArray data;
        try {
            data = new JsonObject(body).getJsonArray("data");
        } catch (DecodeException | ClassCastException e) {
            throw new EmbeddingException("embedding service sent a reply that is not the OpenAI shape: "
                    + abbreviate(body));
        }
        if (data == null || data.size() != expected) {
            throw new EmbeddingException("embedding service returned " + (data == null ? 0 : data.size())
                    + " embeddings for " + expected + " inputs");
        }
        float[][] vectors = new float[expected][];
        for (int i = 0; i < expected; i++) {
            JsonObject item = data.getJsonObject(i);
            int index = item.getInteger("index", i);
            JsonArray values = item.getJsonArray("embedding");
            if (values.size() != options.dimensions()) {
                throw new EmbeddingException("embedding service returned " + values.size()
                        + " dimensions but the index uses " + options.dimensions()
                        + " (embedding.http.dimensions); the index was not changed");
            }
            float[] v = new float[values.size()];
            for (int d = 0; d < v.length; d++) {
                v[d] = values.getNumber(d).floatValue();
            }
            vectors[index] = Embedder.checked(Embedder.normalize(Embedder.checked(v, options.dimensions())),
                    options.dimensions());
        }
        List<float[]> out = new ArrayList<>(expected);
        for (float[] v : vectors) {
            out.add(v);
        }
        return out;
    }

    private void backoff(int attempt, Optional<String> retryAfter) {
        retries.increment();
        long millis = retryAfter.flatMap(HttpEmbedder::seconds).map(s -> s * 1000)
                .orElse(Math.min(30_000L, 200L << Math.min(attempt, 10)));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EmbeddingException("interrupted while waiting to retry the embedding service");
        }
    }

    private static Optional<Long> seconds(String header) {
        try {
            return Optional.of(Math.min(60L, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String abbreviate(String s) {
        String one = s == null ? "" : s.replaceAll("\\s+", " ");
        return one.length() > 200 ? one.substring(0, 200) + "..." : one;
    }

    @Override
    public void close() {
        client.close();
    }
}
