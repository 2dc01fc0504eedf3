package org.dindex.jobs;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What a running job may do: report its stage, progress and counters (published to watchers, coalesced to one
 * event per 250 ms), save a checkpoint (persisted at once, used by resume), publish per-item events (a scrape's
 * per-URL log), submit documents for indexing, and learn that it was asked to stop. Thread-safe: import jobs call
 * it from their own thread, scrape jobs from an event loop.
 */
public interface JobContext {
    Job job();

    Vertx vertx();

    /** True once a user cancelled the job or the daemon is stopping: stop submitting and return soon. */
    boolean cancelRequested();

    /** Runs {@code action} once when the job is asked to stop (at once if it already was). */
    void onCancel(Runnable action);

    void stage(String stage);

    /** Progress in {@code unit}s; {@code total} below 0 means unknown. */
    void progress(long current, long total, String unit);

    /** Adds to a named counter (pages imported, chunks, skipped ...). */
    void count(String counter, long delta);

    /** Replaces the job's checkpoint and persists the job now. */
    void checkpoint(JsonObject checkpoint);

    /** Publishes an item event on the job's progress stream only (not persisted). */
    void event(JsonObject event);

    /**
     * Sends documents to {@code dindex.index.submit} (the same path as the CLI and HTTP) and completes with its reply
     * (per-document results) once they are durable.
     */
    Future<JsonObject> submit(JsonArray documents);
}
