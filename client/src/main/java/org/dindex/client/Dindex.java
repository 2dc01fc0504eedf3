package org.dindex.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.ContextBlock;
import org.dindex.protocol.ContextQuery;
import org.dindex.protocol.IndexDocument;
import org.dindex.protocol.JobInfo;
import org.dindex.protocol.SearchQuery;
import org.dindex.protocol.SearchResult;
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
 * <p>Requests and replies are the protocol's typed records ({@link SearchQuery}, {@link SearchResult},
 * {@link JobInfo}...), the same the CLI and the MCP server use.
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

    public SearchResult search(SearchQuery query) {
        return SearchResult.fromJson(pool.request(Addresses.SEARCH, query.toJson()));
    }

    public ContextBlock context(ContextQuery query) {
        return ContextBlock.fromJson(pool.request(Addresses.CONTEXT, query.toJson()));
    }

    /** A prompt-ready block for {@code query} within {@code budgetTokens}. */
    public ContextBlock context(String query, int budgetTokens) {
        return context(ContextQuery.of(query, budgetTokens));
    }

    // ---- indexing -------------------------------------------------------------------------------------------

    /** Per-status counts of one {@link #index} call; {@code searchable} once committed. */
    public record IndexSummary(int indexed, int replaced, int unchanged, int failed, int chunks,
                               List<String> errors, boolean searchable) {
    }

    /** Indexes documents; with {@code waitForSearch} returns once they are visible to searches. */
    public IndexSummary index(List<IndexDocument> documents, boolean waitForSearch) {
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

    public List<JobInfo> jobs() {
        List<JobInfo> out = new ArrayList<>();
        pool.request(Addresses.JOBS_LIST, new JsonObject()).getJsonArray("jobs")
                .forEach(o -> out.add(JobInfo.fromJson((JsonObject) o)));
        return out;
    }

    public JobInfo job(String id) {
        return JobInfo.fromJson(pool.request(Addresses.JOBS_GET, new JsonObject().put("id", id)).getJsonObject("job"));
    }

    public JobInfo cancel(String id) {
        return JobInfo.fromJson(pool.request(Addresses.JOBS_CANCEL, new JsonObject().put("id", id), Duration.ofSeconds(30))
                .getJsonObject("job"));
    }

    /** Starts a scrape; {@code options} takes the protocol's fields (depth, max_pages, delay_ms, ...). */
    public JobInfo scrape(List<String> urls, JsonObject options) {
        JsonObject body = (options == null ? new JsonObject() : options.copy()).put("urls", new JsonArray(urls));
        return JobInfo.fromJson(pool.request(Addresses.SCRAPE, body).getJsonObject("job"));
    }

    /** Starts an import of a file the daemon can read (a MediaWiki dump or JSONL). */
    public JobInfo importFile(Path file, JsonObject options) {
        JsonObject body = (options == null ? new JsonObject() : options.copy())
                .put("path", file.toAbsolutePath().normalize().toString());
        return JobInfo.fromJson(pool.request(Addresses.IMPORT, body).getJsonObject("job"));
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
            JobInfo job = JobInfo.fromJson(c.request(Addresses.JOBS_GET, new JsonObject().put("id", id))
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
                    job = JobInfo.fromJson(c.request(Addresses.JOBS_GET, new JsonObject().put("id", id))
                            .getJsonObject("job"));
                    onProgress.accept(job);
                    continue;
                }
                if (!"message".equals(frame.getString("type")) || !address.equals(frame.getString("address"))) {
                    continue;
                }
                JsonObject body = frame.getJsonObject("body");
                if ("job".equals(body.getString("type"))) {
                    job = JobInfo.fromJson(body.getJsonObject("job"));
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

}
