package org.dindex.daemon;

import io.vertx.core.Vertx;
import org.dindex.collections.CollectionRegistry;
import org.dindex.collections.Models;
import org.dindex.collections.RegistryFile;
import org.dindex.config.DaemonConfig;
import org.dindex.config.StartupException;
import org.dindex.embed.Embedder;
import org.dindex.embed.ModelLoader;
import org.dindex.index.ChunkIndex;
import org.dindex.index.IndexMismatchException;
import org.dindex.index.IndexService;
import org.dindex.index.IntegrityCheck;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a daemon opens before it serves anything: the configured embedding model (one instance) and the collections
 * with their indexes (recovered from their WALs). Closed after the verticles are undeployed.
 */
final class Stores {
    private static final Logger LOG = Logger.getLogger(Stores.class.getName());

    private final CollectionRegistry collections;

    private Stores(CollectionRegistry collections) {
        this.collections = collections;
    }

    CollectionRegistry collections() {
        return collections;
    }

    /**
     * Loads the model and opens the default collection's index side by side (they take the longest part of a start
     * and need nothing of each other but the model's name and dimensions, known from the configuration), checks the
     * index, then opens the other collections.
     */
    static Stores open(Vertx vertx, Path dataDir, DaemonConfig config, StartupTimes times) {
        ModelLoader.Expected expected = ModelLoader.expected(config);
        List<RegistryFile.Entry> entries;
        try {
            entries = RegistryFile.read(dataDir);
        } catch (IOException e) {
            throw new StartupException("cannot read the collections of " + dataDir + ": " + e.getMessage(), e);
        }
        Path defaultDir = dataDir.resolve(CollectionRegistry.defaultDir(entries));
        CompletableFuture<Embedder> model = new CompletableFuture<>();
        Thread.ofPlatform().name("dindex-startup-model").start(() -> {
            try {
                model.complete(times.time("model", () -> ModelLoader.configured(config)));
            } catch (Throwable e) {
                model.completeExceptionally(e);
            }
        });
        ChunkIndex chunkIndex;
        try {
            chunkIndex = times.time("index", () -> openIndex(defaultDir, expected));
            IntegrityCheck.Report report = times.time("check", () -> check(chunkIndex));
            if (report.ok()) {
                LOG.info("index check passed: " + report.documents() + " documents, " + report.chunks()
                        + " chunks (" + report.millis() + " ms)");
            } else {
                LOG.warning("index check found problems: " + report.problems());
            }
        } catch (RuntimeException e) {
            model.thenAccept(Embedder::close);
            throw e;
        }
        Embedder embedder;
        try {
            embedder = model.join();
        } catch (CompletionException e) {
            closeQuietly(chunkIndex);
            throw e.getCause() instanceof RuntimeException re ? re : new StartupException(
                    "cannot load the embedding model: " + e.getCause(), e.getCause());
        }
        IndexService index = new IndexService(vertx, chunkIndex, defaultDir);
        Models models = new Models(Models.Model.of(vertx, expected.name(), embedder, config),
                name -> {
                    Embedder named = ModelLoader.named(name, config);
                    return Models.Model.of(vertx, named.modelName(), named, config);
                });
        try {
            return new Stores(times.time("collections", () -> {
                try {
                    return CollectionRegistry.open(vertx, dataDir, models, index, entries);
                } catch (IOException e) {
                    throw new StartupException("cannot open the collections: " + e.getMessage(), e);
                } catch (IndexMismatchException e) {
                    throw new StartupException(e.getMessage());
                }
            }));
        } catch (RuntimeException e) {
            closeQuietly(chunkIndex);
            models.close();
            throw e;
        }
    }

    private static ChunkIndex openIndex(Path dir, ModelLoader.Expected model) {
        try {
            long t0 = System.nanoTime();
            ChunkIndex opened = ChunkIndex.open(dir, model.name(), model.dimensions());
            LOG.info("index opened in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            return opened;
        } catch (IndexMismatchException e) {
            throw new StartupException(e.getMessage());
        } catch (IOException e) {
            throw new StartupException("cannot open the index in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static IntegrityCheck.Report check(ChunkIndex index) {
        try {
            return IntegrityCheck.quick(index);
        } catch (IOException e) {
            throw new StartupException("cannot check the index: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(ChunkIndex index) {
        try {
            index.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "closing the index after a failed start", e);
        }
    }

    void close() {
        collections.close();
    }
}
