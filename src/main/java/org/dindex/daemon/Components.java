package org.dindex.daemon;

import org.dindex.config.StartupException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.BusHandlers;
import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;
import org.dindex.embed.Embedder;
import org.dindex.embed.EmbeddingException;
import org.dindex.embed.EmbeddingService;
import org.dindex.embed.ModelCatalog;
import org.dindex.embed.ModelSpec;
import org.dindex.embed.OnnxEmbedder;
import org.dindex.embed.OnnxRuntimeNatives;
import org.dindex.collections.CollectionRegistry;
import org.dindex.collections.CollectionsVerticle;
import org.dindex.collections.Models;
import org.dindex.index.ChunkIndex;
import org.dindex.index.CommitVerticle;
import org.dindex.index.IndexAdminVerticle;
import org.dindex.index.IndexMismatchException;
import org.dindex.index.IndexService;
import org.dindex.index.IntegrityCheck;
import org.dindex.ingest.Chunker;
import org.dindex.ingest.IngestVerticle;
import org.dindex.importer.ImportVerticle;
import org.dindex.jobs.JobRegistry;
import org.dindex.jobs.JobsVerticle;
import org.dindex.platform.Mounts;
import org.dindex.scrape.AddressPolicy;
import org.dindex.scrape.ScrapeVerticle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * The daemon's long-lived parts, created once at start in dependency order: the embedding model (one instance), the
 * index (recovered from its WAL), and the verticles that serve them. Closed after the verticles are undeployed.
 */
final class Components {
    private static final Logger LOG = Logger.getLogger(Components.class.getName());

    private final DaemonConfig config;
    private final CollectionRegistry collections;
    private final Path dataDir;
    private final org.dindex.metrics.Metrics metrics = new org.dindex.metrics.Metrics();
    private CommitVerticle commits;
    private org.dindex.http.HttpVerticle http;
    private JobsVerticle jobsVerticle;
    private org.dindex.search.SearchVerticle search;

    JobsVerticle jobsVerticle() {
        return jobsVerticle;
    }

    private IngestVerticle ingestVerticle;
    private IndexAdminVerticle adminVerticle;

    /** The ingest verticle (after {@link #verticles}): a cluster member routes submits through it. */
    IngestVerticle ingestVerticle() {
        return ingestVerticle;
    }

    /** The commit verticle (after {@link #verticles}): a cluster member routes commits through it. */
    org.dindex.index.CommitVerticle commitVerticle() {
        return commits;
    }

    /** The index admin verticle (after {@link #verticles}): a cluster member routes deletes through it. */
    IndexAdminVerticle adminVerticle() {
        return adminVerticle;
    }

    /** The search verticle (after {@link #verticles}): the cluster coordinator assembles answers with its service. */
    org.dindex.search.SearchService searchService() {
        return search.service();
    }

    /** The default collection's index (benchmarks in the daemon's process use it). */
    IndexService indexService() {
        return collections.defaultCollection().index();
    }

    CollectionRegistry collections() {
        return collections;
    }

    private Components(Path dataDir, DaemonConfig config, CollectionRegistry collections) {
        this.dataDir = dataDir;
        this.config = config;
        this.collections = collections;
    }

    /**
     * Loads the model and opens the index side by side (they take the longest part of a start and need nothing of
     * each other but the model's name and dimensions, known from the configuration), then checks the index.
     */
    static Components open(Vertx vertx, Path dataDir, DaemonConfig config, StartupTimes times) {
        useDataDirCaches(dataDir);
        // jvector registers its graph settings as JMX beans by default: 150 ms of every start for beans nobody reads.
        if (System.getProperty("jvector.management.backend") == null) {
            System.setProperty("jvector.management.backend", "none");
        }
        org.dindex.platform.BackgroundPriority.configure(config.getInt(Settings.BACKGROUND_NICE));
        ExpectedModel expected = expectedModel(config);
        List<org.dindex.collections.RegistryFile.Entry> entries;
        try {
            entries = org.dindex.collections.RegistryFile.read(dataDir);
        } catch (IOException e) {
            throw new StartupException("cannot read the collections of " + dataDir + ": " + e.getMessage(), e);
        }
        Path defaultDir = dataDir.resolve(CollectionRegistry.defaultDir(entries));
        java.util.concurrent.CompletableFuture<Embedder> model = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().name("dindex-startup-model").start(() -> {
            try {
                model.complete(times.time("model", () -> loadEmbedder(config)));
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
        } catch (java.util.concurrent.CompletionException e) {
            closeQuietly(chunkIndex);
            throw e.getCause() instanceof RuntimeException re ? re : new StartupException(
                    "cannot load the embedding model: " + e.getCause(), e.getCause());
        }
        IndexService index = new IndexService(vertx, chunkIndex, defaultDir);
        Models.Model configured = model(vertx, expected.name(), embedder, config);
        Models models = new Models(configured, name -> loadModel(vertx, name, config));
        try {
            CollectionRegistry registry = times.time("collections", () -> {
                try {
                    return CollectionRegistry.open(vertx, dataDir, models, index, entries);
                } catch (IOException e) {
                    throw new StartupException("cannot open the collections: " + e.getMessage(), e);
                } catch (IndexMismatchException e) {
                    throw new StartupException(e.getMessage());
                }
            });
            return new Components(dataDir, config, registry);
        } catch (RuntimeException e) {
            closeQuietly(chunkIndex);
            models.close();
            throw e;
        }
    }

    /** A loaded embedder with its batching queue and chunker. */
    private static Models.Model model(Vertx vertx, String name, Embedder embedder, DaemonConfig config) {
        EmbeddingService embeddings = new EmbeddingService(vertx, embedder, new EmbeddingService.Options(
                config.getInt(Settings.EMBEDDING_BATCH_SIZE), config.getLong(Settings.EMBEDDING_BATCH_WAIT_MS),
                config.getInt(Settings.EMBEDDING_QUEUE_LIMIT)));
        return new Models.Model(name, embedder.dimensions(), embeddings, chunker(embedder, config));
    }

    /**
     * Loads a model a collection names that is not the configured one: a model of the catalogue, run by ONNX
     * Runtime in the daemon (an HTTP backend serves only the model the configuration names).
     */
    private static Models.Model loadModel(Vertx vertx, String name, DaemonConfig config) {
        ModelSpec spec = ModelCatalog.byName(name).orElseThrow(() -> org.dindex.protocol.DindexException.badRequest(
                "unknown embedding model '" + name + "' (known: " + String.join(", ", ModelCatalog.names()) + ")"));
        if (!ModelCatalog.available(spec)) {
            throw org.dindex.protocol.DindexException.badRequest("the embedding model " + name + " is not in this"
                    + " build (bundled: " + String.join(", ", ModelCatalog.ALL.stream().filter(ModelCatalog::available)
                    .map(ModelSpec::name).toList()) + "; the others come with mvn -Pall-models package)");
        }
        Embedder embedder = loadOnnx(spec, config);
        return model(vertx, spec.name(), embedder, config);
    }

    /** The model the index must have been written with: the name and dimensions the configuration sets. */
    private record ExpectedModel(String name, int dimensions) {
    }

    private static ExpectedModel expectedModel(DaemonConfig config) {
        String name = config.getString(Settings.EMBEDDING_MODEL);
        if ("http".equals(config.getString(Settings.EMBEDDING_BACKEND))) {
            return new ExpectedModel(org.dindex.embed.HttpEmbedder.modelName(name),
                    config.getInt(Settings.HTTP_EMBEDDING_DIMENSIONS));
        }
        ModelSpec spec = ModelCatalog.byName(name).orElseThrow(() -> new StartupException("unknown embedding"
                + " model '" + name + "' (known: " + String.join(", ", ModelCatalog.names()) + ")"));
        return new ExpectedModel(spec.name(), spec.dimensions());
    }

    private static ChunkIndex openIndex(Path dir, ExpectedModel model) {
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
            LOG.log(java.util.logging.Level.FINE, "closing the index after a failed start", e);
        }
    }

    private static Embedder loadEmbedder(DaemonConfig config) {
        String name = config.getString(Settings.EMBEDDING_MODEL);
        if ("http".equals(config.getString(Settings.EMBEDDING_BACKEND))) {
            return httpEmbedder(config, name);
        }
        ModelSpec spec = ModelCatalog.byName(name).orElseThrow(() -> new StartupException("unknown embedding"
                + " model '" + name + "' (known: " + String.join(", ", ModelCatalog.names()) + ")"));
        try {
            return loadOnnx(spec, config);
        } catch (EmbeddingException e) {
            throw new StartupException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new StartupException("cannot load the embedding model " + spec.name() + ": " + e, e);
        }
    }

    /** Loads an ONNX model of the catalogue on a lowered thread (see below); failures as {@link EmbeddingException}. */
    private static Embedder loadOnnx(ModelSpec spec, DaemonConfig config) {
        int threads = config.getInt(Settings.EMBEDDING_THREADS);
        try {
            long t0 = System.nanoTime();
            int intraOp = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
            // Loaded and run once on a lowered thread: the threads ONNX Runtime and the tokenizer start (some on the
            // first run) inherit its priority (BackgroundPriority). The run also spares the first search the warm-up.
            OnnxEmbedder embedder = org.dindex.platform.BackgroundPriority.createLowered("dindex-model", () -> {
                OnnxEmbedder loaded = OnnxEmbedder.load(spec, intraOp);
                loaded.embedPassages(java.util.List.of("warm-up"));
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
        java.util.List<String> problems = new java.util.ArrayList<>();
        java.net.URI uri = null;
        try {
            uri = java.net.URI.create(url);
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
            return new org.dindex.embed.HttpEmbedder(new org.dindex.embed.HttpEmbedder.Options(uri, model,
                    config.getString(Settings.HTTP_EMBEDDING_API_KEY), dims,
                    config.getInt(Settings.HTTP_EMBEDDING_MAX_RETRIES), java.time.Duration.ofSeconds(60)),
                    org.dindex.embed.HfTokenCounter.forModel(ModelCatalog.byName("all-minilm-l6-v2-q").orElseThrow()));
        } catch (IOException e) {
            throw new StartupException("cannot load the tokenizer used for chunking: " + e.getMessage(), e);
        }
    }

    private static Chunker chunker(Embedder embedder, DaemonConfig config) {
        Chunker.Options defaults = Chunker.Options.forModel(
                embedder instanceof OnnxEmbedder o ? o.spec().maxSequenceTokens() : 256,
                embedder.tokenizer().specialTokens());
        int max = config.getInt(Settings.CHUNK_MAX_TOKENS);
        int overlap = config.getInt(Settings.CHUNK_OVERLAP_TOKENS);
        int size = max == 0 ? defaults.maxTokens() : max;
        try {
            return new Chunker(embedder.tokenizer(), new Chunker.Options(size,
                    overlap < 0 ? Math.round(size * 0.15f) : overlap));
        } catch (IllegalArgumentException e) {
            throw new StartupException("invalid chunking settings: " + e.getMessage());
        }
    }

    /**
     * The tokenizer's and ONNX Runtime's native libraries and pdfbox's font cache go under the data dir unless the
     * user chose a place: the daemon then writes nowhere else (read-only root file systems in containers stay happy).
     */
    private static void useDataDirCaches(Path dataDir) {
        OnnxRuntimeNatives.prepare(dataDir.resolve("cache"));
        if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null
                && !Mounts.noExec(dataDir)) {  // else DJL's own default, ~/.djl.ai
            System.setProperty("DJL_CACHE_DIR", dataDir.resolve("cache").resolve("djl").toString());
        }
        if (System.getProperty("pdfbox.fontcache") == null) {
            System.setProperty("pdfbox.fontcache", dataDir.resolve("cache").toString());
        }
    }

    List<VerticleBase> verticles(BusHandlers handlers) {
        // Jobs stop first (verticles stop in reverse order) so the final commit covers their last writes.
        var jobs = new JobsVerticle(handlers, dataDir.resolve("jobs"), new JobRegistry.Options(
                config.getInt(Settings.JOBS_MAX_CONCURRENT), config.getInt(Settings.JOBS_HISTORY),
                java.time.Duration.ofMinutes(10)), config.shutdownTimeout().dividedBy(3));
        jobsVerticle = jobs;
        commits = new CommitVerticle(handlers, collections, config.getLong(Settings.COMMIT_EVERY_CHUNKS),
                config.getLong(Settings.COMMIT_INTERVAL_MS)).meter(metrics);
        collections.defaultCollection().embeddings().meter(metrics);
        bindIndexMeters();
        CollectionsVerticle collectionsVerticle = new CollectionsVerticle(handlers, collections, jobs);
        List<VerticleBase> list = new java.util.ArrayList<>(List.of(commits,
                adminVerticle = new IndexAdminVerticle(handlers, collections, commits),
                ingestVerticle = new IngestVerticle(handlers, collections, commits).meter(metrics),
                search = new org.dindex.search.SearchVerticle(handlers, collections, searchOptions(config),
                        metrics, config.getBoolean(Settings.CLUSTER_ENABLED)),
                jobs, collectionsVerticle,
                new ImportVerticle(handlers, jobs, new ImportVerticle.Settings(
                        config.getInt(Settings.IMPORT_BATCH_DOCUMENTS), config.getInt(Settings.IMPORT_CHECKPOINT_PAGES)),
                        collections),
                new ScrapeVerticle(handlers, jobs, new ScrapeVerticle.Settings(
                        config.getString(Settings.SCRAPE_USER_AGENT), config.getLong(Settings.SCRAPE_TIMEOUT_MS),
                        config.getLong(Settings.SCRAPE_MAX_PAGE_BYTES), new AddressPolicy(
                        config.getBoolean(Settings.SCRAPE_ALLOW_LOOPBACK),
                        config.getBoolean(Settings.SCRAPE_ALLOW_PRIVATE))), collections),
                new org.dindex.watch.WatchVerticle(handlers, jobs, collections, new org.dindex.watch.WatchVerticle.Settings(
                        config.getLong(Settings.WATCH_DEBOUNCE_MS), config.getLong(Settings.WATCH_SCAN_INTERVAL_MS),
                        config.getInt(Settings.WATCH_MAX_INOTIFY_WATCHES),
                        config.getLong(Settings.MAX_DOCUMENT_BYTES), dataDir))));
        if (config.getBoolean(Settings.HTTP_ENABLED)) {
            // Last to start, first to stop: no HTTP request arrives while the parts behind it are not there.
            http = new org.dindex.http.HttpVerticle(org.dindex.http.HttpOptions.from(config), metrics,
                    new org.dindex.metrics.MetricsHistory(metrics.registry(), this::runningJobs));
            list.add(http);
        }
        return list;
    }

    static org.dindex.search.SearchOptions searchOptions(DaemonConfig config) {
        var fusion = new org.dindex.search.Fusion(
                org.dindex.search.Fusion.Method.valueOf(config.getString(Settings.SEARCH_FUSION)
                        .toUpperCase(java.util.Locale.ROOT)),
                config.getDouble(Settings.SEARCH_RRF_K), config.getDouble(Settings.SEARCH_DENSE_WEIGHT),
                config.getDouble(Settings.SEARCH_BM25_WEIGHT), config.getDouble(Settings.SEARCH_LINEAR_ALPHA));
        return new org.dindex.search.SearchOptions(config.getInt(Settings.SEARCH_CANDIDATES),
                config.getInt(Settings.SEARCH_DENSE_BEAM), config.getInt(Settings.SEARCH_EXACT_BELOW),
                (float) config.getDouble(Settings.SEARCH_TITLE_WEIGHT), fusion, 240);
    }

    /** Index gauges, summed over every open collection. */
    private void bindIndexMeters() {
        var r = metrics.registry();
        io.micrometer.core.instrument.Gauge.builder("dindex.wal.size", collections, Components::walBytes)
                .baseUnit("bytes").description("Write-ahead log size (emptied by each commit), all collections")
                .register(r);
        io.micrometer.core.instrument.Gauge.builder("dindex.index.pending.operations", collections,
                c -> sum(c, i -> i.pendingOps())).description("Writes not yet committed, all collections")
                .register(r);
        io.micrometer.core.instrument.Gauge.builder("dindex.vectors.memory", collections,
                c -> sum(c, ChunkIndex::vectorHeapBytes)).baseUnit("bytes")
                .description("Vectors and graph held in memory, all collections").register(r);
        io.micrometer.core.instrument.Gauge.builder("dindex.collections", collections, c -> c.all().size())
                .description("Collections in the daemon").register(r);
        var chunks = new org.dindex.index.ChunkCount();
        io.micrometer.core.instrument.Gauge.builder("dindex.index.chunks", collections, c -> sum(c, chunks::valueOf))
                .description("Searchable (committed) chunks, all collections").register(r);
    }

    private static double sum(CollectionRegistry registry, java.util.function.ToDoubleFunction<ChunkIndex> f) {
        double total = 0;
        for (org.dindex.collections.Collection c : registry.all()) {
            if (c.state() == org.dindex.collections.Collection.State.OPEN) {
                try {
                    double value = f.applyAsDouble(c.index().index());
                    total += Double.isNaN(value) ? 0 : value;
                } catch (RuntimeException e) {
                    // closing meanwhile
                }
            }
        }
        return total;
    }

    private static double walBytes(CollectionRegistry registry) {
        return sum(registry, i -> {
            try {
                return i.walBytes();
            } catch (IOException e) {
                return 0;
            }
        });
    }

    /** Binds the meters of parts that exist only once the daemon runs (the job registry, the socket bridge). */
    void started(org.dindex.bus.BridgeStats bridge) {
        bindBridgeMeters(bridge);
        if (jobsVerticle != null) {
            bindJobMeters(jobsVerticle.registry());
        }
    }

    /** The running jobs' records, for the dashboard's per-job rates (none before the jobs verticle has started). */
    private List<JsonObject> runningJobs() {
        if (jobsVerticle == null) {
            return List.of();
        }
        return jobsVerticle.registry().list().stream()
                .filter(job -> job.state() == org.dindex.jobs.JobState.RUNNING)
                .map(org.dindex.jobs.Job::toJson).toList();
    }

    /** Jobs by state, read from the registry at scrape time. */
    private void bindJobMeters(org.dindex.jobs.JobRegistry jobs) {
        for (org.dindex.jobs.JobState state : org.dindex.jobs.JobState.values()) {
            io.micrometer.core.instrument.Gauge.builder("dindex.jobs", jobs, j -> j.list().stream()
                            .filter(job -> job.state() == state).count())
                    .tag("state", state.wireName()).description("Jobs known to the daemon, by state")
                    .register(metrics.registry());
        }
    }

    /** Socket bridge connections, frames and errors by kind. */
    private void bindBridgeMeters(org.dindex.bus.BridgeStats stats) {
        var r = metrics.registry();
        io.micrometer.core.instrument.Gauge.builder("dindex.bridge.connections", stats,
                org.dindex.bus.BridgeStats::connections).description("Open socket connections").register(r);
        io.micrometer.core.instrument.FunctionCounter.builder("dindex.bridge.frames", stats,
                org.dindex.bus.BridgeStats::framesIn).description("Frames received on the socket").register(r);
        io.micrometer.core.instrument.FunctionCounter.builder("dindex.bridge.connections.accepted", stats,
                org.dindex.bus.BridgeStats::acceptedConnections).register(r);
        metrics.beforeScrape(() -> stats.errors().keySet().forEach(kind ->
                io.micrometer.core.instrument.FunctionCounter.builder("dindex.bridge.errors", stats,
                                s -> s.errors().getOrDefault(kind, 0L))
                        .tag("kind", kind).description("Bad frames and failed requests on the socket, by kind")
                        .register(r)));
    }

    /** The HTTP server's URL, or null when HTTP is off (or not started yet). */
    String httpUrl() {
        return http == null ? null : http.url();
    }

    /** The default collection's model and commit state, and the collections there are. */
    JsonObject statusSummary() {
        ChunkIndex ix = collections.defaultCollection().index().index();
        return new JsonObject().put("model", ix.model()).put("pending_operations", ix.pendingOps())
                .put("last_commit_at", ix.lastCommitAt() == null ? null : ix.lastCommitAt().toString())
                .put("collections", new io.vertx.core.json.JsonArray(new java.util.ArrayList<>(collections.names())));
    }

    Future<Void> close() {
        metrics.close();
        collections.close();
        return Future.succeededFuture();
    }
}
