package org.dindex.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.Addresses;
import org.dindex.bus.DindexException;
import org.dindex.bus.ErrorCode;
import org.dindex.client.DindexClient;
import org.dindex.config.Settings;
import org.dindex.ingest.extract.Block;
import org.dindex.ingest.extract.ExtractedDocument;
import org.dindex.ingest.extract.ExtractionException;
import org.dindex.ingest.extract.Extractors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code dindex index PATH...}: extracts files here, streams them to the daemon in small batches (a reader thread
 * extracts the next batch while the daemon embeds the current one; at most two batches are held, so memory stays
 * bounded whatever the corpus), shows progress, and waits until the content is searchable.
 */
@Command(name = "index", description = "Index files and folders (recursively; hidden ones skipped).")
final class IndexCommand implements Callable<Integer> {
    /** Batches close at this much text, so one request embeds in seconds, not minutes. */
    static final int BATCH_CHARS = 64 * 1024;
    static final int BATCH_DOCS = 32;
    static final Duration SUBMIT_TIMEOUT = Duration.ofMinutes(30);
    static final int SENDERS = 2;

    @ParentCommand
    DindexCommand root;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders to index.")
    List<Path> paths;

    @Option(names = "--title", description = "Title of the document (a single file only).")
    String title;

    @Option(names = "--url", description = "URL to cite for the document (a single file only).")
    String url;

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Metadata for every document (repeatable).")
    Map<String, String> meta = new LinkedHashMap<>();

    @Option(names = "--hidden", description = "Include hidden files and folders.")
    boolean hidden;

    @Option(names = "--no-wait", description = "Return once the documents are durable, before they are searchable.")
    boolean noWait;

    @Option(names = "--json", description = "Print the summary as JSON (no progress).")
    boolean json;

    /** One file's outcome. */
    record Outcome(String source, String status, int chunks, String reason) {
    }

    private record Batch(List<JsonObject> documents, List<Outcome> skipped, boolean last) {
    }

    /** Passed on by whichever sender sees the end first, so every sender stops. */
    private static final Batch END = new Batch(List.of(), List.of(), true);

    @Override
    public Integer call() throws Exception {
        List<Path> files = collect();
        if ((title != null || url != null) && files.size() != 1) {
            throw new picocli.CommandLine.ParameterException(root.spec.commandLine(),
                    "--title and --url apply to a single file, but " + files.size() + " files were given");
        }
        long maxBytes = root.loadConfig().getLong(Settings.MAX_DOCUMENT_BYTES);
        Progress progress = new Progress(root.err, json);
        List<Outcome> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicLong chunks = new java.util.concurrent.atomic.AtomicLong();
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(SENDERS + 1);
        Thread reader = Thread.ofPlatform().daemon().name("dindex-index-reader")
                .start(() -> readBatches(files, maxBytes, queue));
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic
                .AtomicReference<>();
        try (DindexClient first = root.connect()) {
            // Two senders, each on its own connection: the daemon chunks one batch while it embeds the other.
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                DindexClient client = s == 0 ? first : root.connectRunning();
                senders.add(Thread.ofPlatform().name("dindex-index-sender-" + s).start(() -> {
                    try {
                        send(client, queue, outcomes, chunks, progress, files.size());
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                        reader.interrupt();
                        // Release the other sender: drop queued work and hand it the end marker.
                        queue.clear();
                        queue.offer(END);
                    } finally {
                        if (client != first) {
                            client.close();
                        }
                    }
                }));
            }
            for (Thread sender : senders) {
                sender.join();
            }
            if (failure.get() != null) {
                throw failure.get();
            }
            if (!noWait) {
                first.request(Addresses.COMMIT, new JsonObject(), SUBMIT_TIMEOUT);
            }
        } finally {
            reader.interrupt();
            progress.finish();
        }
        return report(outcomes, chunks.get(), progress.elapsedSeconds());
    }

    /** Sends batches until the reader's last one; passes the end marker on to the other sender. */
    private static void send(DindexClient client, BlockingQueue<Batch> queue, List<Outcome> outcomes,
                             java.util.concurrent.atomic.AtomicLong chunks, Progress progress, int total) {
        try {
            while (true) {
                Batch batch = queue.take();
                outcomes.addAll(batch.skipped());
                if (!batch.documents().isEmpty()) {
                    JsonObject reply = client.request(Addresses.INDEX_SUBMIT, new JsonObject()
                            .put("documents", new JsonArray(new ArrayList<>(batch.documents()))), SUBMIT_TIMEOUT);
                    for (Object o : reply.getJsonArray("results")) {
                        JsonObject r = (JsonObject) o;
                        outcomes.add(new Outcome(r.getString("source"), r.getString("status"),
                                r.getInteger("chunks", 0), r.getString("error")));
                        if (!"unchanged".equals(r.getString("status"))) {
                            chunks.addAndGet(r.getInteger("chunks", 0));
                        }
                    }
                }
                synchronized (progress) {
                    progress.update(outcomes.size(), total, chunks.get());
                }
                if (batch.last()) {
                    queue.put(END);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }


    private List<Path> collect() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            Path abs = p.toAbsolutePath().normalize();
            if (!Files.exists(abs)) {
                throw new DindexException(ErrorCode.BAD_REQUEST, "no such file or folder: " + p);
            }
            if (Files.isDirectory(abs)) {
                try (Stream<Path> walk = Files.walk(abs)) {
                    walk.filter(f -> !Files.isDirectory(f))
                            .filter(f -> hidden || !isHidden(abs, f))
                            .sorted()
                            .forEach(files::add);
                }
            } else {
                files.add(abs);
            }
        }
        return files;
    }

    private static boolean isHidden(Path root, Path file) {
        for (Path part : root.relativize(file)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** Extracts files into batches on the reader thread. */
    private void readBatches(List<Path> files, long maxBytes, BlockingQueue<Batch> queue) {
        List<JsonObject> docs = new ArrayList<>();
        List<Outcome> skipped = new ArrayList<>();
        int chars = 0;
        try {
            for (Path file : files) {
                try {
                    ExtractedDocument doc = Extractors.extract(file, maxBytes);
                    JsonObject json = toJson(file, doc);
                    docs.add(json);
                    chars += (int) Math.min(Integer.MAX_VALUE / 2, doc.length());
                } catch (ExtractionException e) {
                    skipped.add(new Outcome(file.toString(), "skipped", 0, e.getMessage()));
                }
                if (docs.size() >= BATCH_DOCS || chars >= BATCH_CHARS) {
                    queue.put(new Batch(docs, skipped, false));
                    docs = new ArrayList<>();
                    skipped = new ArrayList<>();
                    chars = 0;
                }
            }
            queue.put(new Batch(docs, skipped, true));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonObject toJson(Path file, ExtractedDocument doc) throws ExtractionException {
        JsonArray blocks = new JsonArray();
        for (Block b : doc.blocks()) {
            blocks.add(new JsonObject().put("section", new JsonArray(new ArrayList<>(b.section())))
                    .put("text", b.text()));
        }
        long modified;
        try {
            modified = Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            modified = System.currentTimeMillis();
        }
        return new JsonObject()
                .put("source", file.toString())
                .put("title", title != null ? title : doc.title())
                .put("url", url)
                .put("format", doc.format())
                .put("metadata", new JsonObject(new LinkedHashMap<>(meta)))
                .put("timestamp", modified)
                .put("blocks", blocks);
    }

    private int report(List<Outcome> outcomes, long chunks, double seconds) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String s : List.of("indexed", "replaced", "unchanged", "skipped", "failed")) {
            counts.put(s, 0);
        }
        outcomes.forEach(o -> counts.merge(o.status(), 1, Integer::sum));
        List<Outcome> problems = outcomes.stream().filter(o -> o.reason() != null).toList();
        if (json) {
            JsonArray list = new JsonArray();
            problems.forEach(p -> list.add(new JsonObject().put("source", p.source()).put("status", p.status())
                    .put("reason", p.reason())));
            JsonObject summary = new JsonObject();
            counts.forEach(summary::put);
            summary.put("chunks", chunks).put("seconds", Math.round(seconds * 100) / 100.0).put("problems", list)
                    .put("searchable", !noWait);
            root.out.println(summary.encodePrettily());
        } else {
            problems.forEach(p -> root.err.println("dindex: " + p.status() + ": " + p.reason()));
            root.out.printf("indexed %d, replaced %d, unchanged %d, skipped %d, failed %d; %d chunks in %.1f s%s%n",
                    counts.get("indexed"), counts.get("replaced"), counts.get("unchanged"), counts.get("skipped"),
                    counts.get("failed"), chunks, seconds, noWait ? " (searchable at the next commit)" : "");
        }
        int good = counts.get("indexed") + counts.get("replaced") + counts.get("unchanged");
        return good == 0 && !outcomes.isEmpty() ? Main.FAILURE : Main.OK;
    }
}
