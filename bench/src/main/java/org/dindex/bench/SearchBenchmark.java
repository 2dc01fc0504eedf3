package org.dindex.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.SearchQuery;
import org.dindex.client.DindexClient;
import org.dindex.index.ChunkIndex;
import org.dindex.index.ChunkRecord;
import org.dindex.index.DocumentIds;
import org.dindex.index.DocumentRecord;
import org.dindex.index.IndexSnapshot;
import org.dindex.index.WriteOp;
import org.dindex.protocol.DindexException;
import org.dindex.search.RetrievalPool;
import org.dindex.search.SearchOptions;
import org.dindex.search.SearchRequest;
import org.dindex.search.SearchService;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import org.dindex.daemon.Daemon;
import org.dindex.embed.Embedder;
import org.dindex.index.IndexService;
import org.dindex.protocol.Frames;
import org.dindex.protocol.QueryVectors;
import org.dindex.protocol.SearchFilters;

/**
 * {@code dindex bench search}. Builds an index of {@code chunks} chunks of real Europarl text with synthetic
 * embedding-like vectors (a 16-dimensional latent structure plus noise, unit length: embedding that many chunks with
 * the real model would take far longer than the index build), closes it, starts a daemon on it in this process, then measures in
 * one run: each search side by side as a direct call, on the event bus, through the socket, and through two floors
 * ({@link PlainSocketServer}: what any socket server that hands the search to a worker adds on this machine, with
 * and without JSON) per mode excluding query embedding; the socket with real query embedding; dense recall@10
 * against exact search; queries/s at 16 threads; and search p99 while an ingest (real embedding) runs against idle.
 */
public final class SearchBenchmark {
    public record Options(Path corpus, int chunks, int queries, String model, int dimensions, int threads) {
    }

    private static final int LATENT = 16;
    private final Options options;
    private final Random random = new Random(20261125);
    private final float[][] mix;

    public SearchBenchmark(Options options) {
        this.options = options;
        mix = new float[options.dimensions()][LATENT];
        for (float[] row : mix) {
            for (int j = 0; j < LATENT; j++) {
                row[j] = (float) random.nextGaussian();
            }
        }
    }

    float[] embeddingLike() {
        double[] z = new double[LATENT];
        for (int j = 0; j < LATENT; j++) {
            z[j] = random.nextGaussian();
        }
        float[] v = new float[mix.length];
        for (int i = 0; i < v.length; i++) {
            double x = 0;
            for (int j = 0; j < LATENT; j++) {
                x += mix[i][j] * z[j];
            }
            v[i] = (float) (x + random.nextGaussian());
        }
        return Embedder.normalize(v);
    }

    float[] near(float[] base) {
        float[] v = base.clone();
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (random.nextGaussian() * 0.03);
        }
        return Embedder.normalize(v);
    }

    /**
     * A sample of the indexed chunks (every n-th, at most 20,000) to draw queries from: the texts and vectors of a
     * million chunks would take gigabytes beside the index itself.
     */
    public record Sample(List<String> texts, List<float[]> vectors) {
    }

    /**
     * Builds the index and closes it. With
     * {@code reuse} the index is already there: the same seeded chunks are generated for the sample, not written.
     * An index holding fewer chunks than asked for is a build cut off at one of its commits (every 100,000 chunks):
     * it is resumed there, since the chunks are generated in the same seeded order, and the report's
     * {@code resumed_from} and {@code built_chunks} say which part this run built (a 3M build takes about an hour).
     */
    public Sample build(Path indexDir, JsonObject report, boolean reuse) throws Exception {
        if (reuse) {
            return sampleOnly();
        }
        List<EuroparlCorpus.Doc> lines = EuroparlCorpus.english(options.corpus(), 20_000);
        int every = Math.max(1, options.chunks() / 20_000);
        Sample sample = new Sample(new ArrayList<>(), new ArrayList<>());
        long t0 = System.nanoTime();
        try (ChunkIndex index = ChunkIndex.open(indexDir, options.model(), options.dimensions())) {
            long resumedFrom = index.counts()[1];
            if (resumedFrom >= options.chunks()) {
                throw DindexException.badRequest(indexDir + " already holds " + resumedFrom + " chunks, but its"
                        + " bench-built.json is missing: use another --keep folder");
            }
            if (resumedFrom > 0) {
                System.err.printf("bench search: resuming a build cut off after %,d chunks%n", resumedFrom);
            }
            List<WriteOp> batch = new ArrayList<>();
            for (int i = 0; i < options.chunks(); i++) {
                EuroparlCorpus.Doc line = lines.get(i % lines.size());
                String text = line.text().length() > 1200 ? line.text().substring(0, 1200) : line.text();
                float[] v = embeddingLike();
                if (i % every == 0) {
                    sample.vectors().add(v);
                    sample.texts().add(text);
                }
                if (i < resumedFrom) {
                    continue; // the vector above was drawn all the same, to keep the seeded sequence
                }
                String source = "bench://search/" + i;
                String id = DocumentIds.forSource(source);
                batch.add(new WriteOp.Upsert(new DocumentRecord(id, source, line.title(), null, "h",
                        Map.of("group", i % 100 == 0 ? "rare" : "common"), i, 0,
                        List.of(new ChunkRecord(ChunkRecord.id(id, 0), 0, text, List.of(), 0, 200, v)))));
                if (batch.size() == 2000) {
                    index.write(batch);
                    batch = new ArrayList<>();
                }
                if ((i + 1) % 100_000 == 0) {
                    index.commit();
                    System.err.printf("bench search: %,d of %,d chunks indexed (%.0f s)%n", i + 1, options.chunks(),
                            (System.nanoTime() - t0) / 1e9);
                }
            }
            if (!batch.isEmpty()) {
                index.write(batch);
            }
            index.commit();
            // As a daemon's index is once its background merges caught up, not as the bulk load left it.
            index.awaitMerges();
            index.commit();
            report.put("build_seconds", (System.nanoTime() - t0) / 1e9);
            report.put("built_chunks", options.chunks() - resumedFrom);
            if (resumedFrom > 0) {
                report.put("resumed_from", resumedFrom);
            }
            report.put("segments", index.segmentCount());
            long t1 = System.nanoTime();
            index.close();
            report.put("close_seconds", (System.nanoTime() - t1) / 1e9);
        }
        return sample;
    }

    private Sample sampleOnly() throws Exception {
        List<EuroparlCorpus.Doc> lines = EuroparlCorpus.english(options.corpus(), 20_000);
        int every = Math.max(1, options.chunks() / 20_000);
        Sample sample = new Sample(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < options.chunks(); i++) {
            float[] v = embeddingLike(); // the same random sequence as the build
            if (i % every == 0) {
                String text = lines.get(i % lines.size()).text();
                sample.vectors().add(v);
                sample.texts().add(text.length() > 1200 ? text.substring(0, 1200) : text);
            }
        }
        return sample;
    }

    /**
     * The ways to run one search, timed side by side: a direct call, the daemon's event bus, the daemon's socket, and
     * two floors: a {@link PlainSocketServer} answering a reply of the usual size without JSON, and the same server
     * speaking the bridge's JSON frames.
     */
    private enum Path5 { DIRECT, BUS, SOCKET, PLAIN, PLAIN_JSON }

    /**
     * Everything measured against a daemon running in this process on the built index: each search five ways
     * ({@link Path5}: a direct call of a search service made as the daemon makes its own, from {@code options} with
     * a retrieval pool of its own, on the daemon's index; a request on the daemon's event bus; the same request
     * through the socket; and the two plain-server floors), interleaved query by query so that noise hits them all
     * alike; then query embedding, dense recall, throughput and search during ingest.
     */
    public void measure(Daemon daemon, SearchOptions options, Sample sample, JsonObject report,
                        List<EuroparlCorpus.Doc> ingestDocs) throws Exception {
        try (RetrievalPool pool = new RetrievalPool(Runtime.getRuntime().availableProcessors())) {
            measure(daemon, new SearchService(options).denseBranchOn(pool.branches()),
                    daemon.collections().defaultCollection().index(), sample, report, ingestDocs);
        }
    }

    private void measure(Daemon daemon, SearchService service,
                         IndexService indexService, Sample sample, JsonObject report,
                         List<EuroparlCorpus.Doc> ingestDocs) throws Exception {
        var bus = daemon.vertx().eventBus();
        List<SearchRequest> requests = new ArrayList<>();
        for (int q = 0; q < options.queries(); q++) {
            requests.add(request(sample.texts(), sample.vectors(), "hybrid"));
        }
        JsonObject modes = new JsonObject();
        Function<JsonObject, JsonObject> direct = body -> {
            SearchRequest r = SearchRequest.parse(body);
            try {
                return service.search(indexService.index(), r, r.mode() == SearchRequest.Mode.BM25 ? null
                        : Embedder.normalize(r.queryVector().clone()), null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        // The floors' servers: the plain one looks the request up by number and answers bytes of a reply's usual
        // size; the JSON one does what the bridge must (decode the frame, search, encode the reply frame).
        List<JsonObject> current = new ArrayList<>();
        byte[][] usualReply = new byte[1][];
        Path floorDir = Files.createTempDirectory("dindex-bench-floor",
                PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
        int workers = Runtime.getRuntime().availableProcessors();
        try (PlainSocketServer plain = new PlainSocketServer(floorDir.resolve("plain.sock"), workers, payload -> {
                 direct.apply(current.get(ByteBuffer.wrap(payload).getInt()));
                 return usualReply[0];
             });
             PlainSocketServer plainJson = new PlainSocketServer(floorDir.resolve("json.sock"), workers, payload -> {
                 JsonObject frame = Frames.decode(payload, 0, payload.length);
                 return Frames.utf8(Frames.message(frame.getString("replyAddress"),
                         direct.apply(frame.getJsonObject("body"))));
             });
             DindexClient c = DindexClient.connect(daemon.socket());
             DindexClient cj = DindexClient.connect(plainJson.socket());
             SocketChannel cp = SocketChannel.open(
                     UnixDomainSocketAddress.of(plain.socket()))) {
            for (String mode : List.of("bm25", "dense", "hybrid")) {
                List<JsonObject> bodies = requests.stream().map(r -> json(withMode(r, mode), true)).toList();
                current.clear();
                current.addAll(bodies);
                usualReply[0] = Frames.utf8(Frames.message("dindex.client.bench.1",
                        direct.apply(bodies.get(0))));
                int paths = Path5.values().length;
                long[][] nanos = new long[paths][bodies.size()];
                for (int round = 0; round < 2; round++) {
                    int n = round == 0 ? Math.min(300, bodies.size()) : bodies.size(); // round 0 warms up
                    for (int i = 0; i < n; i++) {
                        JsonObject body = bodies.get(i);
                        for (int k = 0; k < paths; k++) {
                            Path5 how = Path5.values()[(i + k) % paths];
                            long t0 = System.nanoTime();
                            switch (how) {
                                case DIRECT -> direct.apply(body);
                                case BUS -> bus.request(Addresses.SEARCH, body).toCompletionStage()
                                        .toCompletableFuture().get();
                                case SOCKET -> c.request(Addresses.SEARCH, body);
                                case PLAIN -> {
                                    PlainSocketServer.writeFrame(cp, ByteBuffer.allocate(4).putInt(i)
                                            .array());
                                    if (PlainSocketServer.readFrame(cp) == null) {
                                        throw new IllegalStateException("the plain socket server closed the"
                                                + " connection: its search failed");
                                    }
                                }
                                case PLAIN_JSON -> cj.request(Addresses.SEARCH, body);
                            }
                            if (round == 1) {
                                nanos[how.ordinal()][i] = System.nanoTime() - t0;
                            }
                        }
                    }
                }
                JsonObject m = new JsonObject();
                for (Path5 how : Path5.values()) {
                    m.put(how.name().toLowerCase(Locale.ROOT), percentiles(nanos[how.ordinal()]));
                }
                m.put("socket_minus_direct_p50_ms", pairedMedianMs(nanos[2], nanos[0]))
                        .put("socket_minus_bus_p50_ms", pairedMedianMs(nanos[2], nanos[1]))
                        .put("bus_minus_direct_p50_ms", pairedMedianMs(nanos[1], nanos[0]))
                        .put("plain_minus_direct_p50_ms", pairedMedianMs(nanos[3], nanos[0]))
                        .put("plain_json_minus_direct_p50_ms", pairedMedianMs(nanos[4], nanos[0]))
                        .put("socket_minus_plain_json_p50_ms", pairedMedianMs(nanos[2], nanos[4]))
                        .put("reply_bytes", usualReply[0].length);
                modes.put(mode, m);
            }
            report.put("latency", modes);
        } finally {
            Files.deleteIfExists(floorDir);
        }
        try (DindexClient c = DindexClient.connect(daemon.socket())) {
            // With real query embedding (the model runs in the daemon).
            List<JsonObject> text = requests.stream().map(r -> json(r, false)).toList();
            text.subList(0, Math.min(50, text.size())).forEach(b -> c.request(Addresses.SEARCH, b));
            report.put("socket_hybrid_with_embedding", time(c, text));
        }

        // Dense recall@10 of the default settings against exact search.
        ChunkIndex index = indexService.index();
        double recall = 0;
        int n = Math.min(200, requests.size());
        try (IndexSnapshot snap = index.acquire()) {
            for (int i = 0; i < n; i++) {
                float[] q = requests.get(i).queryVector();
                Set<Integer> truth = new HashSet<>();
                index.exactDenseSearch(snap, q, 10).forEach(h -> truth.add(h.doc()));
                long found = index.denseSearch(snap, q, 10, 100, null, 0).stream()
                        .filter(h -> truth.contains(h.doc())).count();
                recall += found / 10.0;
            }
        }
        report.put("dense_recall_at_10", recall / n);

        // Queries/s at 16 threads, hybrid: direct and through the socket.
        report.put("direct_hybrid_qps_16", throughput(16, Duration.ofSeconds(5), () -> {
            SearchRequest r = requests.get(random.nextInt(requests.size()));
            try {
                service.search(index, r, r.queryVector(), null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }));
        report.put("socket_hybrid_qps_16", throughput(16, Duration.ofSeconds(5), new Runnable() {
            final ThreadLocal<DindexClient> clients = ThreadLocal.withInitial(
                    () -> DindexClient.connect(daemon.socket()));

            @Override
            public void run() {
                clients.get().request(Addresses.SEARCH, json(requests.get(random.nextInt(requests.size())), true));
            }
        }));
        duringIngest(daemon.socket(), requests, report, ingestDocs);
    }

    /** The median over queries of {@code a[i] - b[i]}, in ms: the paired difference, robust to drift. */
    private static double pairedMedianMs(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        Arrays.sort(d);
        return d[d.length / 2] / 1e6;
    }

    private SearchRequest request(List<String> texts, List<float[]> vectors, String mode) {
        String[] words = texts.get(random.nextInt(texts.size())).split("\\s+");
        int start = random.nextInt(Math.max(1, words.length - 6));
        String query = String.join(" ", Arrays.copyOfRange(words, start, Math.min(words.length,
                start + 5)));
        float[] v = near(vectors.get(random.nextInt(vectors.size())));
        return new SearchRequest(query.isBlank() ? "parliament" : query, 10,
                SearchRequest.Mode.valueOf(mode.toUpperCase(Locale.ROOT)), SearchFilters.NONE,
                false, null, null, null, v);
    }

    private static SearchRequest withMode(SearchRequest r, String mode) {
        return new SearchRequest(r.query(), r.topK(), SearchRequest.Mode.valueOf(mode.toUpperCase(
                Locale.ROOT)), r.filters(), false, null, null, null, r.queryVector());
    }

    private static JsonObject json(SearchRequest r, boolean withVector) {
        JsonObject body = SearchQuery.of(r.query()).withMode(r.mode().name().toLowerCase(Locale.ROOT))
                .withTopK(r.topK()).toJson();
        if (withVector) {
            body.put("query_vector", QueryVectors.encode(r.queryVector()));
        }
        return body;
    }

    /** Blocks of idle and busy searches, alternated so that drift in the machine's noise hits both alike. */
    private static final int INGEST_BLOCKS = 4;
    /** How long an ingest runs, unmeasured, before the blocks. */
    private static final Duration INGEST_WARMUP = Duration.ofSeconds(15);

    /**
     * Search p99 while an ingest runs, against idle, same requests, through the socket, after an unmeasured ingest of
     * {@link #INGEST_WARMUP}. The requests are split into {@link #INGEST_BLOCKS} blocks, each searched once idle and
     * once while an ingest runs (idle, busy, idle, busy, ...), and the p99s are taken over all idle and all busy
     * searches: one idle series followed by one busy series would compare two stretches of a shared machine's noise,
     * not idle against busy.
     */
    private void duringIngest(Path socket, List<SearchRequest> requests, JsonObject report,
                              List<EuroparlCorpus.Doc> ingestDocs) throws Exception {
        try (DindexClient c = DindexClient.connect(socket)) {
            List<JsonObject> hybrid = requests.stream().map(r -> json(r, true)).toList();
            int per = Math.max(1, hybrid.size() / INGEST_BLOCKS);
            long[] idle = new long[per * INGEST_BLOCKS];
            long[] busy = new long[per * INGEST_BLOCKS];
            LongAdder ingested = new LongAdder();
            String run = Long.toString(System.currentTimeMillis(), 36);
            // Warm the ingest path first, as the searches were warmed: the first seconds of a daemon's first ingest
            // are spent compiling it (thousands of methods, on normal-priority threads beside the searches), which a
            // running daemon does once, not at every ingest.
            AtomicBoolean warmed = new AtomicBoolean();
            Thread warm = Thread.ofPlatform().start(() -> ingestUntil(socket, "bench://ingest/" + run + "/warm/",
                    ingestDocs, warmed, new LongAdder()));
            Thread.sleep(INGEST_WARMUP.toMillis());
            warmed.set(true);
            warm.join();
            for (int b = 0; b < INGEST_BLOCKS; b++) {
                List<JsonObject> block = hybrid.subList(b * per, (b + 1) * per);
                System.arraycopy(timeNanos(c, block), 0, idle, b * per, per);
                AtomicBoolean stop = new AtomicBoolean();
                String prefix = "bench://ingest/" + run + "/" + b + "/";
                Thread ingest = Thread.ofPlatform().start(() -> ingestUntil(socket, prefix, ingestDocs, stop,
                        ingested));
                Thread.sleep(1500); // the pipeline is busy (batches embedding, commits) before measuring
                System.arraycopy(timeNanos(c, block), 0, busy, b * per, per);
                stop.set(true);
                ingest.join(); // its last batch is committed: the next idle block is idle
            }
            JsonObject idleMs = percentiles(idle);
            JsonObject busyMs = percentiles(busy);
            report.put("during_ingest", new JsonObject().put("idle", idleMs).put("ingesting", busyMs)
                    .put("p99_ratio", busyMs.getDouble("p99_ms") / idleMs.getDouble("p99_ms"))
                    .put("blocks", INGEST_BLOCKS)
                    .put("documents_ingested", ingested.sum()));
        }
    }

    /**
     * Submits documents in batches of 8 until {@code stop}, under sources new to the index (this run's id, the block,
     * the round), so nothing is skipped as unchanged, not even in an index kept from earlier runs.
     */
    private static void ingestUntil(Path socket, String prefix, List<EuroparlCorpus.Doc> docs, AtomicBoolean stop,
                                    LongAdder ingested) {
        try (DindexClient w = DindexClient.connect(socket)) {
            for (int i = 0; !stop.get(); i += 8) {
                JsonArray batch = new JsonArray();
                for (int j = i; j < i + 8; j++) {
                    batch.add(new JsonObject().put("source", prefix + (j / docs.size()) + "/" + (j % docs.size()))
                            .put("text", docs.get(j % docs.size()).text()));
                }
                w.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", batch), Duration.ofMinutes(10));
                ingested.add(batch.size());
            }
        }
    }

    private static long[] timeNanos(DindexClient client, List<JsonObject> bodies) {
        long[] nanos = new long[bodies.size()];
        for (int i = 0; i < bodies.size(); i++) {
            long t0 = System.nanoTime();
            client.request(Addresses.SEARCH, bodies.get(i));
            nanos[i] = System.nanoTime() - t0;
        }
        return nanos;
    }

    private static JsonObject time(DindexClient client, List<JsonObject> bodies) {
        return percentiles(timeNanos(client, bodies));
    }

    /** {@code {p50_ms, p99_ms}} of a series of nanosecond timings. */
    private static JsonObject percentiles(long[] nanos) {
        LatencyPercentiles s = LatencyPercentiles.ofNanos(nanos);
        return new JsonObject().put("p50_ms", s.p50Micros() / 1000).put("p99_ms", s.p99Micros() / 1000);
    }

    private static double throughput(int threads, Duration duration, Runnable call) throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> list = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            list.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    call.run();
                    done.increment();
                }
            }));
        }
        long t0 = System.nanoTime();
        Thread.sleep(duration.toMillis());
        stop.set(true);
        for (Thread t : list) {
            t.join();
        }
        return done.sum() / ((System.nanoTime() - t0) / 1e9);
    }

    public static JsonObject header(Options o) {
        return new JsonObject().put("benchmark", "search").put("date", Instant.now().toString())
                .put("machine", Machine.describe()).put("chunks", o.chunks()).put("queries", o.queries())
                .put("vectors", "synthetic embedding-like (16-d latent + noise), " + o.dimensions() + " dimensions");
    }

    public static String table(JsonObject r) {
        String saved = r.containsKey("close_seconds") ? String.format("closed in %.1f s",
                r.getDouble("close_seconds")) : "kept from an earlier run";
        StringBuilder sb = new StringBuilder(String.format("%,d chunks (built in %.0f s, %s; the daemon opened it in"
                        + " %.1f s), %d queries; ms, excluding query embedding%n", r.getInteger("chunks"),
                r.getDouble("build_seconds"), saved, r.getDouble("daemon_open_seconds", -1.0),
                r.getInteger("queries")));
        sb.append(String.format("%-8s %8s %8s %8s %8s %8s %8s %12s %12s%n", "mode", "direct", "p99", "bus", "p99",
                "socket", "p99", "sock-direct", "sock-bus"));
        JsonObject latency = r.getJsonObject("latency");
        for (String m : latency.fieldNames()) {
            JsonObject s = latency.getJsonObject(m);
            sb.append(String.format("%-8s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %12.3f %12.3f%n", m,
                    s.getJsonObject("direct").getDouble("p50_ms"), s.getJsonObject("direct").getDouble("p99_ms"),
                    s.getJsonObject("bus").getDouble("p50_ms"), s.getJsonObject("bus").getDouble("p99_ms"),
                    s.getJsonObject("socket").getDouble("p50_ms"), s.getJsonObject("socket").getDouble("p99_ms"),
                    s.getDouble("socket_minus_direct_p50_ms"), s.getDouble("socket_minus_bus_p50_ms")));
        }
        sb.append(String.format("socket floor, added to a direct call at p50 (a plain Unix-socket server handing the"
                + " same search to a worker thread):%n"));
        for (String m : latency.fieldNames()) {
            JsonObject s = latency.getJsonObject(m);
            sb.append(String.format("%-8s plain, %d-byte reply without JSON %.3f; plain with JSON frames %.3f;"
                            + " daemon %.3f (daemon - plain JSON %.3f)%n", m, s.getInteger("reply_bytes"),
                    s.getDouble("plain_minus_direct_p50_ms"), s.getDouble("plain_json_minus_direct_p50_ms"),
                    s.getDouble("socket_minus_direct_p50_ms"), s.getDouble("socket_minus_plain_json_p50_ms")));
        }
        JsonObject e = r.getJsonObject("socket_hybrid_with_embedding");
        sb.append(String.format("hybrid with query embedding, socket: p50 %.3f, p99 %.3f%n", e.getDouble("p50_ms"),
                e.getDouble("p99_ms")));
        sb.append(String.format("dense recall@10 vs exact: %.3f (target >= 0.95)%n", r.getDouble("dense_recall_at_10")));
        sb.append(String.format("hybrid queries/s at 16 threads: direct %.0f, socket %.0f%n",
                r.getDouble("direct_hybrid_qps_16"), r.getDouble("socket_hybrid_qps_16", 0.0)));
        JsonObject di = r.getJsonObject("during_ingest");
        if (di != null) {
            sb.append(String.format("hybrid p99 idle %.3f ms, during ingest %.3f ms: ratio %.2f (target <= 2;"
                            + " %d blocks of each, alternated, after a warm-up ingest; background threads at nice %d,"
                            + " %d documents ingested meanwhile)%n",
                    di.getJsonObject("idle").getDouble("p99_ms"), di.getJsonObject("ingesting").getDouble("p99_ms"),
                    di.getDouble("p99_ratio"), di.getInteger("blocks", 1), r.getInteger("background_nice", -1),
                    di.getLong("documents_ingested", -1L)));
        }
        return sb.toString();
    }
}
