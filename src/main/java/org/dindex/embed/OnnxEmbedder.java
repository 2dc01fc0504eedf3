package org.dindex.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The embedded default backend: ONNX Runtime runs the model, the DJL HuggingFace tokenizer (native, bundled)
 * tokenizes, both read from the class path, so it works offline on a fresh machine. Pooling and prefixes follow the
 * {@link ModelSpec}; vectors are L2-normalised and checked. Thread-safe: an ORT session may be run concurrently.
 */
public final class OnnxEmbedder implements Embedder {
    private final ModelSpec spec;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final HfTokenCounter counter;
    private final boolean needsTokenTypes;

    private OnnxEmbedder(ModelSpec spec, OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer,
                         HfTokenCounter counter) {
        this.spec = spec;
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
        this.counter = counter;
        this.needsTokenTypes = session.getInputNames().contains("token_type_ids");
    }

    /**
     * Loads a catalogued model from the class path.
     *
     * @param threads intra-op threads for ONNX Runtime (the machine's cores is right when embedding is the
     *                bottleneck)
     */
    public static OnnxEmbedder load(ModelSpec spec, int threads) {
        if (!ModelCatalog.available(spec)) {
            throw new EmbeddingException("model '" + spec.name() + "' is not bundled in this build (bundled: "
                    + String.join(", ", ModelCatalog.ALL.stream().filter(ModelCatalog::available)
                    .map(ModelSpec::name).toList()) + ")");
        }
        try {
            byte[] model = resource(spec.resourceBase() + ".onnx");
            byte[] tokenizerJson = resource(spec.resourceBase() + "-tokenizer.json");
            OnnxRuntimeNatives.prepare();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            // Idle ORT threads spin by default, stealing the cores the rest of the pipeline needs.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            OrtSession session = env.createSession(model, options);
            HuggingFaceTokenizer tokenizer = Tokenizers.fromJson(tokenizerJson,
                    Map.of(
                            "maxLength", String.valueOf(spec.maxSequenceTokens()), "truncation", "true",
                            "padding", "true", "addSpecialTokens", "true"));
            HfTokenCounter counter = new HfTokenCounter(tokenizerJson);
            return new OnnxEmbedder(spec, env, session, tokenizer, counter);
        } catch (OrtException | IOException e) {
            throw new EmbeddingException("cannot load model '" + spec.name() + "': " + e.getMessage(), e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = OnnxEmbedder.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IOException("resource " + name + " not found");
            }
            return in.readAllBytes();
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    @Override
    public String modelName() {
        return spec.name();
    }

    @Override
    public int dimensions() {
        return spec.dimensions();
    }

    @Override
    public List<float[]> embedPassages(List<String> texts) {
        return embed(texts.stream().map(t -> spec.passagePrefix() + t).toList());
    }

    @Override
    public float[] embedQuery(String text) {
        return embed(List.of(spec.queryPrefix() + text)).getFirst();
    }

    @Override
    public TokenCounter tokenizer() {
        return counter;
    }

    private List<float[]> embed(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int batch = encodings.length;
        int length = encodings[0].getIds().length;
        long[][] ids = new long[batch][];
        long[][] mask = new long[batch][];
        long[][] types = new long[batch][];
        for (int i = 0; i < batch; i++) {
            ids[i] = encodings[i].getIds();
            mask[i] = encodings[i].getAttentionMask();
            types[i] = new long[length];
        }
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, ids));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, mask));
            if (needsTokenTypes) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, types));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of(session.getOutputNames().iterator().next()))) {
                float[][][] hidden = (float[][][]) result.get(0).getValue();
                List<float[]> vectors = new ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    float[] v = spec.pooling() == Pooling.CLS ? hidden[i][0].clone() : meanPool(hidden[i], mask[i]);
                    vectors.add(Embedder.checked(Embedder.normalize(v), spec.dimensions()));
                }
                return vectors;
            }
        } catch (OrtException e) {
            throw new EmbeddingException("embedding failed: " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] meanPool(float[][] tokens, long[] mask) {
        float[] sum = new float[tokens[0].length];
        int count = 0;
        for (int t = 0; t < tokens.length; t++) {
            if (mask[t] == 0) {
                continue;
            }
            count++;
            float[] token = tokens[t];
            for (int d = 0; d < sum.length; d++) {
                sum[d] += token[d];
            }
        }
        if (count > 0) {
            for (int d = 0; d < sum.length; d++) {
                sum[d] /= count;
            }
        }
        return sum;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException ignored) {
            // closing anyway
        }
        tokenizer.close();
        counter.close();
    }
}
