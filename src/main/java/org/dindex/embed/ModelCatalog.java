package org.dindex.embed;

import java.util.List;
import java.util.Optional;

/**
 * The embedding models dindex knows. Each comes from a langchain4j model jar on Maven Central, used only as a
 * resource jar. bge-small-en-v1.5-q (the default: best quality on NFCorpus) and all-minilm-l6-v2-q (the faster one) are
 * bundled in the runnable jar; the others come with {@code mvn -Pall-models package}. docs/quality.md has the figures.
 */
public final class ModelCatalog {
    private ModelCatalog() {
    }

    private static final String BGE_QUERY = "Represent this sentence for searching relevant passages: ";

    public static final List<ModelSpec> ALL = List.of(
            new ModelSpec("all-minilm-l6-v2", "all-minilm-l6-v2", 384, Pooling.MEAN, "", "", 256),
            new ModelSpec("all-minilm-l6-v2-q", "all-minilm-l6-v2-q", 384, Pooling.MEAN, "", "", 256),
            new ModelSpec("bge-small-en-v1.5", "bge-small-en-v1.5", 384, Pooling.CLS, BGE_QUERY, "", 512),
            new ModelSpec("bge-small-en-v1.5-q", "bge-small-en-v1.5-q", 384, Pooling.CLS, BGE_QUERY, "", 512),
            new ModelSpec("e5-small-v2", "e5-small-v2", 384, Pooling.MEAN, "query: ", "passage: ", 512),
            new ModelSpec("e5-small-v2-q", "e5-small-v2-q", 384, Pooling.MEAN, "query: ", "passage: ", 512));

    public static Optional<ModelSpec> byName(String name) {
        return ALL.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    public static List<String> names() {
        return ALL.stream().map(ModelSpec::name).toList();
    }

    /** Whether the model's files are on the class path (bundled in the jar or added by a build profile). */
    public static boolean available(ModelSpec spec) {
        return spec.resourceBase() != null
                && ModelCatalog.class.getResource("/" + spec.resourceBase() + ".onnx") != null;
    }
}
