package org.dindex.bench;

import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.client.DindexClient;
import org.dindex.protocol.CollectionInfo;
import org.dindex.protocol.ImportRequest;
import org.dindex.protocol.JobInfo;
import org.dindex.protocol.QueryVectors;
import org.dindex.protocol.SnapshotInfo;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import io.vertx.core.json.JsonArray;

/**
 * {@code dindex bench snapshot}: what a snapshot of a collection of a given size costs. A collection of
 * {@code chunks} chunks is built without embedding (an export file with seeded random unit vectors and synthetic
 * text, imported: the same path as moving a collection between machines), then timed: a snapshot into the daemon's
 * folder (files hard-linked), optionally one into another folder ({@code copyTo}, copied when it is on another file
 * system), and a restore into a new collection (every file's SHA-256 verified, linked, opened and checked).
 */
public final class SnapshotBenchmark {
    /**
     * @param socket     the daemon (a temporary one)
     * @param chunks     chunks in the collection (one per document)
     * @param model      the daemon's embedding model (the vectors are made for it, so nothing is embedded)
     * @param dimensions its vector length
     * @param work       a folder for the generated export file
     * @param copyTo     a folder for a second snapshot, or null
     */
    public record Options(Path socket, int chunks, String model, int dimensions, Path work, Path copyTo) {
    }

    private static final String[] WORDS = ("harbour tide lighthouse keeper lamp lens beam reef coral whale current"
            + " sail knot rope anchor hull keel mast storm wave shore cliff island channel buoy chart compass north"
            + " south east west moon sun star night morning fisher net cod herring quota council vote report member"
            + " parliament policy budget trade market price farm grain bread oven yeast dough river bridge road"
            + " railway station engine steam coal iron steel mine valley mountain forest tree leaf root seed garden"
            + " rose apple orchard winter spring summer autumn rain snow wind cloud").split(" ");

    private final Options options;

    public SnapshotBenchmark(Options options) {
        this.options = options;
    }

    public JsonObject run() throws IOException {
        JsonObject report = new JsonObject().put("machine", Machine.describe()).put("chunks", options.chunks())
                .put("model", options.model()).put("dimensions", options.dimensions());
        Path file = options.work().resolve("bench-collection.jsonl");
        long t0 = System.nanoTime();
        write(file);
        report.put("generate_seconds", seconds(t0));
        try (Dindex dindex = Dindex.over(DindexClient.connect(options.socket()))) {
            dindex.createCollection("bench", options.model());
            Dindex bench = dindex.inCollection("bench");
            long t1 = System.nanoTime();
            JobInfo job = bench.importFile(ImportRequest.of(file));
            JobInfo done = dindex.follow(job.id(), j -> { }, null, Duration.ofHours(12));
            if (!"completed".equals(done.state())) {
                throw new IllegalStateException("the import of the generated collection " + done.state() + ": "
                        + done.raw().getString("error"));
            }
            double build = seconds(t1);
            report.put("build", new JsonObject().put("seconds", build).put("chunks_per_second",
                    Math.round(options.chunks() / build)));

            long t2 = System.nanoTime();
            SnapshotInfo linked = bench.createSnapshot(null);
            report.put("snapshot", snapshotFigures(linked, seconds(t2)));
            if (options.copyTo() != null) {
                Files.createDirectories(options.copyTo());
                long t3 = System.nanoTime();
                SnapshotInfo copied = bench.createSnapshot(options.copyTo());
                report.put("snapshot_elsewhere", snapshotFigures(copied, seconds(t3)));
            }
            long t4 = System.nanoTime();
            CollectionInfo restored = dindex.restoreSnapshot(linked.id(), "restored", false);
            report.put("restore", new JsonObject().put("seconds", seconds(t4))
                    .put("documents", restored.documents()).put("chunks", restored.chunks()));
            if (restored.chunks() != options.chunks()) {
                throw new IllegalStateException("the restored collection holds " + restored.chunks() + " chunks, not "
                        + options.chunks());
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return report;
    }

    private static JsonObject snapshotFigures(SnapshotInfo s, double seconds) {
        return new JsonObject().put("seconds", seconds).put("daemon_ms", s.raw().getLong("millis"))
                .put("bytes", s.bytes()).put("files", s.raw().getInteger("files"))
                .put("linked_files", s.raw().getInteger("linked_files")).put("path", s.path());
    }

    /** An export file of {@code chunks} one-chunk documents with seeded random unit vectors. */
    private void write(Path file) throws IOException {
        Random random = new Random(20261207);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            float[] v = new float[options.dimensions()];
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < options.chunks(); i++) {
                double norm = 0;
                for (int d = 0; d < v.length; d++) {
                    v[d] = (float) random.nextGaussian();
                    norm += v[d] * v[d];
                }
                float scale = (float) (1 / Math.sqrt(norm));
                for (int d = 0; d < v.length; d++) {
                    v[d] *= scale;
                }
                text.setLength(0);
                for (int w = 0; w < 40; w++) {
                    text.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
                }
                String docId = String.format("%020x", i);
                out.write(new JsonObject().put("chunk_id", docId + "-0").put("document_id", docId)
                        .put("source", "bench://" + i).put("title", "Document " + i).put("chunk_index", 0)
                        .put("section_hierarchy", new JsonArray()).put("position", 0.0)
                        .put("token_count", 48).put("timestamp", 1_700_000_000_000L + i)
                        .put("metadata", new JsonObject()).put("content", text.toString())
                        .put("model", options.model()).put("vector", QueryVectors.encode(v)).encode());
                out.write('\n');
            }
        }
    }

    private static double seconds(long t0) {
        return Math.round((System.nanoTime() - t0) / 1e7) / 100.0;
    }

    public static String table(JsonObject r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("snapshot of a collection of %,d chunks (%s, %d dimensions)%n", r.getInteger("chunks"),
                r.getString("model"), r.getInteger("dimensions")));
        JsonObject build = r.getJsonObject("build");
        sb.append(String.format("  build (import with vectors)   %8.1f s   %,d chunks/s%n", build.getDouble("seconds"),
                build.getLong("chunks_per_second")));
        row(sb, "snapshot (same file system)", r.getJsonObject("snapshot"));
        if (r.getJsonObject("snapshot_elsewhere") != null) {
            row(sb, "snapshot (--to elsewhere)", r.getJsonObject("snapshot_elsewhere"));
        }
        sb.append(String.format("  restore (verify, link, open)  %8.2f s%n", r.getJsonObject("restore")
                .getDouble("seconds")));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String label, JsonObject s) {
        sb.append(String.format("  %-28s  %8.2f s   %,.1f MB in %d files (%d hard-linked)%n", label,
                s.getDouble("seconds"), s.getLong("bytes") / 1e6, s.getInteger("files"), s.getInteger("linked_files")));
    }
}
