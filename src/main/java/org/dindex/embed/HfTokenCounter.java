package org.dindex.embed;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A {@link TokenCounter} over a HuggingFace {@code tokenizer.json} (DJL's native tokenizer, bundled, offline). */
public final class HfTokenCounter implements TokenCounter, AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;

    public HfTokenCounter(byte[] tokenizerJson) throws IOException {
        this.tokenizer = Tokenizers.fromJson(tokenizerJson, Map.of(
                "truncation", "false", "padding", "false", "addSpecialTokens", "false"));
    }

    /** The tokenizer of a catalogued model, from the class path. */
    public static HfTokenCounter forModel(ModelSpec spec) throws IOException {
        try (InputStream in = HfTokenCounter.class.getResourceAsStream("/" + spec.resourceBase() + "-tokenizer.json")) {
            if (in == null) {
                throw new IOException("tokenizer of " + spec.name() + " is not bundled");
            }
            return new HfTokenCounter(in.readAllBytes());
        }
    }

    @Override
    public int count(String text) {
        return tokenizer.encode(text).getIds().length;
    }

    @Override
    public List<Integer> tokenEnds(String text) {
        CharSpan[] spans = tokenizer.encode(text).getCharTokenSpans();
        List<Integer> ends = new ArrayList<>(spans.length);
        for (CharSpan span : spans) {
            if (span != null) {
                ends.add(span.getEnd());
            }
        }
        return ends;
    }

    @Override
    public int specialTokens() {
        return 2;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
