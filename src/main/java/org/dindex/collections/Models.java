package org.dindex.collections;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.config.DaemonConfig;
import org.dindex.embed.Embedder;
import org.dindex.embed.EmbeddingService;
import org.dindex.ingest.Chunker;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Logger;

/**
 * The embedding models in use: one instance (its {@link EmbeddingService} queue and its {@link Chunker}) per
 * distinct model, shared by every collection that embeds with it. A model is loaded when the first collection
 * needs it and closed when the last one that used it goes, except the configured model, which stays for the
 * daemon's life. Thread-safe.
 */
public final class Models implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Models.class.getName());

    /** A loaded model: its name as indexes record it, its vector length, its batching queue and its chunker. */
    public record Model(String name, int dimensions, EmbeddingService embeddings, Chunker chunker) {
        /** A loaded embedder with the batching queue and the chunker the configuration sets for it. */
        public static Model of(Vertx vertx, String name, Embedder embedder, DaemonConfig config) {
            return new Model(name, embedder.dimensions(), new EmbeddingService(vertx, embedder,
                    EmbeddingService.Options.from(config)), new Chunker(embedder.tokenizer(),
                    Chunker.Options.from(config, embedder)));
        }
    }

    /** Loads a model by name (blocking), or throws a {@link DindexException} saying why it cannot. */
    @FunctionalInterface
    public interface Loader {
        Model load(String name);
    }

    private static final class Entry {
        final Model model;
        int users;

        Entry(Model model) {
            this.model = model;
        }
    }

    private final Map<String, Entry> loaded = new LinkedHashMap<>();
    private final String configured;
    private final Loader loader;

    /** @param configured the model the configuration names, already loaded; it is never unloaded */
    public Models(Model configured, Loader loader) {
        this.configured = configured.name();
        this.loader = loader;
        loaded.put(configured.name(), new Entry(configured));
    }

    /** The configured model's name: new collections embed with it unless told otherwise. */
    public String configuredName() {
        return configured;
    }

    public synchronized Model configured() {
        return loaded.get(configured).model;
    }

    /**
     * The model {@code name} for one more collection, loaded first when no collection uses it yet (seconds: on a
     * thread of its own, so that its batching queue gets an event loop of its own). Blocking.
     */
    public synchronized Model acquire(String name) {
        Entry e = loaded.get(name);
        if (e == null) {
            CompletableFuture<Model> load = new CompletableFuture<>();
            Thread.ofPlatform().name("dindex-model-load").start(() -> {
                try {
                    load.complete(loader.load(name));
                } catch (Throwable t) {
                    load.completeExceptionally(t);
                }
            });
            Model model;
            try {
                model = load.join();
            } catch (CompletionException ce) {
                Throwable cause = ce.getCause();
                if (cause instanceof DindexException de) {
                    throw de;
                }
                throw new DindexException(ErrorCode.UNAVAILABLE, "cannot load the embedding model " + name + ": "
                        + cause.getMessage(), cause);
            }
            e = new Entry(model);
            loaded.put(name, e);
            LOG.info("embedding model " + name + " loaded for collections");
        }
        e.users++;
        return e.model;
    }

    /** One collection fewer uses {@code name}; the last one closes it (not the configured model). */
    public void release(String name) {
        Model closing = null;
        synchronized (this) {
            Entry e = loaded.get(name);
            if (e == null) {
                return;
            }
            e.users--;
            if (e.users <= 0 && !name.equals(configured)) {
                loaded.remove(name);
                closing = e.model;
            }
        }
        if (closing != null) {
            closing.embeddings().close();
            LOG.info("embedding model " + name + " closed: no collection uses it any more");
        }
    }

    /** The models in memory with the collections' use of them. */
    public synchronized JsonArray describe(Map<String, List<String>> collectionsByModel) {
        JsonArray out = new JsonArray();
        loaded.forEach((name, e) -> out.add(new JsonObject().put("name", name)
                .put("dimensions", e.model.dimensions())
                .put("collections", new JsonArray(new ArrayList<>(collectionsByModel.getOrDefault(name, List.of()))))
                .put("passages_embedded", e.model.embeddings().passagesEmbedded())
                .put("queued", e.model.embeddings().queued())));
        return out;
    }

    /** Every model in memory. */
    public synchronized List<Model> all() {
        return loaded.values().stream().map(e -> e.model).toList();
    }

    @Override
    public void close() {
        List<Model> all;
        synchronized (this) {
            all = all();
            loaded.clear();
        }
        all.forEach(m -> m.embeddings().close());
    }
}
