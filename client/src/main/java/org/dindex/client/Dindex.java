package org.dindex.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.CollectionInfo;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.SnapshotInfo;
import org.dindex.protocol.ContextBlock;
import org.dindex.protocol.ContextQuery;
import org.dindex.protocol.DaemonStatus;
import org.dindex.protocol.DeleteSelector;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.ExportPage;
import org.dindex.protocol.ExportRequest;
import org.dindex.protocol.ImportRequest;
import org.dindex.protocol.IndexDocument;
import org.dindex.protocol.IndexOutcome;
import org.dindex.protocol.JobEvents;
import org.dindex.protocol.JobInfo;
import org.dindex.protocol.JobsQuery;
import org.dindex.protocol.ScrapeRequest;
import org.dindex.protocol.SearchQuery;
import org.dindex.protocol.SearchResult;
import org.dindex.protocol.WatchRequest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The typed Java API of a dindex daemon: search, context, indexing, jobs and their progress, index and daemon
 * administration, over a {@link DindexPool} of socket connections (thread-safe) or over one {@link DindexClient}
 * connection ({@link #over}: one caller at a time, as the CLI and the MCP tools use it). Failures are
 * {@link DindexException}s with the daemon's error code and message (the same the CLI prints).
 *
 * <p>Requests and replies are the protocol's typed records ({@link SearchQuery}, {@link SearchResult},
 * {@link JobInfo}...); this class is the one place a request is sent to its address, for the CLI, the MCP server and
 * library users alike. Where a reply is only shown as it is ({@code --json}), the method returns the daemon's JSON.
 *
 * <p>Timeouts: requests wait the pool's request timeout ({@link DindexClient#DEFAULT_TIMEOUT} on one connection);
 * the ones that may write or read the whole index (index, commit, delete, clear, export, check) wait
 * {@value #LONG_MINUTES} minutes, and cancel 30 seconds.
 *
 * <pre>{@code
 * try (Dindex dindex = Dindex.connect(Path.of("/run/user/1000/dindex/dindex.sock"))) {
 *     SearchResult r = dindex.search(SearchQuery.of("how are tides caused").withTopK(5));
 *     r.results().forEach(hit -> System.out.println("[" + hit.citation() + "] " + hit.title()));
 * }
 * }</pre>
 */
public final class Dindex implements AutoCloseable {
    static final int LONG_MINUTES = 30;
    private static final Duration LONG = Duration.ofMinutes(LONG_MINUTES);
    private static final Duration CANCEL = Duration.ofSeconds(30);

    /** One of the two is set. */
    private final DindexPool pool;
    private final DindexClient connection;
    /** The collection requests address when they name none; null: the daemon's default. */
    private final String collection;

    public Dindex(DindexPool pool) {
        this(pool, null, null);
    }

    private Dindex(DindexClient connection) {
        this(null, connection, null);
    }

    private Dindex(DindexPool pool, DindexClient connection, String collection) {
        this.pool = pool;
        this.connection = connection;
        this.collection = collection;
    }

    /**
     * The same API addressing {@code collection} (checked against the naming rule) wherever a request touches an
     * index and names no collection itself ({@link Addresses#COLLECTION_SCOPED}): indexing, commits, search,
     * context, stats, delete, clear, export, check, imports, scrapes, snapshots. It shares this one's pool or
     * connection: closing either closes both. Null: the daemon's default collection.
     */
    public Dindex inCollection(String collection) {
        return new Dindex(pool, connection, collection == null ? null : CollectionNames.check(collection));
    }

    /** The collection this addresses (null: the daemon's default). */
    public String collection() {
        return collection;
    }

    /**
     * The typed API over one connection: one caller at a time, and closing it closes the connection. For a
     * short-lived caller (a CLI command, a tool call) that also reads the connection's frames itself.
     */
    public static Dindex over(DindexClient connection) {
        return new Dindex(connection);
    }

    /** A client with a default pool (8 connections) on {@code socket}; the daemon must be running. */
    public static Dindex connect(Path socket) {
        return new Dindex(new DindexPool(DindexPool.Options.of(socket)));
    }

    /** @throws IllegalStateException when this is over one connection */
    public DindexPool pool() {
        if (pool == null) {
            throw new IllegalStateException("this Dindex is over one connection, not a pool");
        }
        return pool;
    }

    /** The one connection this is over (for its frames: a progress stream); @throws IllegalStateException on a pool. */
    public DindexClient connection() {
        if (connection == null) {
            throw new IllegalStateException("this Dindex is over a pool, not one connection");
        }
        return connection;
    }

    private JsonObject request(String address, JsonObject body) {
        JsonObject b = scoped(address, body);
        return pool != null ? pool.request(address, b) : connection.request(address, b);
    }

    private JsonObject request(String address, JsonObject body, Duration timeout) {
        JsonObject b = scoped(address, body);
        return pool != null ? pool.request(address, b, timeout) : connection.request(address, b, timeout);
    }

    /** {@code body} with this view's collection when the address takes one and the body names none. */
    private JsonObject scoped(String address, JsonObject body) {
        if (collection == null || !Addresses.COLLECTION_SCOPED.contains(address)
                || body.containsKey(CollectionNames.FIELD) || body.containsKey(CollectionNames.MANY)) {
            return body;
        }
        return body.copy().put(CollectionNames.FIELD, collection);
    }

    private Path socket() {
        return pool != null ? pool.options().socket() : connection.socketPath();
    }

    // ---- the daemon -----------------------------------------------------------------------------------------

    public DaemonStatus status() {
        return DaemonStatus.fromJson(request(Addresses.STATUS, new JsonObject()));
    }

    /** The status, waiting at most {@code timeout} (a probe of whether a daemon answers). */
    public DaemonStatus status(Duration timeout) {
        return DaemonStatus.fromJson(request(Addresses.STATUS, new JsonObject(), timeout));
    }

    /** Asks the daemon to stop; it answers first, then stops (its process may live a little longer). */
    public void shutdown() {
        request(Addresses.SHUTDOWN, new JsonObject());
    }

    /** The cluster this daemon belongs to: node id and members with their index sizes (each asked in turn). */
    public JsonObject clusterStatus() {
        return request(Addresses.CLUSTER_STATUS, new JsonObject());
    }

    /** Every cluster member's jobs, each with its {@code member} in {@link JobInfo#raw()}. */
    public List<JobInfo> clusterJobs() {
        return jobList(request(Addresses.CLUSTER_JOBS, new JsonObject()));
    }

    // ---- search ---------------------------------------------------------------------------------------------

    public SearchResult search(SearchQuery query) {
        return SearchResult.fromJson(request(Addresses.SEARCH, query.toJson()));
    }

    public ContextBlock context(ContextQuery query) {
        return ContextBlock.fromJson(request(Addresses.CONTEXT, query.toJson()));
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
        int[] counts = new int[5];
        List<String> errors = new ArrayList<>();
        for (IndexOutcome x : submit(documents)) {
            switch (x.status()) {
                case "indexed" -> counts[0]++;
                case "replaced" -> counts[1]++;
                case "unchanged" -> counts[2]++;
                default -> {
                    counts[3]++;
                    errors.add(x.source() + ": " + x.error());
                }
            }
            if (!"unchanged".equals(x.status())) {
                counts[4] += x.chunks();
            }
        }
        if (waitForSearch) {
            commit();
        }
        return new IndexSummary(counts[0], counts[1], counts[2], counts[3], counts[4], errors, waitForSearch);
    }

    /**
     * Sends one batch of documents and returns each one's outcome, in order, once they are durable (searchable at
     * the next commit).
     */
    public List<IndexOutcome> submit(List<IndexDocument> documents) {
        JsonArray docs = new JsonArray();
        documents.forEach(d -> docs.add(d.toJson()));
        return IndexOutcome.listFromJson(request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", docs),
                LONG));
    }

    /** Makes every acknowledged write searchable now: {@code committed_ops}, {@code commit_ms}, ... */
    public JsonObject commit() {
        return request(Addresses.COMMIT, new JsonObject(), LONG);
    }

    /** Deletes the selected documents and commits: {@code {"deleted_documents": n}}. */
    public JsonObject delete(DeleteSelector selector) {
        return request(Addresses.DELETE, selector.toJson(), LONG);
    }

    /** Deletes every document and commits. */
    public void clear() {
        request(Addresses.CLEAR, new JsonObject().put("confirm", true), LONG);
    }

    /** One page of every chunk with its metadata; follow {@link ExportPage#next()} for the rest. */
    public ExportPage export(ExportRequest request) {
        return ExportPage.fromJson(request(Addresses.EXPORT, request.toJson(), LONG));
    }

    /** Whether the index's stores agree: {@code ok}, counts, and {@code problems} when not. */
    public JsonObject check() {
        return request(Addresses.CHECK, new JsonObject(), LONG);
    }

    /** Documents, chunks, model, store sizes, last commit, pending writes. */
    public JsonObject stats() {
        return request(Addresses.STATS, new JsonObject());
    }

    // ---- collections and snapshots ----------------------------------------------------------------------------

    /** Every collection with its model and size, {@code default} first. */
    public List<CollectionInfo> collections() {
        return CollectionInfo.listFromJson(collectionsJson());
    }

    /** The daemon's reply to {@link Addresses#COLLECTIONS_LIST}: {@code collections} and the {@code models} loaded. */
    public JsonObject collectionsJson() {
        return request(Addresses.COLLECTIONS_LIST, new JsonObject());
    }

    /** Creates a collection embedding with {@code model} (null: the daemon's configured model). */
    public CollectionInfo createCollection(String name, String model) {
        JsonObject body = new JsonObject().put("name", name);
        if (model != null) {
            body.put("model", model);
        }
        return CollectionInfo.fromJson(request(Addresses.COLLECTIONS_CREATE, body, LONG).getJsonObject("collection"));
    }

    /** Deletes a collection and everything in it, cancelling its jobs first. */
    public JsonObject deleteCollection(String name) {
        return request(Addresses.COLLECTIONS_DELETE, new JsonObject().put("name", name).put("confirm", true), LONG);
    }

    /**
     * A consistent copy of the collection's last commit, taken after committing every write acknowledged so far,
     * into the daemon's snapshot folder or, with {@code to}, into that folder (on the daemon's machine).
     */
    public SnapshotInfo createSnapshot(Path to) {
        JsonObject body = new JsonObject();
        if (to != null) {
            body.put("to", to.toAbsolutePath().normalize().toString());
        }
        return SnapshotInfo.fromJson(request(Addresses.SNAPSHOT_CREATE, body, LONG).getJsonObject("snapshot"));
    }

    /** The snapshots in the daemon's snapshot folder, oldest first; only {@code collection}'s when not null. */
    public List<SnapshotInfo> snapshots(String ofCollection) {
        JsonObject body = new JsonObject();
        if (ofCollection != null) {
            body.put("collection", ofCollection);
        }
        return SnapshotInfo.listFromJson(request(Addresses.SNAPSHOT_LIST, body));
    }

    /**
     * Restores a snapshot (an id from {@link #snapshots}, or the path of a snapshot folder on the daemon's machine)
     * after verifying every checksum: into a new collection {@code as} (null: the collection it was taken of), or
     * replacing that collection when {@code replace}.
     */
    public CollectionInfo restoreSnapshot(String snapshot, String as, boolean replace) {
        JsonObject body = new JsonObject().put("snapshot", snapshot).put("replace", replace);
        if (as != null) {
            body.put("as", as);
        }
        return CollectionInfo.fromJson(request(Addresses.SNAPSHOT_RESTORE, body, LONG).getJsonObject("collection"));
    }

    /** Deletes a snapshot from the daemon's snapshot folder. */
    public JsonObject deleteSnapshot(String id) {
        return request(Addresses.SNAPSHOT_DELETE, new JsonObject().put("snapshot", id), LONG);
    }

    // ---- jobs -----------------------------------------------------------------------------------------------

    public List<JobInfo> jobs() {
        return jobs(JobsQuery.ALL);
    }

    public List<JobInfo> jobs(JobsQuery query) {
        return jobList(request(Addresses.JOBS_LIST, query.toJson()));
    }

    private static List<JobInfo> jobList(JsonObject reply) {
        List<JobInfo> out = new ArrayList<>();
        reply.getJsonArray("jobs").forEach(o -> out.add(JobInfo.fromJson((JsonObject) o)));
        return out;
    }

    public JobInfo job(String id) {
        return JobInfo.fromJson(request(Addresses.JOBS_GET, new JsonObject().put("id", id)).getJsonObject("job"));
    }

    /** The job with its latest item events (a scrape's per-URL outcomes). */
    public JobEvents jobEvents(String id) {
        return JobEvents.fromJson(request(Addresses.JOBS_GET, new JsonObject().put("id", id).put("events", true)));
    }

    /** Cancels a queued or running job; returns once it has stopped and committed what it indexed. */
    public JobInfo cancel(String id) {
        return JobInfo.fromJson(request(Addresses.JOBS_CANCEL, new JsonObject().put("id", id), CANCEL)
                .getJsonObject("job"));
    }

    /** Starts a scrape job. */
    public JobInfo scrape(ScrapeRequest request) {
        return JobInfo.fromJson(request(Addresses.SCRAPE, request.toJson()).getJsonObject("job"));
    }

    /**
     * Starts a scrape; {@code options} takes the protocol's fields (depth, max_pages, delay_ms, ...) as JSON, sent
     * as given for the daemon to check. {@link #scrape(ScrapeRequest)} is the typed form.
     */
    public JobInfo scrape(List<String> urls, JsonObject options) {
        JsonObject body = (options == null ? new JsonObject() : options.copy()).put("urls", new JsonArray(urls));
        return JobInfo.fromJson(request(Addresses.SCRAPE, body).getJsonObject("job"));
    }

    /** Starts an import job of a file the daemon can read (a MediaWiki dump or JSONL). */
    public JobInfo importFile(ImportRequest request) {
        return JobInfo.fromJson(request(Addresses.IMPORT, request.toJson()).getJsonObject("job"));
    }

    /**
     * Starts an import of a file the daemon can read (a MediaWiki dump or JSONL); {@code options} takes the
     * protocol's fields as JSON, sent as given. {@link #importFile(ImportRequest)} is the typed form.
     */
    public JobInfo importFile(Path file, JsonObject options) {
        JsonObject body = (options == null ? new JsonObject() : options.copy())
                .put("path", file.toAbsolutePath().normalize().toString());
        return JobInfo.fromJson(request(Addresses.IMPORT, body).getJsonObject("job"));
    }

    /**
     * Starts a watch job: the folders are indexed, then kept in sync (new and changed files indexed, deleted ones
     * removed) until the job is cancelled; the daemon resumes it when it starts again.
     */
    public JobInfo watch(WatchRequest request) {
        return JobInfo.fromJson(request(Addresses.WATCH, request.toJson()).getJsonObject("job"));
    }

    /**
     * Follows a job until it ends, calling {@code onProgress} with each state the daemon publishes (at most four a
     * second) and {@code onItem} with each item event (a scrape's per-URL fates; may be null), on the caller's
     * thread. Uses a connection of its own, outside the pool. Returns the final state.
     */
    public JobInfo follow(String id, Consumer<JobInfo> onProgress, Consumer<JsonObject> onItem, Duration timeout) {
        String address = Addresses.PROGRESS_PREFIX + id;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (DindexClient c = DindexClient.connect(socket())) {
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

    /** Closes the pool, or the one connection. */
    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        } else {
            connection.close();
        }
    }

}
