package org.dindex.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.jobs.JobState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one job's bus events ({@code job} records and {@code item} URL events, see docs/protocol.md) into the Rust
 * original's server-sent events: {@code job_started}, {@code url_queued}, {@code url_fetching}, {@code url_indexed},
 * {@code url_failed}, {@code url_skipped}, {@code progress} and {@code job_completed}. Imports speak the same
 * vocabulary without the URL events: their file is the one "seed", and a progress event follows every job update.
 *
 * <p>Stateful, one per stream: it remembers when each URL's fetch began (for {@code duration_ms}) and which URLs
 * are queued but not finished (for {@code urls_queued}), as far as this stream has seen them; item events it has
 * already seen (by their {@code seq}) are ignored, so a snapshot's recent events and the live ones may overlap.
 */
final class OriginalEvents {
    /** One event to send; {@code droppable} ones may be skipped for a client that falls behind. */
    record Sse(String name, JsonObject data, boolean droppable) {
    }

    private final String jobId;
    private final Map<String, Long> fetchStarted = new HashMap<>();
    private final Set<String> open = new HashSet<>();
    private long lastSeq;
    private JsonObject job = new JsonObject();
    private boolean completed;

    OriginalEvents(String jobId) {
        this.jobId = jobId;
    }

    /** Whether {@code job_completed} has been produced: nothing follows it. */
    boolean completed() {
        return completed;
    }

    /** The start of a stream: {@code job_started}, the recent URL events, progress, and the end if it is over. */
    List<Sse> start(JsonObject snapshotJob, JsonArray recentItems) {
        job = snapshotJob;
        List<Sse> out = new ArrayList<>();
        JsonObject params = job.getJsonObject("params", new JsonObject());
        JsonArray seeds = "scrape".equals(job.getString("type")) ? params.getJsonArray("urls", new JsonArray())
                : params.getValue("path") == null ? new JsonArray() : new JsonArray().add(params.getValue("path"));
        boolean scrape = "scrape".equals(job.getString("type"));
        out.add(new Sse("job_started", event("job_started").put("job_type", job.getString("type"))
                .put("seed_urls", seeds).put("max_depth", scrape ? OriginalShapes.number(params, "depth") : 0)
                .put("max_pages", OriginalShapes.number(params, scrape ? "max_pages" : "max_docs")).put("job", job),
                false));
        if (recentItems != null) {
            for (Object o : recentItems) {
                if (o instanceof JsonObject item) {
                    out.addAll(item(item));
                }
            }
        }
        out.add(progress());
        finishIfEnded(out);
        return out;
    }

    /** The events that follow one bus event of the job (none for an item already seen). */
    List<Sse> onBusEvent(JsonObject busEvent) {
        List<Sse> out = new ArrayList<>();
        if (completed) {
            return out;
        }
        if (busEvent.getJsonObject("job") != null) {
            job = busEvent.getJsonObject("job");
            out.add(progress());
            finishIfEnded(out);
        } else if ("item".equals(busEvent.getString("type"))) {
            out.addAll(item(busEvent));
        }
        return out;
    }

    private List<Sse> item(JsonObject item) {
        long seq = item.getValue("seq") instanceof Number n ? n.longValue() : 0;
        if (seq != 0 && seq <= lastSeq) {
            return List.of();
        }
        lastSeq = Math.max(lastSeq, seq);
        JsonObject e = item.getJsonObject("event", new JsonObject());
        String url = e.getString("url", e.getString("path", ""));  // a watch's events name files
        long at = OriginalShapes.number(e, "at");
        List<Sse> out = new ArrayList<>();
        switch (e.getString("kind", "")) {
            case "queued" -> {
                open.add(url);
                long depth = OriginalShapes.number(e, "depth");
                out.add(new Sse("url_queued", event("url_queued").put("url", url).put("depth", depth)
                        .put("source", depth == 0 ? "seed" : "discovered"), true));
            }
            case "fetching" -> {
                fetchStarted.put(url, at);
                out.add(new Sse("url_fetching", event("url_fetching").put("url", url), true));
            }
            case "indexed" -> {
                JsonObject data = event("url_indexed").put("url", url).put("title", e.getString("title"))
                        .put("word_count", OriginalShapes.number(e, "words"))
                        .put("chunks_created", OriginalShapes.number(e, "chunks"))
                        .put("duration_ms", duration(url, at))
                        .put("discovered_urls", OriginalShapes.number(e, "discovered"));
                if (e.getString("finalUrl") != null) {
                    data.put("final_url", e.getString("finalUrl"));
                }
                out.add(new Sse("url_indexed", data, true));
                out.add(progress());
            }
            case "failed" -> {
                out.add(new Sse("url_failed", event("url_failed").put("url", url)
                        .put("error", e.getString("reason", "failed")).put("duration_ms", duration(url, at))
                        .put("status", e.getValue("status")), true));
                out.add(progress());
            }
            case "skipped" -> {
                out.add(new Sse("url_skipped", event("url_skipped").put("url", url)
                        .put("reason", e.getString("reason", "skipped")).put("status", e.getValue("status")), true));
                out.add(progress());
            }
            default -> {
                // "stopped" and other bookkeeping events have no counterpart in the original
            }
        }
        if (e.getString("kind", "").matches("indexed|failed|skipped")) {
            open.remove(url);
            fetchStarted.remove(url);
        }
        return out;
    }

    private long duration(String url, long at) {
        Long started = fetchStarted.get(url);
        return started == null || at < started ? 0 : at - started;
    }

    /**
     * {@code progress} from the latest job record. Counters by kind, for scrapes and imports alike: succeeded are
     * indexed, imported and unchanged items; failed are failed ones and unreadable lines; skipped are every
     * {@code skipped*} counter. The rate is items per second since the job started.
     */
    private Sse progress() {
        JsonObject counters = job.getJsonObject("counters", new JsonObject());
        long succeeded = 0;
        long failed = 0;
        long skipped = 0;
        for (String name : counters.fieldNames()) {
            long v = OriginalShapes.number(counters, name);
            switch (name) {
                case "indexed", "imported", "unchanged" -> succeeded += v;
                case "failed", "line_errors" -> failed += v;
                default -> skipped += name.startsWith("skipped") ? v : 0;
            }
        }
        long processed = succeeded + failed + skipped;
        double elapsedSeconds = job.getValue("elapsed_seconds") instanceof Number n ? n.doubleValue() : 0;
        long elapsedMs = Math.round(elapsedSeconds * 1000);
        JsonObject data = event("progress").put("urls_processed", processed).put("urls_succeeded", succeeded)
                .put("urls_failed", failed).put("urls_skipped", skipped).put("urls_queued", (long) open.size())
                .put("chunks_indexed", OriginalShapes.number(counters, "chunks")).put("elapsed_ms", elapsedMs)
                .put("rate", elapsedSeconds > 0 ? processed / elapsedSeconds : null)
                .put("eta_seconds", job.getValue("eta_seconds") instanceof Number n ? n.longValue() : null)
                .put("job", job);
        return new Sse("progress", data, true);
    }

    private void finishIfEnded(List<Sse> out) {
        String state = job.getString("state");
        if (state == null || !JobState.fromWireName(state).finished()) {
            return;
        }
        completed = true;
        JsonObject counters = job.getJsonObject("counters", new JsonObject());
        JsonObject progress = progress().data();
        JsonObject stats = new JsonObject().put("documents_processed", progress.getLong("urls_succeeded"))
                .put("chunks_indexed", OriginalShapes.number(counters, "chunks"))
                .put("duration_ms", progress.getLong("elapsed_ms"))
                .put("errors", progress.getLong("urls_failed"));
        String status = switch (state) {
            case "completed" -> "completed";
            case "cancelled" -> "cancelled";
            default -> "failed";  // failed, and interrupted (the daemon stopped while it ran)
        };
        JsonObject data = event("job_completed").put("status", status).put("state", state).put("stats", stats)
                .put("job", job);
        if (!"completed".equals(status)) {
            data.put("error", job.getString("error") != null ? job.getString("error")
                    : "interrupted".equals(state) ? "the daemon stopped while the job ran" : status);
        }
        out.add(new Sse("job_completed", data, false));
    }

    private JsonObject event(String type) {
        return new JsonObject().put("type", type).put("job_id", jobId);
    }
}
