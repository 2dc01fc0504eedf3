package org.dindex.embed;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batching queue in front of the real model: chunks of mixed lengths are embedded in batches of similar length,
 * and every caller still gets its own vectors back, in its order.
 */
class EmbeddingServiceTest {
    private static Vertx vertx;
    private static OnnxEmbedder model;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        model = OnnxEmbedder.load(ModelCatalog.byName("all-minilm-l6-v2-q").orElseThrow(), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    /** Records the texts of every batch it is handed, and embeds them with the real model. */
    private static final class RecordingEmbedder implements Embedder {
        final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String modelName() {
            return model.modelName();
        }

        @Override
        public int dimensions() {
            return model.dimensions();
        }

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            batches.add(List.copyOf(texts));
            return model.embedPassages(texts);
        }

        @Override
        public float[] embedQuery(String text) {
            return model.embedQuery(text);
        }

        @Override
        public TokenCounter tokenizer() {
            return model.tokenizer();
        }

        @Override
        public void close() {
        }
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    @Test
    void batchesGroupChunksOfSimilarLengthAndEveryCallerGetsItsOwnVectors() throws Exception {
        RecordingEmbedder recording = new RecordingEmbedder();
        EmbeddingService service = new EmbeddingService(vertx, recording, new EmbeddingService.Options(4, 50, 1000));
        // Four callers, each alternating short and long texts: in arrival order every batch would mix both.
        List<List<String>> requests = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                texts.add("short note " + r + "-" + i);
                texts.add(("A much longer passage about tides, currents and the moon's pull on the sea, number " + r
                        + "-" + i + ". ").repeat(6));
            }
            requests.add(texts);
        }
        List<Future<List<float[]>>> replies = requests.stream().map(service::embedPassages).toList();
        List<List<float[]>> vectors = new ArrayList<>();
        for (Future<List<float[]>> reply : replies) {
            vectors.add(reply.await(60, TimeUnit.SECONDS));
        }

        // Each vector is its own text's: nearest to the text embedded alone (batch padding moves the quantized
        // model's output a little, so equality is too strict), among all the texts.
        List<String> all = requests.stream().flatMap(List::stream).toList();
        List<float[]> alone = all.stream().map(t -> model.embedPassages(List.of(t)).getFirst()).toList();
        for (int r = 0; r < requests.size(); r++) {
            assertEquals(requests.get(r).size(), vectors.get(r).size());
            for (int i = 0; i < requests.get(r).size(); i++) {
                float[] got = vectors.get(r).get(i);
                int own = all.indexOf(requests.get(r).get(i));
                double ownSimilarity = dot(alone.get(own), got);
                assertTrue(ownSimilarity > 0.98, "caller " + r + ", text " + i + ": similarity to its own text "
                        + ownSimilarity);
                for (int j = 0; j < all.size(); j++) {
                    assertTrue(j == own || dot(alone.get(j), got) < ownSimilarity, "caller " + r + ", text " + i
                            + " is nearer to another text (" + all.get(j) + ")");
                }
            }
        }
        int mixed = 0;
        for (List<String> batch : recording.batches) {
            assertTrue(batch.size() <= 4, "batch larger than the batch size: " + batch.size());
            boolean shortOnes = batch.stream().anyMatch(t -> t.length() < 40);
            boolean longOnes = batch.stream().anyMatch(t -> t.length() > 200);
            if (shortOnes && longOnes) {
                mixed++;
            }
        }
        assertEquals(32, recording.batches.stream().mapToInt(List::size).sum());
        assertTrue(mixed <= 1, "short and long texts were batched together in " + mixed + " of "
                + recording.batches.size() + " batches: " + recording.batches);
        assertEquals(32, service.passagesEmbedded());
    }
}
