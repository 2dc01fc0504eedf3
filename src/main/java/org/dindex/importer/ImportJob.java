package org.dindex.importer;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.extract.Block;
import org.dindex.jobs.JobContext;
import org.dindex.jobs.JobFailure;
import org.dindex.jobs.JobRunner;
import org.dindex.platform.BackgroundPriority;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;

/**
 * Streams a MediaWiki XML dump or a JSONL file into the index as a job.
 *
 * <p>Runs on a thread of its own (reading and cleaning a dump is blocking, CPU-bound work that takes hours for a full
 * Wikipedia) and sends documents in batches to {@code dindex.index.submit}, the same path as every other writer, with
 * at most {@link #IN_FLIGHT} batches waiting: the embedder sets the pace. The resume position is the number of pages
 * (or lines) whose documents are all durable, saved every {@code checkpointEvery}; a resumed import skips that many
 * without cleaning or embedding them, and the content hash makes any overlap a no-op.
 */
public final class ImportJob implements JobRunner {
    /** Batches submitted and not yet acknowledged: enough to keep the embedder busy, few enough to cancel fast. */
    static final int IN_FLIGHT = 2;

    public enum Format { WIKIPEDIA_XML, JSONL }

    /**
     * @param minLength characters of clean text below which an article is skipped
     * @param maxDocs   documents to import in total (resumed ones count), 0 for no limit
     */
    public record Options(Path path, Format format, Set<Integer> namespaces, long maxDocs, int minLength,
                          int batchDocuments, int checkpointEvery) {
    }

    private final Options options;

    public ImportJob(Options options) {
        this.options = options;
    }

    @Override
    public Future<Void> run(JobContext ctx) {
        Promise<Void> done = Promise.promise();
        Thread.ofPlatform().name("dindex-import-" + ctx.job().id()).start(() -> {
            BackgroundPriority.lower();
            try {
                importFile(ctx);
                done.complete();
            } catch (Throwable e) {
                done.fail(e);
            }
        });
        return done.future();
    }

    private void importFile(JobContext ctx) throws Exception {
        long size = Files.size(options.path());
        JsonObject resumeFrom = ctx.job().checkpoint();
        long start = resumeFrom == null ? 0 : resumeFrom.getLong("position", 0L);
        long submittedBefore = resumeFrom == null ? 0 : resumeFrom.getLong("documents", 0L);
        try (CountingInputStream in = new CountingInputStream(Files.newInputStream(options.path()))) {
            Batcher batcher = new Batcher(ctx, start, submittedBefore);
            try {
                if (options.format() == Format.JSONL) {
                    importJsonl(ctx, in, size, start, batcher);
                } else {
                    importWiki(ctx, in, size, start, batcher);
                }
                batcher.finish();
            } catch (Exception e) {
                // Keep what was read before the failure: send it, wait until it is durable (and checkpointed), then
                // report the failure.
                batcher.sendPending();
                batcher.drain();
                throw e;
            }
            ctx.progress(ctx.cancelRequested() ? in.count() : size, size, "bytes");
        }
    }

    private void importWiki(JobContext ctx, CountingInputStream in, long size, long start, Batcher batcher)
            throws IOException {
        try (MediaWikiDumpReader reader = MediaWikiDumpReader.open(in)) {
            SiteInfo site = reader.siteInfo();
            if (start > 0) {
                ctx.stage("skipping " + start + " pages already imported");
                while (reader.pagesRead() < start && reader.skipPage()) {
                    ctx.progress(in.count(), size, "bytes");
                    if (ctx.cancelRequested()) {
                        return;
                    }
                }
            }
            ctx.stage("importing");
            WikiPage page;
            while (!ctx.cancelRequested() && !batcher.limitReached() && (page = reader.next()) != null) {
                batcher.count("pages_read", 1);
                long position = reader.pagesRead();
                ctx.progress(in.count(), size, "bytes");
                if (page.oversized() != null) {
                    batcher.count("skipped_oversized", 1);
                    ctx.event(new JsonObject().put("kind", "skipped").put("page", page.pageId())
                            .put("title", page.title()).put("reason", page.oversized()));
                } else if (!options.namespaces().contains(page.namespace())) {
                    batcher.count("skipped_namespace", 1);
                } else if (page.isRedirect()) {
                    batcher.count("skipped_redirects", 1);
                } else {
                    List<Block> blocks = WikitextCleaner.clean(page.wikitext());
                    long length = blocks.stream().mapToLong(b -> b.text().length()).sum();
                    if (blocks.isEmpty() || length < options.minLength()) {
                        batcher.count("skipped_short", 1);
                    } else {
                        batcher.add(wikiDocument(site, page, blocks));
                    }
                }
                batcher.passed(position);
            }
        }
    }

    private static JsonObject wikiDocument(SiteInfo site, WikiPage page, List<Block> blocks) {
        String url = site.articleUrl(page.title());
        JsonArray jsonBlocks = new JsonArray();
        for (Block b : blocks) {
            jsonBlocks.add(new JsonObject().put("section", new JsonArray(b.section())).put("text", b.text()));
        }
        JsonObject metadata = new JsonObject().put("page_id", String.valueOf(page.pageId()))
                .put("namespace", String.valueOf(page.namespace()));
        if (site.siteName() != null) {
            metadata.put("site", site.siteName());
        }
        JsonObject doc = new JsonObject()
                .put("source", url != null ? url : "wiki:" + page.title())
                .put("url", url).put("title", page.title()).put("format", "wikitext")
                .put("metadata", metadata).put("blocks", jsonBlocks);
        if (page.revisionTimestamp() != null) {
            doc.put("timestamp", page.revisionTimestamp().toEpochMilli());
        }
        return doc;
    }

    private void importJsonl(JobContext ctx, CountingInputStream in, long size, long start, Batcher batcher)
            throws IOException {
        String fileName = options.path().getFileName().toString();
        try (JsonlReader reader = JsonlReader.open(in)) {
            if (start > 0) {
                ctx.stage("skipping " + start + " lines already imported");
                reader.skipLines(start);
            }
            ctx.stage("importing");
            JsonlReader.Entry entry;
            // Chunks of an export come in chunk-id order, so a document's chunks are consecutive lines: they are
            // gathered here and sent as one document once the next document starts (and the resume position moves
            // past a document only once it is sent whole).
            List<JsonlReader.ExportedChunk> exported = new ArrayList<>();
            while (!ctx.cancelRequested() && !batcher.limitReached() && (entry = reader.next()) != null) {
                ctx.progress(in.count(), size, "bytes");
                if (!exported.isEmpty() && !(entry instanceof JsonlReader.ExportedChunk next
                        && next.documentId().equals(exported.get(0).documentId()))) {
                    long last = exported.get(exported.size() - 1).line();
                    batcher.add(exportedDocument(exported));
                    exported.clear();
                    batcher.passed(last);
                }
                switch (entry) {
                    case JsonlError error -> {
                        batcher.count("line_errors", 1);
                        ctx.event(new JsonObject().put("kind", "error").put("line", error.line())
                                .put("reason", error.message()));
                    }
                    case JsonlRecord r -> batcher.add(jsonlDocument(fileName, r));
                    case JsonlReader.ExportedChunk chunk -> exported.add(chunk);
                }
                if (exported.isEmpty()) {
                    batcher.passed(reader.linesRead());
                }
            }
            if (!exported.isEmpty() && !ctx.cancelRequested()) {
                batcher.add(exportedDocument(exported));
                batcher.passed(reader.linesRead());
            }
        }
    }

    /**
     * A document put back from its exported chunks: as they were cut, with their vectors when the export had them
     * (the daemon then embeds nothing if the collection's model made them), its source, title, metadata and time.
     */
    static JsonObject exportedDocument(List<JsonlReader.ExportedChunk> lines) {
        List<JsonObject> chunks = lines.stream().map(JsonlReader.ExportedChunk::chunk)
                .sorted(Comparator.comparingInt(c -> c.getInteger("chunk_index")))
                .toList();
        JsonObject first = chunks.get(0);
        JsonArray out = new JsonArray();
        for (JsonObject c : chunks) {
            JsonObject chunk = new JsonObject().put("text", c.getString("content"))
                    .put("section", c.getValue("section_hierarchy") instanceof JsonArray a ? a : new JsonArray())
                    .put("position", c.getValue("position") instanceof Number n ? n : 0)
                    .put("tokens", c.getValue("token_count") instanceof Number n ? n : 0);
            if (c.getValue("vector") instanceof String v) {
                chunk.put("vector", v);
            }
            out.add(chunk);
        }
        JsonObject doc = new JsonObject().put("source", first.getString("source"))
                .put("url", first.getValue("url") instanceof String u ? u : null)
                .put("title", first.getValue("title") instanceof String t ? t : null)
                .put("metadata", first.getValue("metadata") instanceof JsonObject m ? m : new JsonObject())
                .put("chunks", out);
        if (first.getValue("timestamp") instanceof Number t) {
            doc.put("timestamp", t.longValue());
        }
        if (first.getValue("model") instanceof String m) {
            doc.put("model", m);
        }
        if (first.getValue("content_hash") instanceof String h) {
            doc.put("content_hash", h);
        }
        return doc;
    }

    private static JsonObject jsonlDocument(String fileName, JsonlRecord r) {
        JsonObject metadata = new JsonObject();
        r.metadata().forEach(metadata::put);
        metadata.put("id", r.id());
        return new JsonObject().put("source", r.url() != null ? r.url() : fileName + "#" + r.id())
                .put("url", r.url()).put("title", r.title()).put("text", r.text()).put("format", "text")
                .put("metadata", metadata);
    }

    /**
     * Groups documents into batches, keeps at most {@link #IN_FLIGHT} of them in flight (blocking the reading
     * thread: that is the backpressure), counts their results and saves the resume position once every batch up to
     * it is durable.
     *
     * <p>Why counters travel with batches: batches are acknowledged out of order, and a resumed job must start from
     * the counters <em>as of its checkpoint</em>, not from the live ones (which include pages read past it), or
     * pages seen twice would be counted twice. So every count is recorded in the batch it belongs to and folded
     * into the checkpoint's counters only when the durable position passes that batch.
     */
    private final class Batcher {
        private final JobContext ctx;
        private final Semaphore slots = new Semaphore(IN_FLIGHT);
        private final TreeMap<Long, Batch> completed = new TreeMap<>();
        private final Map<String, Long> durableCounters = new LinkedHashMap<>();
        private JsonArray pending = new JsonArray();
        private Map<String, Long> pendingCounts = new LinkedHashMap<>();
        private long nextSeq;
        private long doneSeq;
        private long position;
        private long durablePosition;
        private long savedPosition;
        private long documents;
        private volatile Throwable failure;

        private record Batch(long end, Map<String, Long> counts) {
        }

        Batcher(JobContext ctx, long start, long documentsBefore) {
            this.ctx = ctx;
            this.position = start;
            this.durablePosition = start;
            this.savedPosition = start;
            this.documents = documentsBefore;
            JsonObject checkpoint = ctx.job().checkpoint();
            if (checkpoint != null && checkpoint.getJsonObject("counters") != null) {
                checkpoint.getJsonObject("counters").forEach(e ->
                        durableCounters.put(e.getKey(), ((Number) e.getValue()).longValue()));
            }
        }

        boolean limitReached() {
            return options.maxDocs() > 0 && documents >= options.maxDocs();
        }

        void add(JsonObject doc) {
            pending.add(doc);
            documents++;
        }

        /** Counts something seen while reading: shown now, part of the checkpoint once its batch is durable. */
        void count(String name, long delta) {
            ctx.count(name, delta);
            pendingCounts.merge(name, delta, Long::sum);
        }

        /** Everything up to {@code position} (pages or lines) has been read and handed over. */
        void passed(long position) {
            this.position = position;
            if (pending.size() >= options.batchDocuments() || limitReached()) {
                send();
            }
            if (failure != null) {
                throw new JobFailure("indexing failed: " + failure.getMessage(), failure);
            }
        }

        private void send() {
            JsonArray docs = pending;
            Batch batch = new Batch(position, pendingCounts);
            pending = new JsonArray();
            pendingCounts = new LinkedHashMap<>();
            long seq;
            synchronized (this) {
                seq = nextSeq++;
            }
            if (docs.isEmpty()) {
                synchronized (this) {
                    // Nothing to wait for: the position is durable once earlier batches are.
                    completed.put(seq, batch);
                    advance();
                }
                return;
            }
            slots.acquireUninterruptibly();
            ctx.submit(docs).onComplete(ar -> {
                try {
                    if (ar.failed()) {
                        failure = ar.cause();
                        return;
                    }
                    count(ar.result(), batch.counts());
                    synchronized (this) {
                        completed.put(seq, batch);
                        advance();
                    }
                } finally {
                    slots.release();
                }
            });
        }

        private void count(JsonObject reply, Map<String, Long> counts) {
            int chunks = 0;
            for (Object o : reply.getJsonArray("results", new JsonArray())) {
                JsonObject r = (JsonObject) o;
                String status = r.getString("status");
                String counter = switch (status) {
                    case "indexed", "replaced" -> "imported";
                    case "unchanged" -> "unchanged";
                    default -> "failed";
                };
                ctx.count(counter, 1);
                counts.merge(counter, 1L, Long::sum);
                if (counter.equals("failed")) {
                    ctx.event(new JsonObject().put("kind", "failed").put("url", r.getString("source"))
                            .put("reason", r.getString("error")));
                }
                if (!"unchanged".equals(status)) {
                    chunks += r.getInteger("chunks", 0);
                }
            }
            if (chunks > 0) {
                ctx.count("chunks", chunks);
                counts.merge("chunks", (long) chunks, Long::sum);
            }
        }

        /** Moves the durable position over every batch acknowledged in order; saves it every N pages. */
        private void advance() {
            while (completed.containsKey(doneSeq)) {
                Batch b = completed.remove(doneSeq++);
                durablePosition = b.end();
                b.counts().forEach((k, v) -> durableCounters.merge(k, v, Long::sum));
            }
            if (durablePosition - savedPosition >= options.checkpointEvery()) {
                save();
            }
        }

        private void save() {
            savedPosition = durablePosition;
            JsonObject counters = new JsonObject();
            durableCounters.forEach(counters::put);
            ctx.checkpoint(new JsonObject().put("position", durablePosition).put("documents", documents)
                    .put("format", options.format().name().toLowerCase(Locale.ROOT))
                    .put("counters", counters));
        }

        void sendPending() {
            if (failure == null) {
                send();
            }
        }

        /** Sends the last batch and waits until everything is durable; saves the final position. */
        void finish() {
            send();
            drain();
            if (failure != null) {
                throw new JobFailure("indexing failed: " + failure.getMessage(), failure);
            }
        }

        void drain() {
            slots.acquireUninterruptibly(IN_FLIGHT);
            slots.release(IN_FLIGHT);
            synchronized (this) {
                save();
            }
        }
    }

    /** Counts the bytes read from the file (compressed bytes for bz2/gz): the job's progress. */
    private static final class CountingInputStream extends FilterInputStream {
        private volatile long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
