package org.dindex.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The typed Java API of a dindex daemon: search, context, indexing, jobs and their progress, over a
 * {@link DindexPool} of socket connections. Thread-safe. Failures are {@link DindexException}s with the daemon's
 * error code and message (the same the CLI prints).
 *
 * <pre>{@code
 * try (Dindex dindex = Dindex.connect(Path.of("/run/user/1000/dindex/dindex.sock"))) {
 *     SearchResult r = dindex.search(SearchQuery.of("how are tides caused").withTopK(5));
 *     r.results().forEach(hit -> System.out.println("[" + hit.citation() + "] " + hit.title()));
 * }
 * }</pre>
 */
public final class Dindex implements AutoCloseable {
    private static final Duration LONG = Duration.ofMinutes(30);

    private final DindexPool pool;

    public Dindex(DindexPool pool) {
        this.pool = pool;
    }

    /** A client with a default pool (8 connections) on {@code socket}; the daemon must be running. */
    public static Dindex connect(Path socket) {
        return new Dindex(new DindexPool(DindexPool.Options.of(socket)));
    }

    public DindexPool pool() {
        return pool;
    }

    // ---- search ---------------------------------------------------------------------------------------------

    /** Filters applied inside both retrievers; nulls and empty collections mean "no filter". */
    public record Filters(String sourceUrlPrefix, List<String> documentIds, Map<String, String> metadataEquals) {
        public static final Filters NONE = new Filters(null, List.of(), Map.of());

        JsonObject toJson() {
            JsonObject f = new JsonObject();
            if (sourceUrlPrefix != null) {
                f.put("source_url_prefix", sourceUrlPrefix);
            }
            if (documentIds != null && !documentIds.isEmpty()) {
                f.put("document_ids", new JsonArray(documentIds));
            }
            if (metadataEquals != null && !metadataEquals.isEmpty()) {
                f.put("metadata_equals", new JsonObject(Map.copyOf(metadataEquals)));
            }
            return f;
        }
    }

    /** A search request. {@code mode} is hybrid, dense or bm25. */
    public record SearchQuery(String query, int topK, String mode, Filters filters) {
        public static SearchQuery of(String query) {
            return new SearchQuery(query, 10, "hybrid", Filters.NONE);
        }

        public SearchQuery withTopK(int topK) {
            return new SearchQuery(query, topK, mode, filters);
        }

        public SearchQuery withMode(String mode) {
            return new SearchQuery(query, topK, mode, filters);
        }

        public SearchQuery withFilters(Filters filters) {
            return new SearchQuery(query, topK, mode, filters);
        }

        JsonObject toJson() {
            JsonObject body = new JsonObject().put("query", query).put("top_k", topK).put("mode", mode);
            JsonObject f = filters == null ? new JsonObject() : filters.toJson();
            return f.isEmpty() ? body : body.put("filters", f);
        }
    }

    /** One chunk of a hit: its text, the snippet with query terms in {@code **bold**}, where it sits. */
    public record ChunkHit(String chunkId, String content, String snippet, List<String> section, double score,
                           List<String> matchedBy) {
    }

    /** A document with its matching chunks and its citation number. */
    public record Hit(String documentId, String title, String url, String source, int citation, double score,
                      Map<String, Object> metadata, List<ChunkHit> chunks) {
    }

    public record Citation(int number, String documentId, String title, String url, String source) {
    }

    /**
     * @param degraded true when the query could not be embedded and BM25 alone answered
     */
    public record SearchResult(List<Hit> results, List<Citation> citations, int totalDocuments, int totalChunks,
                               double queryTimeMs, boolean degraded, JsonObject raw) {
    }

    public SearchResult search(SearchQuery query) {
        return parseSearch(pool.request(Addresses.SEARCH, query.toJson()));
    }

    static SearchResult parseSearch(JsonObject r) {
        List<Hit> hits = new ArrayList<>();
        for (Object o : r.getJsonArray("results", new JsonArray())) {
            JsonObject d = (JsonObject) o;
            List<ChunkHit> chunks = new ArrayList<>();
            for (Object c : d.getJsonArray("chunks", new JsonArray())) {
                JsonObject ch = (JsonObject) c;
                chunks.add(new ChunkHit(ch.getString("chunk_id"), ch.getString("content"), ch.getString("snippet"),
                        strings(ch.getJsonArray("section_hierarchy")),
                        ch.getJsonObject("score", new JsonObject()).getDouble("fused", 0.0),
                        strings(ch.getJsonArray("matched_by"))));
            }
            hits.add(new Hit(d.getString("document_id"), d.getString("title"), d.getString("url"),
                    d.getString("source"), d.getInteger("citation", 0), d.getDouble("score", 0.0),
                    d.getJsonObject("metadata", new JsonObject()).getMap(), chunks));
        }
        List<Citation> citations = new ArrayList<>();
        for (Object o : r.getJsonArray("citations", new JsonArray())) {
            JsonObject c = (JsonObject) o;
            citations.add(new Citation(c.getInteger("number"), c.getString("document_id"), c.getString("title"),
                    c.getString("url"), c.getString("source")));
        }
        return new SearchResult(hits, citations, r.getInteger("total_documents", hits.size()),
                r.getInteger("total_chunks", 0), r.getDouble("query_time_ms", 0.0), r.getBoolean("degraded", false),
                r);
    }

    /** A prompt-ready block: passages with [n] markers, then the numbered sources, within {@code tokens}. */
    public record ContextBlock(String text, int tokens, int budget, List<Citation> citations) {
    }

    public ContextBlock context(String query, int budgetTokens) {
        JsonObject r = pool.request(Addresses.CONTEXT, new JsonObject().put("query", query).put("budget",
                budgetTokens));
        List<Citation> citations = new ArrayList<>();
        for (Object o : r.getJsonArray("citations", new JsonArray())) {
            JsonObject c = (JsonObject) o;
            citations.add(new Citation(c.getInteger("number"), c.getString("document_id"), c.getString("title"),
                    c.getString("url"), c.getString("source")));
        }
        return new ContextBlock(r.getString("context"), r.getInteger("tokens", 0), r.getInteger("budget",
                budgetTokens), citations);
    }

    // ---- indexing -------------------------------------------------------------------------------------------

    /**
     * A document to index. {@code source} identifies it (indexing the same source again replaces it); {@code format}
     * is text, markdown or html.
     */
    public record Document(String source, String title, String url, String text, String format,
                           Map<String, String> metadata) {
        public static Document text(String source, String title, String text) {
            return new Document(source, title, null, text, "text", Map.of());
        }

        JsonObject toJson() {
            JsonObject d = new JsonObject().put("source", source).put("text", text)
                    .put("format", format == null ? "text" : format);
            if (title != null) {
                d.put("title", title);
            }
            if (url != null) {
                d.put("url", url);
            }
            if (metadata != null && !metadata.isEmpty()) {
                d.put("metadata", new JsonObject(Map.copyOf(metadata)));
            }
            return d;
        }
    }

    /** Per-status counts of one {@link #index} call; {@code searchable} once committed. */
    public record IndexSummary(int indexed, int replaced, int unchanged, int failed, int chunks,
                               List<String> errors, boolean searchable) {
    }

    /** Indexes documents; with {@code waitForSearch} returns once they are visible to searches. */
    public IndexSummary index(List<Document> documents, boolean waitForSearch) {
        JsonArray docs = new JsonArray();
        documents.forEach(d -> docs.add(d.toJson()));
        JsonObject r = pool.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", docs), LONG);
        int[] counts = new int[5];
        List<String> errors = new ArrayList<>();
        for (Object o : r.getJsonArray("results", new JsonArray())) {
            JsonObject x = (JsonObject) o;
            switch (x.getString("status")) {
                case "indexed" -> counts[0]++;
                case "replaced" -> counts[1]++;
                case "unchanged" -> counts[2]++;
                default -> {
                    counts[3]++;
                    errors.add(x.getString("source") + ": " + x.getString("error"));
                }
            }
            if (!"unchanged".equals(x.getString("status"))) {
                counts[4] += x.getInteger("chunks", 0);
            }
        }
        if (waitForSearch) {
            pool.request(Addresses.COMMIT, new JsonObject(), LONG);
        }
        return new IndexSummary(counts[0], counts[1], counts[2], counts[3], counts[4], errors, waitForSearch);
    }

    public JsonObject stats() {
        return pool.request(Addresses.STATS, new JsonObject());
    }

    // ---- jobs -----------------------------------------------------------------------------------------------

    /** A job's state and progress ({@code total} < 0: unknown). */
    public record JobInfo(String id, String type, String state, String stage, long current, long total, String unit,
                          Map<String, Object> counters, String error, JsonObject raw) {
        public boolean finished() {
            return !state.equals("queued") && !state.equals("running");
        }

        static JobInfo of(JsonObject j) {
            return new JobInfo(j.getString("id"), j.getString("type"), j.getString("state"), j.getString("stage"),
                    j.getLong("current", 0L), j.getValue("total") == null ? -1 : j.getLong("total"),
                    j.getString("unit"), j.getJsonObject("counters", new JsonObject()).getMap(), j.getString("error"),
                    j);
        }
    }

    public List<JobInfo> jobs() {
        List<JobInfo> out = new ArrayList<>();
        pool.request(Addresses.JOBS_LIST, new JsonObject()).getJsonArray("jobs")
                .forEach(o -> out.add(JobInfo.of((JsonObject) o)));
        return out;
    }

    public JobInfo job(String id) {
        return JobInfo.of(pool.request(Addresses.JOBS_GET, new JsonObject().put("id", id)).getJsonObject("job"));
    }

    public JobInfo cancel(String id) {
        return JobInfo.of(pool.request(Addresses.JOBS_CANCEL, new JsonObject().put("id", id), Duration.ofSeconds(30))
                .getJsonObject("job"));
    }

    /** Starts a scrape; {@code options} takes the protocol's fields (depth, max_pages, delay_ms, ...). */
    public JobInfo scrape(List<String> urls, JsonObject options) {
        JsonObject body = (options == null ? new JsonObject() : options.copy()).put("urls", new JsonArray(urls));
        return JobInfo.of(pool.request(Addresses.SCRAPE, body).getJsonObject("job"));
    }

    /** Starts an import of a file the daemon can read (a MediaWiki dump or JSONL). */
    public JobInfo importFile(Path file, JsonObject options) {
        JsonObject body = (options == null ? new JsonObject() : options.copy())
                .put("path", file.toAbsolutePath().normalize().toString());
        return JobInfo.of(pool.request(Addresses.IMPORT, body).getJsonObject("job"));
    }

    /**
     * Follows a job until it ends, calling {@code onProgress} with each state the daemon publishes (at most four a
     * second) and {@code onItem} with each item event (a scrape's per-URL fates; may be null), on the caller's
     * thread. Uses a connection of its own, outside the pool. Returns the final state.
     */
    public JobInfo follow(String id, Consumer<JobInfo> onProgress, Consumer<JsonObject> onItem, Duration timeout) {
        String address = Addresses.PROGRESS_PREFIX + id;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (DindexClient c = DindexClient.connect(pool.options().socket())) {
            c.writeFrame(new JsonObject().put("type", "register").put("address", address));
            JobInfo job = JobInfo.of(c.request(Addresses.JOBS_GET, new JsonObject().put("id", id))
                    .getJsonObject("job"));
            onProgress.accept(job);
            while (!job.finished()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new DindexException(ErrorCode.TIMEOUT, "job " + id + " did not end within "
                            + timeout.toSeconds() + " s (it is still " + job.state() + ")");
                }
                JsonObject frame = c.readFrame(Duration.ofNanos(Math.min(left, Duration.ofSeconds(15).toNanos())));
                if (frame == null) {
                    job = JobInfo.of(c.request(Addresses.JOBS_GET, new JsonObject().put("id", id))
                            .getJsonObject("job"));
                    onProgress.accept(job);
                    continue;
                }
                if (!"message".equals(frame.getString("type")) || !address.equals(frame.getString("address"))) {
                    continue;
                }
                JsonObject body = frame.getJsonObject("body");
                if ("job".equals(body.getString("type"))) {
                    job = JobInfo.of(body.getJsonObject("job"));
                    onProgress.accept(job);
                } else if (onItem != null && "item".equals(body.getString("type"))) {
                    onItem.accept(body.getJsonObject("event"));
                }
            }
            return job;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        if (a != null) {
            a.forEach(x -> out.add(String.valueOf(x)));
        }
        return out;
    }
}
