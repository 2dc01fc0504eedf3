package org.dindex.embed;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real bundled model (quantized MiniLM), loaded from the class path with no network. */
class OnnxEmbedderTest {
    static OnnxEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = OnnxEmbedder.load(ModelCatalog.byName("all-minilm-l6-v2-q").orElseThrow(), 2);
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void vectorsAreUnitLengthWithTheModelsDimensions() {
        List<float[]> vs = embedder.embedPassages(List.of("The cat sat on the mat.", "Stock markets fell sharply."));
        assertEquals(2, vs.size());
        for (float[] v : vs) {
            assertEquals(384, v.length);
            assertEquals(1.0, Math.sqrt(dot(v, v)), 1e-4);
        }
    }

    @Test
    void similarMeaningScoresHigherThanUnrelatedText() {
        float[] q = embedder.embedQuery("a kitten resting on a rug");
        List<float[]> ps = embedder.embedPassages(List.of("The cat sat on the mat.",
                "Quarterly earnings of the bank exceeded expectations."));
        double related = dot(q, ps.get(0));
        double unrelated = dot(q, ps.get(1));
        assertTrue(related > unrelated + 0.2, related + " vs " + unrelated);
    }

    @Test
    void batchingDoesNotChangeVectorsBeyondQuantizationNoise() {
        String text = "Parliament adopted the resolution on fisheries policy.";
        float[] alone = embedder.embedPassages(List.of(text)).getFirst();
        float[] batched = embedder.embedPassages(List.of("short", text, "a much longer sentence about something"
                + " entirely different, to force padding in the batch")).get(1);
        assertTrue(dot(alone, batched) > 0.98, "cosine " + dot(alone, batched));
    }

    @Test
    void tokenizerCountsAndBoundariesAgree() {
        String text = "Tokenization splits unbelievable words into pieces.";
        List<Integer> ends = embedder.tokenizer().tokenEnds(text);
        assertEquals(embedder.tokenizer().count(text), ends.size());
        assertEquals(text.length(), ends.getLast(), "the last token ends (exclusive) at the end of the text");
    }

    @Test
    void badVectorsAreRefused() {
        assertThrows(EmbeddingException.class, () -> Embedder.checked(new float[384], 384));
        float[] nan = new float[384];
        nan[3] = Float.NaN;
        assertThrows(EmbeddingException.class, () -> Embedder.checked(nan, 384));
        assertThrows(EmbeddingException.class, () -> Embedder.checked(new float[10], 384));
    }
}
