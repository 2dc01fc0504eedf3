package org.dindex.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.client.DindexClient;
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
        List<EuroparlCorpus.Doc> docs = EuroparlCorpus.english(options.corpus(), options.documents());
        ModelSpec spec = ModelCatalog.byName(options.model()).orElseThrow();
        List<ExtractedDocument> extracted = new ArrayList<>();
        for (EuroparlCorpus.Doc d : docs) {
            extracted.add(extract(d));
        }

        // 1. Raw embedding rate of the same model on the same chunks (in this process).
        List<List<Chunk>> chunked = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<float[]> vectors;
        double rawSeconds;
        try (OnnxEmbedder embedder = OnnxEmbedder.load(spec, options.threads())) {
            Chunker chunker = new Chunker(embedder.tokenizer(),
                    Chunker.Options.forModel(spec.maxSequenceTokens(), embedder.tokenizer().specialTokens()));
            for (ExtractedDocument d : extracted) {
                List<Chunk> cs = chunker.chunk(d);
                chunked.add(cs);
                cs.forEach(c -> texts.add(c.text()));
            }
            embedder.embedPassages(texts.subList(0, Math.min(16, texts.size()))); // warm-up
            vectors = new ArrayList<>(texts.size());
            long t0 = System.nanoTime();
            for (int i = 0; i < texts.size(); i += 16) {
                vectors.addAll(embedder.embedPassages(texts.subList(i, Math.min(texts.size(), i + 16))));
            }
            rawSeconds = (System.nanoTime() - t0) / 1e9;
        }
        int chunks = texts.size();

        // 2. End to end through the daemon: two senders keep the pipeline full, as `dindex index` does.
        try (DindexClient warm = DindexClient.connect(options.daemonSocket())) {
            warm.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", new JsonArray().add(
                    new JsonObject().put("source", "bench://warm-up").put("text", docs.getFirst().text()))),
                    java.time.Duration.ofMinutes(5));
        }
        java.util.concurrent.atomic.AtomicInteger nextBatch = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.LongAdder indexed = new java.util.concurrent.atomic.LongAdder();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        long t0 = System.nanoTime();
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < 2; s++) {
            senders.add(Thread.ofPlatform().start(() -> {
                try (DindexClient client = DindexClient.connect(options.daemonSocket())) {
                    for (int i = nextBatch.getAndAdd(8); i < docs.size(); i = nextBatch.getAndAdd(8)) {
                        JsonArray batch = new JsonArray();
                        for (int j = i; j < Math.min(docs.size(), i + 8); j++) {
                            batch.add(new JsonObject().put("source", "bench://europarl/" + j)
                                    .put("title", docs.get(j).title()).put("text", docs.get(j).text()));
                        }
                        JsonObject reply = client.request(Addresses.INDEX_SUBMIT, new JsonObject()
                                .put("documents", batch), java.time.Duration.ofMinutes(30));
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
            client.request(Addresses.COMMIT, new JsonObject(), java.time.Duration.ofMinutes(30));
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

        double raw = chunks / rawSeconds;
        double e2e = indexedChunks / e2eSeconds;
        return new JsonObject()
                .put("benchmark", "ingest")
                .put("date", Instant.now().toString())
                .put("machine", Machine.describe())
                .put("model", spec.name())
                .put("documents", docs.size())
                .put("chunks", chunks)
                .put("raw_embedding_chunks_per_s", raw)
                .put("end_to_end_chunks_per_s", e2e)
                .put("ratio", e2e / raw)
                .put("index_write_chunks_per_s", chunks / writeSeconds)
                .put("daemon_peak_rss_bytes", peakRss)
                .put("targets", new JsonObject().put("ratio", 0.85));
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
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // temp files
        }
    }

    public static String table(JsonObject r) {
        return String.format("""
                        model %s, %d documents, %d chunks
                        %-36s %10.1f chunks/s
                        %-36s %10.1f chunks/s
                        %-36s %10.2f (target >= 0.85)
                        %-36s %10.1f chunks/s
                        %-36s %10.0f MB
                        """, r.getString("model"), r.getInteger("documents"), r.getInteger("chunks"),
                "raw embedding (same model, in-process)", r.getDouble("raw_embedding_chunks_per_s"),
                "end to end through the daemon", r.getDouble("end_to_end_chunks_per_s"),
                "ratio", r.getDouble("ratio"),
                "index write, precomputed vectors", r.getDouble("index_write_chunks_per_s"),
                "daemon peak RSS", r.getLong("daemon_peak_rss_bytes") / 1048576.0);
    }
}
