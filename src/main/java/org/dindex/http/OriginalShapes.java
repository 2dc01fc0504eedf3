package org.dindex.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * The Rust original's response fields, added beside ours. Why a superset instead of a second API: the original's
 * clients (its Swift library among them) decode strictly but ignore fields they do not know, so one reply that
 * carries every field of the original (same name, same JSON type) and ours keeps both kinds of client working,
 * and every route keeps one implementation. Pure functions of the bus replies (see docs/protocol.md, "HTTP API").
 */
final class OriginalShapes {
    private static final long MIB = 1024 * 1024;

    private OriginalShapes() {
    }

    /** {@code GET /health}: {@code healthy} and {@code version} (the original), {@code status} (ours). */
    static JsonObject health(String version) {
        return new JsonObject().put("healthy", true).put("status", "ok").put("version", version);
    }

    /**
     * {@code GET /status}: ours plus {@code running}, {@code uptime_seconds}, {@code memory_mb} (resident set size,
     * the heap in use where the platform does not tell), {@code active_jobs} (queued or running) and
     * {@code pending_writes} (write operations not yet committed).
     */
    static JsonObject status(JsonObject status, JsonObject stats, JsonObject jobs) {
        JsonObject memory = status.getJsonObject("memory", new JsonObject());
        Object rss = memory.getValue("rss_bytes");
        long bytes = rss instanceof Number n && n.longValue() > 0 ? n.longValue() : number(memory, "heap_used_bytes");
        long active = jobs.getJsonArray("jobs", new JsonArray()).stream()
                .filter(j -> j instanceof JsonObject o && ("running".equals(o.getString("state"))
                        || "queued".equals(o.getString("state")))).count();
        return status.copy().put("running", "running".equals(status.getString("state")))
                .put("uptime_seconds", number(status, "uptime_ms") / 1000)
                .put("memory_mb", bytes / MIB)
                .put("active_jobs", active)
                .put("pending_writes", number(stats.getJsonObject("pending_writes", new JsonObject()), "operations"));
    }

    /**
     * {@code GET /stats}: ours plus the original's totals and sizes: the vector index is what the vectors take in
     * memory, the BM25 index is the Lucene folder (postings and stored chunks), storage is the whole data folder.
     */
    static JsonObject stats(JsonObject stats, long storageBytes) {
        JsonObject stores = stats.getJsonObject("stores", new JsonObject());
        return stats.copy().put("total_documents", number(stats, "documents"))
                .put("total_chunks", number(stats, "chunks"))
                .put("vector_index_size_bytes", number(stores, "vectors_bytes_in_memory"))
                .put("bm25_index_size_bytes", number(stores, "lucene_bytes"))
                .put("storage_size_bytes", storageBytes);
    }

    /**
     * {@code POST /search}: each result gains {@code source_url} (its URL, else its source path), {@code source_title},
     * {@code relevance_score} and {@code citation_index}; each chunk {@code relevance_score} (the fused score) and
     * {@code position_in_doc}; each citation {@code index}, {@code source_title}, {@code source_url} and the
     * {@code snippet} of its document's best chunk. {@code query_time_ms} becomes a whole number, as the original's
     * clients decode it.
     */
    static JsonObject search(JsonObject reply) {
        JsonObject out = reply.copy();
        Map<Integer, String> snippets = new HashMap<>();
        for (Object r : out.getJsonArray("results", new JsonArray())) {
            JsonObject doc = (JsonObject) r;
            doc.put("source_url", doc.getString("url") != null ? doc.getString("url") : doc.getString("source"))
                    .put("source_title", doc.getString("title"))
                    .put("relevance_score", doc.getValue("score") instanceof Number n ? n.doubleValue() : 0.0)
                    .put("citation_index", doc.getValue("citation"));
            for (Object c : doc.getJsonArray("chunks", new JsonArray())) {
                JsonObject chunk = (JsonObject) c;
                JsonObject score = chunk.getJsonObject("score", new JsonObject());
                chunk.put("relevance_score", score.getValue("fused") instanceof Number n ? n.doubleValue() : 0.0)
                        .put("position_in_doc", chunk.getValue("position") instanceof Number n ? n.doubleValue()
                                : 0.0);
                if (chunk.getValue("snippet") == null) {
                    chunk.remove("snippet");  // the original leaves it out when there is none
                } else if (doc.getValue("citation") instanceof Number n) {
                    snippets.putIfAbsent(n.intValue(), chunk.getString("snippet"));
                }
            }
        }
        for (Object c : out.getJsonArray("citations", new JsonArray())) {
            JsonObject citation = (JsonObject) c;
            citation.put("index", citation.getValue("number"))
                    .put("source_title", citation.getString("title"))
                    .put("source_url", citation.getString("url") != null ? citation.getString("url")
                            : citation.getString("source"));
            String snippet = citation.getValue("number") instanceof Number n ? snippets.get(n.intValue()) : null;
            if (snippet != null) {
                citation.put("snippet", snippet);
            }
        }
        if (out.getValue("query_time_ms") instanceof Number n) {
            out.put("query_time_ms", Math.round(n.doubleValue()));
        }
        return out;
    }

    /**
     * {@code POST /index}: ours plus {@code documents_indexed} (every document accepted: indexed, replaced or
     * unchanged), {@code chunks_created} (chunks written) and {@code duration_ms}.
     */
    static JsonObject indexed(JsonObject summary, long durationMs) {
        long accepted = number(summary, "indexed") + number(summary, "replaced") + number(summary, "unchanged");
        return summary.copy().put("documents_indexed", accepted).put("chunks_created", number(summary, "chunks"))
                .put("duration_ms", durationMs);
    }

    /** {@code POST /index/commit}: ours plus {@code success}. */
    static JsonObject committed(JsonObject reply) {
        return reply.copy().put("success", true);
    }

    /** {@code POST /index/clear}: ours plus {@code chunks_deleted} (as of the commit before clearing) and timing. */
    static JsonObject cleared(JsonObject reply, long documents, long chunks, long durationMs) {
        return reply.copy().put("documents_deleted", documents).put("chunks_deleted", chunks)
                .put("duration_ms", durationMs);
    }

    /** {@code DELETE /documents}: ours plus {@code documents_deleted}, {@code chunks_deleted}, {@code duration_ms}. */
    static JsonObject deleted(JsonObject reply, long durationMs) {
        return reply.copy().put("documents_deleted", number(reply, "deleted_documents"))
                .put("chunks_deleted", number(reply, "deleted_chunks")).put("duration_ms", durationMs);
    }

    /** {@code POST /scrape} (and {@code /import}): {@code job_id} and {@code message} beside our {@code job}. */
    static JsonObject started(JsonObject reply, String message) {
        JsonObject job = reply.getJsonObject("job", new JsonObject());
        return reply.copy().put("job_id", job.getString("id")).put("message", message);
    }

    /**
     * {@code GET /jobs/{id}}: the original's flat progress ({@code job_id}, {@code stage}, {@code current},
     * {@code total}, {@code rate}, {@code eta_seconds}) beside our {@code job} (and {@code events}).
     */
    static JsonObject jobProgress(JsonObject reply) {
        JsonObject job = reply.getJsonObject("job", new JsonObject());
        return reply.copy().put("job_id", job.getString("id")).put("stage", stage(job))
                .put("current", number(job, "current"))
                .put("total", job.getValue("total") instanceof Number n ? n.longValue() : null)
                .put("rate", job.getValue("rate") instanceof Number n ? n.doubleValue() : null)
                .put("eta_seconds", job.getValue("eta_seconds") instanceof Number n ? n.longValue() : null);
    }

    /**
     * The original's {@code stage}: our stage while the job lives; {@code completed}, or {@code failed: <why>} once
     * it ended otherwise (cancelled and interrupted included). Why fold those into "failed:": the original's Swift
     * client knows a job has ended only by {@code stage == "completed"} or the prefix {@code "failed:"}, and would
     * poll a cancelled job for ever. Our {@code job.state} keeps the exact state.
     */
    static String stage(JsonObject job) {
        String state = job.getString("state", "");
        return switch (state) {
            case "completed" -> "completed";
            case "failed" -> "failed: " + job.getString("error", "the job failed");
            case "cancelled" -> "failed: cancelled";
            case "interrupted" -> "failed: interrupted (the daemon stopped while it ran; it can be resumed)";
            default -> job.getString("stage", state);
        };
    }

    /** {@code POST /jobs/{id}/cancel}: {@code success} and {@code message} beside our {@code job}. */
    static JsonObject cancelled(JsonObject reply) {
        return reply.copy().put("success", true).put("message", "Job cancelled");
    }

    /**
     * {@code POST /topics} (the original's {@code POST /cluster}): the original's shape beside ours. Each cluster gains {@code cluster_id}
     * ({@code "cluster_<n>"}) and {@code document_urls}; the reply gains {@code documents} (title and snippet by URL,
     * empty unless summaries are asked for, as in the original), {@code unmatched_urls} and {@code cluster_time_ms}.
     */
    static JsonObject topics(JsonObject reply, boolean includeSummaries, long durationMs) {
        JsonObject out = reply.copy();
        JsonObject documents = new JsonObject();
        for (Object o : out.getJsonArray("clusters", new JsonArray())) {
            JsonObject cluster = (JsonObject) o;
            JsonArray urls = new JsonArray();
            for (Object d : cluster.getJsonArray("documents", new JsonArray())) {
                JsonObject doc = (JsonObject) d;
                urls.add(doc.getString("url"));
                if (includeSummaries) {
                    documents.put(doc.getString("url"), new JsonObject()
                            .put("title", doc.getString("title") != null ? doc.getString("title") : doc.getString("url"))
                            .put("snippet", doc.getString("snippet", "")));
                }
            }
            cluster.put("cluster_id", "cluster_" + cluster.getValue("id")).put("document_urls", urls);
        }
        return out.put("documents", documents).put("unmatched_urls", out.getJsonArray("missing", new JsonArray()))
                .put("cluster_time_ms", durationMs);
    }

    /** A whole number from a JSON field holding any number (the status reply's sizes are doubles), else 0. */
    static long number(JsonObject o, String key) {
        return o != null && o.getValue(key) instanceof Number n ? n.longValue() : 0;
    }
}
