package org.dindex.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.client.DindexClient;
import org.dindex.files.FileIndexer;
import org.dindex.embed.ModelCatalog;
import org.dindex.embed.ModelSpec;
import org.dindex.embed.OnnxEmbedder;
import org.dindex.index.ChunkIndex;
import org.dindex.index.ChunkRecord;
import org.dindex.index.DocumentIds;
import org.dindex.index.DocumentRecord;
import org.dindex.index.WriteOp;
import org.dindex.ingest.Chunk;
import org.dindex.ingest.Chunker;
import org.dindex.extract.ExtractedDocument;
import org.dindex.extract.ExtractionException;
import org.dindex.extract.Extractors;
import org.dindex.extract.Format;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code dindex bench ingest}: end-to-end chunks/s through a dedicated daemon (socket, chunking, batching, embedding,
 * WAL, index, commit) against the raw embedding rate of the same model on the same chunks in the same run (the ratio
 * is the figure that travels across machines), plus the index write rate with precomputed vectors and the daemon's
 * peak RSS.
 */
public final class IngestBenchmark {
    /** What to run against. */
    public record Options(Path corpus, int documents, String model, int threads, Path daemonSocket, long daemonPid) {
    }

    private final Options options;

    public IngestBenchmark(Options options) {
        this.options = options;
    }

    public JsonObject run() throws Exception {
        List<EuroparlCorpus.Doc> docs = mixedLengths(EuroparlCorpus.english(options.corpus(), options.documents()));
        ModelSpec spec = ModelCatalog.byName(options.model()).orElseThrow();
        List<ExtractedDocument> extracted = new ArrayList<>();
        for (EuroparlCorpus.Doc d : docs) {
            extracted.add(extract(d));
        }

        // 1. The embedding rates of the same model on the same chunks, in this process (EmbeddingBaseline).
        List<List<Chunk>> chunked = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        double chunkSeconds;
        List<float[]> vectors;
        try (OnnxEmbedder embedder = OnnxEmbedder.load(spec, options.threads())) {
            Chunker chunker = new Chunker(embedder.tokenizer(),
                    Chunker.Options.forModel(spec.maxSequenceTokens(), embedder.tokenizer().specialTokens()));
            for (ExtractedDocument d : extracted) {
                chunker.chunk(d); // warm-up of the tokenizer
            }
            long c0 = System.nanoTime();
            for (ExtractedDocument d : extracted) {
                List<Chunk> cs = chunker.chunk(d);
                chunked.add(cs);
                cs.forEach(c -> texts.add(c.text()));
            }
            chunkSeconds = (System.nanoTime() - c0) / 1e9;
            vectors = new ArrayList<>();
            for (int i = 0; i < texts.size(); i += 8) {  // the vectors for the index write rate below
                vectors.addAll(embedder.embedPassages(texts.subList(i, Math.min(texts.size(), i + 8))));
            }
        }
        EmbeddingBaseline baseline = EmbeddingBaseline.measure(spec, options.threads(), texts);
        int chunks = texts.size();

        // 2. End to end through the daemon: senders keep the pipeline full, as `dindex index` does.
        try (DindexClient warm = DindexClient.connect(options.daemonSocket())) {
            warm.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", new JsonArray().add(
                    new JsonObject().put("source", "bench://warm-up").put("text", docs.getFirst().text()))),
                    Duration.ofMinutes(5));
        }
        // Requests as `dindex index` makes them: as many documents and as much text each, as many senders.
        List<JsonArray> requests = new ArrayList<>();
        JsonArray current = new JsonArray();
        int chars = 0;
        for (int j = 0; j < docs.size(); j++) {
            current.add(new JsonObject().put("source", "bench://europarl/" + j)
                    .put("title", docs.get(j).title()).put("text", docs.get(j).text()));
            chars += docs.get(j).text().length();
            if (current.size() >= FileIndexer.BATCH_DOCS || chars >= FileIndexer.BATCH_CHARS) {
                requests.add(current);
                current = new JsonArray();
                chars = 0;
            }
        }
        if (!current.isEmpty()) {
            requests.add(current);
        }
        AtomicInteger nextRequest = new AtomicInteger();
        LongAdder indexed = new LongAdder();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        long t0 = System.nanoTime();
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < FileIndexer.SENDERS; s++) {
            senders.add(Thread.ofPlatform().start(() -> {
                try (DindexClient client = DindexClient.connect(options.daemonSocket())) {
                    for (int i = nextRequest.getAndIncrement(); i < requests.size(); i = nextRequest.getAndIncrement()) {
                        JsonObject reply = client.request(Addresses.INDEX_SUBMIT, new JsonObject()
                                .put("documents", requests.get(i)), Duration.ofMinutes(30));
                        for (Object o : reply.getJsonArray("results")) {
                            indexed.add(((JsonObject) o).getInteger("chunks", 0));
                        }
                    }
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread t : senders) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("indexing failed: " + failures.peek().getMessage(), failures.peek());
        }
        try (DindexClient client = DindexClient.connect(options.daemonSocket())) {
            client.request(Addresses.COMMIT, new JsonObject(), Duration.ofMinutes(30));
        }
        long indexedChunks = indexed.sum();
        double e2eSeconds = (System.nanoTime() - t0) / 1e9;
        long peakRss = peakRss(options.daemonPid());

        // 3. Index write rate with precomputed vectors (in this process, a temporary index).
        Path tmp = Files.createTempDirectory("dindex-bench-index");
        double writeSeconds;
        try (ChunkIndex index = ChunkIndex.open(tmp, spec.name(), spec.dimensions())) {
            List<WriteOp> ops = new ArrayList<>();
            int v = 0;
            for (int d = 0; d < docs.size(); d++) {
                String id = DocumentIds.forSource("bench://" + d);
                List<ChunkRecord> records = new ArrayList<>();
                for (int c = 0; c < chunked.get(d).size(); c++) {
                    Chunk chunk = chunked.get(d).get(c);
                    records.add(new ChunkRecord(ChunkRecord.id(id, c), c, chunk.text(), chunk.section(),
                            chunk.position(), chunk.tokens(), vectors.get(v++)));
                }
                ops.add(new WriteOp.Upsert(new DocumentRecord(id, "bench://" + d, docs.get(d).title(), null, "h",
                        Map.of(), 0, 0, records)));
            }
            long w0 = System.nanoTime();
            for (int i = 0; i < ops.size(); i += 8) {
                index.write(ops.subList(i, Math.min(ops.size(), i + 8)));
            }
            index.commit();
            writeSeconds = (System.nanoTime() - w0) / 1e9;
        } finally {
            deleteTree(tmp);
        }

        double e2e = indexedChunks / e2eSeconds;
        return new JsonObject()
                .put("benchmark", "ingest")
                .put("date", Instant.now().toString())
                .put("machine", Machine.describe())
                .put("model", spec.name())
                .put("documents", docs.size())
                .put("chunks", chunks)
                .put("chunk_characters", new JsonObject().put("median", median(texts))
                        .put("min", texts.stream().mapToInt(String::length).min().orElse(0))
                        .put("max", texts.stream().mapToInt(String::length).max().orElse(0)))
                .put("chunking_chunks_per_s", chunks / chunkSeconds)
                .put("embedding", baseline.toJson())
                .put("end_to_end_chunks_per_s", e2e)
                .put("ratio_to_strong_baseline", e2e / baseline.strong())
                .put("ratio_to_daemon_windows", e2e / baseline.windowed())
                .put("ratio_to_naive_loop", e2e / baseline.naive())
                .put("index_write_chunks_per_s", chunks / writeSeconds)
                // What the daemon's work would allow if its three parts took turns on the same cores: the strong
                // baseline's embedding plus chunking plus index writes, each at its rate measured above.
                .put("serial_ceiling_chunks_per_s", 1 / (1 / baseline.strong() + chunkSeconds / chunks
                        + writeSeconds / chunks))
                .put("ratio_to_serial_ceiling", e2e * (1 / baseline.strong() + chunkSeconds / chunks
                        + writeSeconds / chunks))
                .put("daemon_peak_rss_bytes", peakRss)
                .put("targets", new JsonObject().put("ratio_to_strong_baseline", 0.95));
    }

    /**
     * Every other document split into its paragraphs, each a document of its own: short inputs beside the long
     * prose of whole speeches, as a folder of notes beside long articles would give.
     */
    static List<EuroparlCorpus.Doc> mixedLengths(List<EuroparlCorpus.Doc> docs) {
        List<EuroparlCorpus.Doc> mixed = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            EuroparlCorpus.Doc d = docs.get(i);
            if (i % 2 == 0) {
                mixed.add(d);
                continue;
            }
            int p = 0;
            for (String paragraph : d.text().split("\n\n")) {
                if (!paragraph.isBlank()) {
                    mixed.add(new EuroparlCorpus.Doc(d.title() + " (" + ++p + ")", paragraph.strip()));
                }
            }
        }
        return mixed;
    }

    private static int median(List<String> texts) {
        int[] lengths = texts.stream().mapToInt(String::length).sorted().toArray();
        return lengths.length == 0 ? 0 : lengths[lengths.length / 2];
    }

    private static ExtractedDocument extract(EuroparlCorpus.Doc d) throws ExtractionException {
        return Extractors.fromText(d.text(), Format.TEXT, d.title());
    }

    static long peakRss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // temp files
        }
    }

    public static String table(JsonObject r) {
        JsonObject lengths = r.getJsonObject("chunk_characters");
        return String.format("model %s, %d documents, %d chunks (characters: median %d, %d-%d)%n",
                r.getString("model"), r.getInteger("documents"), r.getInteger("chunks"), lengths.getInteger("median"),
                lengths.getInteger("min"), lengths.getInteger("max"))
                + String.format("%-44s %10.1f chunks/s%n", "chunking (tokenizer, one thread)",
                r.getDouble("chunking_chunks_per_s"))
                + EmbeddingBaseline.fromJson(r.getJsonObject("embedding")).table()
                + String.format("%-44s %10.1f chunks/s%n", "end to end through the daemon",
                r.getDouble("end_to_end_chunks_per_s"))
                + String.format("%-44s %10.2f (target >= 0.95)%n", "end to end / strong baseline",
                r.getDouble("ratio_to_strong_baseline"))
                + String.format("%-44s %10.2f%n", "end to end / the daemon's windows",
                r.getDouble("ratio_to_daemon_windows"))
                + String.format("%-44s %10.2f%n", "end to end / naive loop", r.getDouble("ratio_to_naive_loop"))
                + String.format("%-44s %10.1f chunks/s%n", "index write, precomputed vectors",
                r.getDouble("index_write_chunks_per_s"))
                + String.format("%-44s %10.1f chunks/s%n", "serial ceiling: embed + chunk + write",
                r.getDouble("serial_ceiling_chunks_per_s", 0.0))
                + String.format("%-44s %10.2f%n", "end to end / serial ceiling",
                r.getDouble("ratio_to_serial_ceiling", 0.0))
                + String.format("%-44s %10.0f MB%n", "daemon peak RSS", r.getLong("daemon_peak_rss_bytes") / 1048576.0);
    }
}
