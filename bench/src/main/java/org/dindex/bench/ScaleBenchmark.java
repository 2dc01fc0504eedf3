package org.dindex.bench;

import io.vertx.core.json.JsonObject;
import org.dindex.client.DindexClient;
import org.dindex.config.RuntimePaths;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.SearchQuery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import io.vertx.core.json.JsonArray;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.dindex.index.ChunkIndex;

/**
 * {@code dindex bench scale}: what an index of many chunks costs the person running the daemon, measured from outside
 * the daemon as they would see it. The index is the one {@code bench search} builds (real Europarl text, synthetic
 * embedding-like vectors), built here or kept from an earlier run. Then, alternately, a daemon process is started on
 * an empty data dir and on the index ({@code starts} times each): from launching the process to the first answered
 * search, then {@code searches} hybrid searches with real query embedding through the socket, then the process's
 * memory as the kernel counts it (resident anonymous memory, resident mapped file pages) and its heap after a full
 * collection. The differences between the two daemons, per chunk, give the memory model printed for 10M and 40M
 * chunks, beside the index's files per chunk. With a memory limit, the daemon on the index runs once more inside a
 * memory cgroup of that size ({@link MemoryLimit}): heap, native memory and the index's cached pages all count, as
 * in a container.
 */
public final class ScaleBenchmark {
    /**
     * @param launcher starts a daemon process on the given paths and returns its status once it answers, as
     *                 {@code dindex daemon start} does
     */
    public record Options(int chunks, int starts, int searches, Path keptData, Path emptyData,
                          DaemonProcessLauncher launcher, long memoryLimitBytes, boolean cold) {
    }

    /** Starts a daemon process; owned by the caller, which knows the configuration and the launcher. */
    @FunctionalInterface
    public interface DaemonProcessLauncher {
        JsonObject start(RuntimePaths paths);
    }

    private static final long[] PROJECT = {10_000_000L, 40_000_000L};

    private final Options options;
    private final List<String> queries;

    public ScaleBenchmark(Options options, SearchBenchmark.Sample sample) {
        this.options = options;
        Random random = new Random(20261206);
        List<String> q = new ArrayList<>();
        for (int i = 0; i < options.searches() + 1; i++) {
            String[] words = sample.texts().get(random.nextInt(sample.texts().size())).split("\\s+");
            int start = random.nextInt(Math.max(1, words.length - 6));
            String text = String.join(" ", Arrays.copyOfRange(words, start, Math.min(words.length, start + 5)));
            q.add(text.isBlank() ? "parliament" : text);
        }
        this.queries = q;
    }

    /** Measures both daemons and adds the results and the memory model to {@code report}. */
    public JsonObject run(JsonObject report) throws Exception {
        report.put("index_files", indexFiles(ChunkIndex.luceneDir(options.keptData().resolve("index"))));
        List<JsonObject> empty = new ArrayList<>();
        List<JsonObject> full = new ArrayList<>();
        report.put("page_cache", options.cold() ? "dropped before each start on the index" : "as left");
        for (int s = 0; s < options.starts(); s++) {
            empty.add(startAndMeasure(options.emptyData(), null));
            if (options.cold()) {
                MemoryLimit.dropPageCache();
            }
            full.add(startAndMeasure(options.keptData(), null));
        }
        JsonObject e = medians(empty);
        JsonObject f = medians(full);
        report.put("empty", e).put("index", f).put("runs", new JsonObject().put("empty", new io.vertx.core.json
                .JsonArray(empty)).put("index", new JsonArray(full)));
        report.put("start_to_first_answer_over_empty_seconds",
                f.getDouble("start_to_first_answer_seconds") - e.getDouble("start_to_first_answer_seconds"));
        report.put("model", model(report, e, f));
        if (options.memoryLimitBytes() > 0) {
            try (MemoryLimit limit = MemoryLimit.create(options.memoryLimitBytes())) {
                JsonObject limited = startAndMeasure(options.keptData(), limit);
                limited.put("limit_bytes", options.memoryLimitBytes()).put("peak_charge_bytes", limit.peakBytes());
                report.put("index_under_limit", limited);
            }
        }
        return report;
    }

    /**
     * One daemon process on {@code data}: start to first answer, searches, memory; then stops it. With a limit, the
     * process is started inside it, after the page cache is dropped, so the index's pages are charged to it too.
     */
    private JsonObject startAndMeasure(Path data, MemoryLimit limit) throws Exception {
        RuntimePaths paths = new RuntimePaths(data, data.getParent().resolve("run-" + data.getFileName())
                .resolve("d.sock"), null);
        Files.createDirectories(paths.socket().getParent(), PosixFilePermissions
                .asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        long t0 = System.nanoTime();
        JsonObject status = limit != null ? limit.spawnInside(() -> options.launcher().start(paths))
                : options.launcher().start(paths);
        long pid = status.getLong("pid");
        JsonObject result = new JsonObject();
        try (DindexClient c = DindexClient.connect(paths.socket())) {
            result.put("status_answered_seconds", (System.nanoTime() - t0) / 1e9);
            c.request(Addresses.SEARCH, SearchQuery.of(queries.get(0)).toJson(), Duration.ofMinutes(10));
            result.put("start_to_first_answer_seconds", (System.nanoTime() - t0) / 1e9);
            long[] nanos = new long[options.searches()];
            for (int i = 0; i < nanos.length; i++) {
                long s0 = System.nanoTime();
                c.request(Addresses.SEARCH, SearchQuery.of(queries.get(i + 1)).toJson(), Duration.ofMinutes(1));
                nanos[i] = System.nanoTime() - s0;
            }
            LatencyPercentiles stats = LatencyPercentiles.ofNanos(nanos);
            result.put("search_p50_ms", stats.p50Micros() / 1000).put("search_p99_ms", stats.p99Micros() / 1000);
            result.mergeIn(processMemory(pid));
            result.put("heap_after_gc_bytes", heapAfterGc(pid, c));
            result.put("startup", c.request(Addresses.STATUS, new JsonObject()).getJsonObject("startup"));
            c.request(Addresses.SHUTDOWN, new JsonObject());
        } finally {
            ProcessHandle.of(pid).ifPresent(p -> {
                try {
                    p.onExit().get(2, TimeUnit.MINUTES);
                } catch (Exception ex) {
                    p.destroyForcibly();
                }
            });
        }
        System.err.printf("bench scale: %s: first answer after %.1f s, RSS %,d MB%n",
                data.equals(options.keptData()) ? "the index" : "empty data dir",
                result.getDouble("start_to_first_answer_seconds"), result.getLong("rss_bytes") >> 20);
        return result;
    }

    /** Resident memory from {@code /proc/<pid>/status}: all of it, anonymous (heap, native) and mapped files. */
    static JsonObject processMemory(long pid) throws IOException {
        Map<String, Long> kb = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            String[] parts = line.split(":\\s+");
            if (parts.length == 2 && parts[1].endsWith(" kB")) {
                kb.put(parts[0], Long.parseLong(parts[1].substring(0, parts[1].length() - 3).trim()));
            }
        }
        return new JsonObject().put("rss_bytes", kb.getOrDefault("VmRSS", -1L) * 1024)
                .put("rss_anon_bytes", kb.getOrDefault("RssAnon", -1L) * 1024)
                .put("rss_file_bytes", kb.getOrDefault("RssFile", -1L) * 1024)
                .put("rss_peak_bytes", kb.getOrDefault("VmHWM", -1L) * 1024);
    }

    /**
     * The live heap: a full collection through the JDK's {@code jcmd} (when this JVM has one), then the daemon's own
     * figure from its status. Without {@code jcmd} the figure includes garbage and says so by being larger.
     */
    private static long heapAfterGc(long pid, DindexClient c) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (Files.isExecutable(jcmd)) {
            try {
                Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                p.waitFor(2, TimeUnit.MINUTES);
            } catch (IOException e) {
                // measured with garbage
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        JsonObject memory = c.request(Addresses.STATUS, new JsonObject()).getJsonObject("memory", new JsonObject());
        return memory.getLong("heap_used_bytes", -1L);
    }

    private static JsonObject medians(List<JsonObject> runs) {
        JsonObject m = new JsonObject();
        for (String key : List.of("status_answered_seconds", "start_to_first_answer_seconds", "search_p50_ms",
                "search_p99_ms", "rss_bytes", "rss_anon_bytes", "rss_file_bytes", "rss_peak_bytes",
                "heap_after_gc_bytes")) {
            double[] v = runs.stream().mapToDouble(r -> r.getNumber(key).doubleValue()).sorted().toArray();
            double median = v[v.length / 2];
            if (key.endsWith("_bytes")) {
                m.put(key, (long) median);
            } else {
                m.put(key, median);
            }
        }
        return m;
    }

    /**
     * Bytes of the index's files by kind: vectors, graphs with PQ codes, and the rest (text, postings, stored fields),
     * counted inside compound files too (small segments pack their files into one {@code .cfs}).
     */
    static JsonObject indexFiles(Path index) throws IOException {
        long[] bytes = new long[3];
        try (Directory dir = FSDirectory.open(index)) {
            var infos = SegmentInfos.readLatestCommit(dir);
            for (var commit : infos) {
                var si = commit.info;
                if (si.getUseCompoundFile()) {
                    try (var cfs = si.getCodec().compoundFormat().getCompoundReader(dir, si)) {
                        for (String name : cfs.listAll()) {
                            bytes[kind(name)] += cfs.fileLength(name);
                        }
                    }
                }
                for (String name : commit.files()) {
                    if (!name.endsWith(".cfs")) {
                        bytes[kind(name)] += dir.fileLength(name);
                    }
                }
            }
        }
        return new JsonObject().put("vectors_bytes", bytes[0]).put("graphs_and_pq_bytes", bytes[1])
                .put("other_bytes", bytes[2]).put("total_bytes", bytes[0] + bytes[1] + bytes[2]);
    }

    private static int kind(String file) {
        if (file.endsWith(".vec") || file.endsWith(".vemf")) {
            return 0;
        }
        return file.endsWith(".jvex") || file.endsWith(".jvem") ? 1 : 2;
    }

    /**
     * Per-chunk costs from the two daemons' difference, and what they give at 10M and 40M chunks: resident anonymous
     * memory and heap grow with the chunks; the files grow with them too, and the graphs and PQ codes plus the
     * reranked vectors' pages are what the page cache must hold for searches that never wait on the disk.
     */
    private JsonObject model(JsonObject report, JsonObject empty, JsonObject full) {
        double n = options.chunks();
        JsonObject files = report.getJsonObject("index_files");
        double anonPerChunk = (full.getLong("rss_anon_bytes") - empty.getLong("rss_anon_bytes")) / n;
        double heapPerChunk = (full.getLong("heap_after_gc_bytes") - empty.getLong("heap_after_gc_bytes")) / n;
        double diskPerChunk = files.getLong("total_bytes") / n;
        double hotPerChunk = (files.getLong("graphs_and_pq_bytes") + files.getLong("vectors_bytes")) / n;
        JsonObject model = new JsonObject().put("rss_anon_bytes_per_chunk", anonPerChunk)
                .put("heap_bytes_per_chunk", heapPerChunk).put("disk_bytes_per_chunk", diskPerChunk)
                .put("vectors_and_graphs_bytes_per_chunk", hotPerChunk);
        JsonArray projections = new JsonArray();
        for (long chunks : PROJECT) {
            projections.add(new JsonObject().put("chunks", chunks)
                    .put("rss_anon_bytes", (long) (empty.getLong("rss_anon_bytes") + anonPerChunk * chunks))
                    .put("heap_bytes", (long) (empty.getLong("heap_after_gc_bytes") + heapPerChunk * chunks))
                    .put("disk_bytes", (long) (diskPerChunk * chunks))
                    .put("page_cache_for_vectors_and_graphs_bytes", (long) (hotPerChunk * chunks)));
        }
        return model.put("projections", projections);
    }

    public static JsonObject header(int chunks, int dimensions) {
        return new JsonObject().put("benchmark", "scale").put("date", Instant.now().toString())
                .put("machine", Machine.describe()).put("chunks", chunks)
                .put("vectors", "synthetic embedding-like (16-d latent + noise), " + dimensions + " dimensions");
    }

    public static String table(JsonObject r) {
        JsonObject e = r.getJsonObject("empty");
        JsonObject f = r.getJsonObject("index");
        JsonObject files = r.getJsonObject("index_files");
        long built = r.getLong("built_chunks", r.getLong("chunks"));
        String resumed = r.containsKey("resumed_from") ? String.format(" (resumed after %,d)",
                r.getLong("resumed_from")) : "";
        StringBuilder sb = new StringBuilder(String.format("%,d chunks: %,d built%s in %.0f s (%.0f chunks/s); index"
                        + " %,d MB on disk (vectors %,d, graphs and PQ %,d, text and the rest %,d)%n",
                r.getInteger("chunks"), built, resumed, r.getDouble("build_seconds"),
                built / r.getDouble("build_seconds"),
                files.getLong("total_bytes") >> 20, files.getLong("vectors_bytes") >> 20,
                files.getLong("graphs_and_pq_bytes") >> 20, files.getLong("other_bytes") >> 20));
        if (r.getString("page_cache", "").startsWith("dropped")) {
            sb.append("page cache dropped before each start on the index (as after a reboot)\n");
        }
        sb.append(String.format("%-36s %14s %14s%n", "daemon process (median of " + r.getJsonObject("runs")
                .getJsonArray("index").size() + " starts)", "empty data dir", "the index"));
        row(sb, "start to first answered search, s", e, f, "start_to_first_answer_seconds", 1, "%.2f");
        row(sb, "hybrid search p50, ms (with embedding)", e, f, "search_p50_ms", 1, "%.2f");
        row(sb, "hybrid search p99, ms (with embedding)", e, f, "search_p99_ms", 1, "%.2f");
        row(sb, "RSS, MB", e, f, "rss_bytes", 1 << 20, "%.0f");
        row(sb, "  anonymous (heap, native), MB", e, f, "rss_anon_bytes", 1 << 20, "%.0f");
        row(sb, "  mapped files, MB", e, f, "rss_file_bytes", 1 << 20, "%.0f");
        row(sb, "heap after a full GC, MB", e, f, "heap_after_gc_bytes", 1 << 20, "%.0f");
        sb.append(String.format("start to first answer over the empty data dir's: %+.2f s%n",
                r.getDouble("start_to_first_answer_over_empty_seconds")));
        JsonObject l = r.getJsonObject("index_under_limit");
        if (l != null) {
            sb.append(String.format("the index under a %,d MB memory limit (cgroup): first answer %.2f s, hybrid p50"
                            + " %.2f ms, p99 %.2f ms; RSS %,d MB (anonymous %,d, mapped files %,d), peak charge %,d MB%n",
                    l.getLong("limit_bytes") >> 20, l.getDouble("start_to_first_answer_seconds"),
                    l.getDouble("search_p50_ms"), l.getDouble("search_p99_ms"), l.getLong("rss_bytes") >> 20,
                    l.getLong("rss_anon_bytes") >> 20, l.getLong("rss_file_bytes") >> 20,
                    l.getLong("peak_charge_bytes") >> 20));
        }
        JsonObject m = r.getJsonObject("model");
        sb.append(String.format("per chunk: %.0f B resident anonymous, %.0f B heap, %.0f B on disk, of which %.0f B"
                        + " vectors, graphs and PQ codes%n", m.getDouble("rss_anon_bytes_per_chunk"),
                m.getDouble("heap_bytes_per_chunk"), m.getDouble("disk_bytes_per_chunk"),
                m.getDouble("vectors_and_graphs_bytes_per_chunk")));
        for (Object o : m.getJsonArray("projections")) {
            JsonObject p = (JsonObject) o;
            sb.append(String.format("projected %,d chunks: resident anonymous %.1f GB (heap %.1f GB), disk %.0f GB,"
                            + " page cache for vectors and graphs %.0f GB%n", p.getLong("chunks"),
                    p.getLong("rss_anon_bytes") / 1e9, p.getLong("heap_bytes") / 1e9, p.getLong("disk_bytes") / 1e9,
                    p.getLong("page_cache_for_vectors_and_graphs_bytes") / 1e9));
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String label, JsonObject e, JsonObject f, String key, double unit,
                            String format) {
        sb.append(String.format("%-36s %14s %14s%n", label, String.format(format, e.getNumber(key).doubleValue()
                / unit), String.format(format, f.getNumber(key).doubleValue() / unit)));
    }
}
