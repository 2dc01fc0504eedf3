package org.dindex.embed;

import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;
import org.dindex.config.StartupException;
import org.dindex.platform.BackgroundPriority;
import org.dindex.protocol.DindexException;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Loads the embedding model the configuration names ({@code embedding.*}): a model of the catalogue run by ONNX
 * Runtime in the daemon, or an OpenAI-compatible HTTP service. At start failures are {@link StartupException}s with
 * a message for the user; a model a collection names later fails as a bad request.
 */
public final class ModelLoader {
    private static final Logger LOG = Logger.getLogger(ModelLoader.class.getName());

    /** The model an index must have been written with: the name and dimensions the configuration sets. */
    public record Expected(String name, int dimensions) {
    }

    private ModelLoader() {
    }

    /** What the configured model is, known without loading it (so that the index can open beside the load). */
    public static Expected expected(DaemonConfig config) {
        String name = config.getString(Settings.EMBEDDING_MODEL);
        if (http(config)) {
            return new Expected(HttpEmbedder.modelName(name), config.getInt(Settings.HTTP_EMBEDDING_DIMENSIONS));
        }
        ModelSpec spec = catalogued(name);
        return new Expected(spec.name(), spec.dimensions());
    }

    /** The configured model, loaded and warmed up. */
    public static Embedder configured(DaemonConfig config) {
        String name = config.getString(Settings.EMBEDDING_MODEL);
        if (http(config)) {
            return httpEmbedder(config, name);
        }
        ModelSpec spec = catalogued(name);
        try {
            return onnx(spec, config);
        } catch (EmbeddingException e) {
            throw new StartupException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new StartupException("cannot load the embedding model " + spec.name() + ": " + e, e);
        }
    }

    /**
     * A model a collection names that is not the configured one: a model of the catalogue, run by ONNX Runtime in
     * the daemon (an HTTP backend serves only the model the configuration names).
     *
     * @throws DindexException (bad request) when the catalogue or this build has no such model
     */
    public static Embedder named(String name, DaemonConfig config) {
        ModelSpec spec = ModelCatalog.byName(name).orElseThrow(() -> DindexException.badRequest(
                "unknown embedding model '" + name + "' (known: " + String.join(", ", ModelCatalog.names()) + ")"));
        if (!ModelCatalog.available(spec)) {
            throw DindexException.badRequest("the embedding model " + name + " is not in this build (bundled: "
                    + String.join(", ", ModelCatalog.ALL.stream().filter(ModelCatalog::available)
                    .map(ModelSpec::name).toList()) + "; the others come with mvn -Pall-models package)");
        }
        return onnx(spec, config);
    }

    private static boolean http(DaemonConfig config) {
        return "http".equals(config.getString(Settings.EMBEDDING_BACKEND));
    }

    private static ModelSpec catalogued(String name) {
        return ModelCatalog.byName(name).orElseThrow(() -> new StartupException("unknown embedding model '" + name
                + "' (known: " + String.join(", ", ModelCatalog.names()) + ")"));
    }

    /** Loads an ONNX model of the catalogue on a lowered thread (see below); failures as {@link EmbeddingException}. */
    private static Embedder onnx(ModelSpec spec, DaemonConfig config) {
        int threads = config.getInt(Settings.EMBEDDING_THREADS);
        try {
            long t0 = System.nanoTime();
            int intraOp = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
            // Loaded and run once on a lowered thread: the threads ONNX Runtime and the tokenizer start (some on the
            // first run) inherit its priority (BackgroundPriority). The run also spares the first search the warm-up.
            OnnxEmbedder embedder = BackgroundPriority.createLowered("dindex-model", () -> {
                OnnxEmbedder loaded = OnnxEmbedder.load(spec, intraOp);
                loaded.embedPassages(List.of("warm-up"));
                return loaded;
            });
            LOG.info("embedding model " + spec.name() + " loaded in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            return embedder;
        } catch (EmbeddingException e) {
            throw e;
        } catch (Exception e) {
            throw new EmbeddingException("cannot load the embedding model " + spec.name() + ": " + e, e);
        }
    }

    private static Embedder httpEmbedder(DaemonConfig config, String model) {
        String url = config.getString(Settings.HTTP_EMBEDDING_URL);
        int dims = config.getInt(Settings.HTTP_EMBEDDING_DIMENSIONS);
        List<String> problems = new ArrayList<>();
        URI uri = null;
        try {
            uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                problems.add("embedding.http.url must be an http(s) URL, got \"" + url + "\"");
            }
        } catch (IllegalArgumentException e) {
            problems.add("embedding.http.url is not a URL: " + e.getMessage());
        }
        if (dims <= 0) {
            problems.add("embedding.http.dimensions must be set to the service's vector length");
        }
        if (!problems.isEmpty()) {
            throw new StartupException("embedding.backend is http but: " + String.join("; ", problems));
        }
        try {
            return new HttpEmbedder(new HttpEmbedder.Options(uri, model,
                    config.getString(Settings.HTTP_EMBEDDING_API_KEY), dims,
                    config.getInt(Settings.HTTP_EMBEDDING_MAX_RETRIES), Duration.ofSeconds(60)),
                    HfTokenCounter.forModel(ModelCatalog.byName("all-minilm-l6-v2-q").orElseThrow()));
        } catch (IOException e) {
            throw new StartupException("cannot load the tokenizer used for chunking: " + e.getMessage(), e);
        }
    }
}
