package org.dindex.files;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.IndexDocument;
import org.dindex.protocol.IndexOutcome;
import org.dindex.client.Dindex;
import org.dindex.extract.Block;
import org.dindex.extract.ExtractedDocument;
import org.dindex.extract.ExtractionException;
import org.dindex.extract.Extractors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Indexes local files through the daemon: extracts them here (the daemon never reads the caller's files), streams
 * them in small batches (a reader thread extracts the next batch while the daemon embeds the current one; at most a
 * few batches are held, so memory stays bounded whatever the corpus), and commits at the end so the content is
 * searchable. Shared by {@code dindex index} and the MCP server's {@code index} tool.
 */
public final class FileIndexer {
    /**
     * Requests close at this much text or this many documents, so one request embeds in seconds, not minutes. Shared
     * by everything that sends files' text to the daemon ({@code dindex index}, {@code watch}, the ingest benchmark).
     */
    public static final int BATCH_CHARS = 64 * 1024;
    public static final int BATCH_DOCS = 32;
    /**
     * Requests in flight, each on its own connection. The daemon embeds what waits in windows sorted by length (a
     * batch is padded to its longest input), so the more chunks wait, the less padding, and a window that takes
     * every request in flight leaves the queue empty until their replies bring more: eight requests keep more chunks
     * waiting than one window takes (docs/benchmarks.md, {@code bench ingest}). Memory stays bounded: a request is at
     * most {@link #BATCH_CHARS} of text, and eight connections leave most of the daemon's connection limit to others.
     */
    public static final int SENDERS = 8;

    /**
     * What to index and how.
     *
     * @param title    title of the document (a single file only; null: the extracted one)
     * @param url      URL to cite for the document (a single file only)
     * @param metadata metadata for every document
     * @param maxBytes files larger than this are skipped ({@code index.max_document_bytes})
     * @param commit   wait until the content is searchable (else return once it is durable)
     */
    public record Options(String title, String url, Map<String, String> metadata, long maxBytes, boolean commit) {
    }

    /** One file's result: {@code indexed}, {@code replaced}, {@code unchanged}, {@code skipped} or {@code failed}. */
    public record FileResult(String source, String status, int chunks, String reason) {
    }

    /** Progress after each batch. */
    public interface Listener {
        void progress(int done, int total, long chunks);
    }

    /** What a run did. */
    public record Summary(List<FileResult> outcomes, long chunks, double seconds, boolean searchable) {
        /** Files by status, every status present (0 when none). */
        public Map<String, Integer> counts() {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (String s : List.of("indexed", "replaced", "unchanged", "skipped", "failed")) {
                counts.put(s, 0);
            }
            outcomes.forEach(o -> counts.merge(o.status(), 1, Integer::sum));
            return counts;
        }

        /** The files that were skipped or failed, with the reason. */
        public List<FileResult> problems() {
            return outcomes.stream().filter(o -> o.reason() != null).toList();
        }

        /** True when files were given and none is in the index now. */
        public boolean nothingIndexed() {
            Map<String, Integer> c = counts();
            return !outcomes.isEmpty() && c.get("indexed") + c.get("replaced") + c.get("unchanged") == 0;
        }

        /** The shape of {@code dindex index --json}. */
        public JsonObject toJson() {
            JsonArray list = new JsonArray();
            problems().forEach(p -> list.add(new JsonObject().put("source", p.source()).put("status", p.status())
                    .put("reason", p.reason())));
            JsonObject summary = new JsonObject();
            counts().forEach(summary::put);
            return summary.put("chunks", chunks).put("seconds", Math.round(seconds * 100) / 100.0)
                    .put("problems", list).put("searchable", searchable);
        }
    }

    private record Batch(List<IndexDocument> documents, List<FileResult> skipped, boolean last) {
    }

    /** Passed on by whichever sender sees the end first, so every sender stops. */
    private static final Batch END = new Batch(List.of(), List.of(), true);

    private final Options options;

    public FileIndexer(Options options) {
        this.options = options;
    }

    /**
     * The files under {@code paths} by the default rules ({@link FileSelection}: hidden files and folders only with
     * {@code hidden}, what {@code .gitignore} files exclude skipped), absolute and sorted per folder.
     *
     * @throws DindexException {@link ErrorCode#BAD_REQUEST} naming a path that does not exist
     */
    public static List<Path> collect(List<Path> paths, boolean hidden) throws IOException {
        return collect(paths, new FileSelection.Rules(hidden, true, List.of(), List.of()));
    }

    /** The files under {@code paths} by {@code rules}, absolute and sorted per folder. */
    public static List<Path> collect(List<Path> paths, FileSelection.Rules rules) throws IOException {
        return new FileSelection(rules).collect(paths);
    }

    /**
     * Indexes {@code files}: {@link #SENDERS} senders, {@code first} and more connections from {@code another}, so
     * the daemon chunks some batches while it embeds others. Neither connection is left open except {@code first}, which the
     * caller owns. Each is one caller's: a {@link Dindex#over} one connection (or a pool's).
     */
    public Summary index(List<Path> files, Dindex first, Supplier<Dindex> another, Listener listener)
            throws InterruptedException {
        long start = System.nanoTime();
        List<FileResult> outcomes = Collections.synchronizedList(new ArrayList<>());
        AtomicLong chunks = new AtomicLong();
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(SENDERS + 1);
        Thread reader = Thread.ofPlatform().daemon().name("dindex-index-reader")
                .start(() -> readBatches(files, queue));
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        try {
            List<Thread> senders = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                Dindex client = s == 0 ? first : another.get();
                senders.add(Thread.ofPlatform().name("dindex-index-sender-" + s).start(() -> {
                    try {
                        send(client, queue, outcomes, chunks, listener, files.size());
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
            if (options.commit()) {
                first.commit();
            }
        } finally {
            reader.interrupt();
        }
        return new Summary(List.copyOf(outcomes), chunks.get(), (System.nanoTime() - start) / 1e9, options.commit());
    }

    /** Sends batches until the reader's last one; passes the end marker on to the other sender. */
    private static void send(Dindex client, BlockingQueue<Batch> queue, List<FileResult> outcomes,
                             AtomicLong chunks, Listener listener, int total) {
        try {
            while (true) {
                Batch batch = queue.take();
                outcomes.addAll(batch.skipped());
                if (!batch.documents().isEmpty()) {
                    for (IndexOutcome r : client.submit(batch.documents())) {
                        outcomes.add(new FileResult(r.source(), r.status(), r.chunks(), r.error()));
                        if (!"unchanged".equals(r.status())) {
                            chunks.addAndGet(r.chunks());
                        }
                    }
                }
                synchronized (listener) {
                    listener.progress(outcomes.size(), total, chunks.get());
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

    /** Extracts files into batches on the reader thread. */
    private void readBatches(List<Path> files, BlockingQueue<Batch> queue) {
        List<IndexDocument> docs = new ArrayList<>();
        List<FileResult> skipped = new ArrayList<>();
        int chars = 0;
        try {
            for (Path file : files) {
                try {
                    ExtractedDocument doc = Extractors.extract(file, options.maxBytes());
                    docs.add(document(file, doc));
                    chars += (int) Math.min(Integer.MAX_VALUE / 2, doc.length());
                } catch (ExtractionException e) {
                    skipped.add(new FileResult(SourceNames.of(file), "skipped", 0, e.getMessage()));
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

    private IndexDocument document(Path file, ExtractedDocument doc) {
        long modified;
        try {
            modified = Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            modified = System.currentTimeMillis();
        }
        return document(file, doc, options.title(), options.url(), options.metadata(), modified);
    }

    /**
     * The document of an extracted file: its source name ({@link SourceNames}), {@code title} or the extracted one,
     * and {@code modified} (epoch milliseconds) as its timestamp.
     */
    public static IndexDocument document(Path file, ExtractedDocument doc, String title, String url,
                                         Map<String, String> metadata, long modified) {
        List<IndexDocument.Block> blocks = new ArrayList<>();
        for (Block b : doc.blocks()) {
            blocks.add(new IndexDocument.Block(b.section(), b.text()));
        }
        return IndexDocument.extracted(SourceNames.of(file), title != null ? title : doc.title(), url, doc.format(),
                metadata, modified, blocks);
    }
}
