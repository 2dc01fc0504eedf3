package org.dindex.jobs;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One job's record: what it is ({@code type}, {@code params}), where it is (state, stage, progress, counters) and
 * where to resume it from ({@code checkpoint}). Thread-safe; {@link #toJson()} is both the wire shape and what is
 * persisted.
 */
public final class Job {
    /** Ids are {@code <type>-<8 hex digits>}: short enough to type, checked before any lookup. */
    public static final Pattern ID = Pattern.compile("[a-z]{1,16}-[0-9a-f]{8}");

    private final String id;
    private final String type;
    private final JsonObject params;
    private final Instant createdAt;
    private JobState state = JobState.QUEUED;
    private String stage = "queued";
    private long current;
    private long total = -1;
    private String unit = "items";
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private Instant startedAt;
    private Instant endedAt;
    private String error;
    private JsonObject checkpoint;
    private long runNanosStart;
    private long currentAtStart;

    public Job(String id, String type, JsonObject params, Instant createdAt) {
        this.id = id;
        this.type = type;
        this.params = params.copy();
        this.createdAt = createdAt;
    }

    public String id() {
        return id;
    }

    public String type() {
        return type;
    }

    public JsonObject params() {
        return params.copy();
    }

    public synchronized JobState state() {
        return state;
    }

    public synchronized JsonObject checkpoint() {
        return checkpoint == null ? null : checkpoint.copy();
    }

    public synchronized long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }

    synchronized void started() {
        state = JobState.RUNNING;
        stage = "starting";
        startedAt = Instant.now();
        runNanosStart = System.nanoTime();
        currentAtStart = current;
    }

    synchronized void stage(String stage) {
        this.stage = stage;
    }

    synchronized void progress(long current, long total, String unit) {
        this.current = current;
        this.total = total;
        this.unit = unit;
    }

    synchronized void count(String name, long delta) {
        counters.merge(name, delta, Long::sum);
    }

    synchronized void checkpoint(JsonObject checkpoint) {
        this.checkpoint = checkpoint.copy();
    }

    /**
     * Seeds counters and checkpoint from the job this one resumes. Counters come from the checkpoint when it holds
     * them ({@code "counters"}): the previous job's live counters include work past its checkpoint, which the
     * resumed job will see again.
     */
    synchronized void resumeFrom(Job previous) {
        synchronized (previous) {
            JsonObject saved = previous.checkpoint == null ? null : previous.checkpoint.getJsonObject("counters");
            if (saved != null) {
                saved.forEach(e -> counters.put(e.getKey(), ((Number) e.getValue()).longValue()));
            } else {
                counters.putAll(previous.counters);
            }
            checkpoint = previous.checkpoint == null ? null : previous.checkpoint.copy();
            current = previous.current;
            total = previous.total;
            unit = previous.unit;
        }
    }

    /** Back to queued under the same id, its counters kept: an interrupted job run again. */
    synchronized void requeued() {
        state = JobState.QUEUED;
        stage = "queued";
        error = null;
        endedAt = null;
    }

    synchronized void finish(JobState finalState, String error) {
        state = finalState;
        stage = finalState.wireName();
        this.error = error;
        endedAt = Instant.now();
    }

    /** Units per second since this run started (resumed work is not counted), 0 before any progress. */
    private double rate() {
        if (state != JobState.RUNNING || runNanosStart == 0) {
            return 0;
        }
        double seconds = (System.nanoTime() - runNanosStart) / 1e9;
        return seconds < 0.5 ? 0 : (current - currentAtStart) / seconds;
    }

    public synchronized JsonObject toJson() {
        JsonObject counts = new JsonObject();
        counters.forEach(counts::put);
        double rate = rate();
        Long eta = rate > 0 && total >= 0 ? Math.max(0, (long) Math.ceil((total - current) / rate)) : null;
        return new JsonObject().put("id", id).put("type", type).put("state", state.wireName()).put("stage", stage)
                .put("current", current).put("total", total < 0 ? null : total).put("unit", unit)
                .put("rate", Math.round(rate * 10) / 10.0).put("eta_seconds", eta)
                .put("counters", counts)
                .put("created_at", createdAt.toString())
                .put("started_at", startedAt == null ? null : startedAt.toString())
                .put("ended_at", endedAt == null ? null : endedAt.toString())
                .put("elapsed_seconds", startedAt == null ? null : Duration.between(startedAt,
                        endedAt == null ? Instant.now() : endedAt).toMillis() / 1000.0)
                .put("error", error).put("params", params.copy())
                .put("checkpoint", checkpoint == null ? null : checkpoint.copy());
    }

    /** Reads a persisted job. A job persisted as queued or running was cut off by a stop or crash: interrupted. */
    static Job fromJson(JsonObject json) {
        Job job = new Job(json.getString("id"), json.getString("type"), json.getJsonObject("params",
                new JsonObject()), Instant.parse(json.getString("created_at")));
        job.state = JobState.fromWireName(json.getString("state"));
        job.stage = json.getString("stage", job.state.wireName());
        job.current = json.getLong("current", 0L);
        job.total = json.getValue("total") == null ? -1 : json.getLong("total");
        job.unit = json.getString("unit", "items");
        json.getJsonObject("counters", new JsonObject()).forEach(e ->
                job.counters.put(e.getKey(), ((Number) e.getValue()).longValue()));
        job.startedAt = json.getString("started_at") == null ? null : Instant.parse(json.getString("started_at"));
        job.endedAt = json.getString("ended_at") == null ? null : Instant.parse(json.getString("ended_at"));
        job.error = json.getString("error");
        job.checkpoint = json.getJsonObject("checkpoint");
        if (!job.state.finished()) {
            job.state = JobState.INTERRUPTED;
            job.stage = "interrupted";
            job.error = "the daemon stopped while the job was " + json.getString("state")
                    + "; resume it to continue";
            if (job.endedAt == null) {
                job.endedAt = Instant.now();
            }
        }
        return job;
    }
}
