package org.dindex.http.original;

import org.dindex.http.original.StrictJson.OneOf;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A test-only model of the Rust original's HTTP response types, written from its contract
 * (the shared note "original-rest-contract.md", read from its source). Component names are the JSON field names;
 * {@link StrictJson} decodes them as strictly as the original's clients: everything required unless {@link Optional}
 * (the original's {@code Option}, the Swift client's {@code T?}), integers whole and unsigned.
 */
public final class OriginalApi {
    private OriginalApi() {
    }

    public record Error(String code, String message) {
    }

    public record Health(boolean healthy, String version) {
    }

    public record Status(boolean running, long uptime_seconds, long memory_mb, long active_jobs, long pending_writes) {
    }

    public record Stats(long total_documents, long total_chunks, long vector_index_size_bytes,
                        long bm25_index_size_bytes, long storage_size_bytes) {
    }

    public record MatchingChunk(String chunk_id, String content, double relevance_score,
                                List<String> matched_by, List<String> section_hierarchy,
                                double position_in_doc, Optional<String> snippet) {
    }

    public record GroupedResult(String document_id, Optional<String> source_url, Optional<String> source_title,
                                double relevance_score, long citation_index, List<MatchingChunk> chunks) {
    }

    public record Citation(long index, Optional<String> source_title, Optional<String> source_url,
                           Optional<String> snippet) {
    }

    public record Search(List<GroupedResult> results, List<Citation> citations, long total_documents,
                         long total_chunks, long query_time_ms) {
    }

    public record Index(long documents_indexed, long chunks_created, long duration_ms) {
    }

    public record Commit(boolean success) {
    }

    public record Clear(long chunks_deleted, long duration_ms) {
    }

    public record Delete(long documents_deleted, long chunks_deleted, long duration_ms) {
    }

    public record Cluster(String cluster_id, String label, List<String> document_urls) {
    }

    public record ClusterDocument(String title, String snippet) {
    }

    public record Clusters(List<Cluster> clusters, Map<String, ClusterDocument> documents, List<String> unmatched_urls,
                           long cluster_time_ms) {
    }

    public record JobStarted(String job_id, String message) {
    }

    public record JobProgress(String job_id, String stage, long current, Optional<Long> total, Optional<Double> rate,
                              Optional<Long> eta_seconds) {
    }

    public record JobCancel(boolean success, String message) {
    }

    // ---- server-sent events of a job ----

    public record JobStartedEvent(@OneOf("job_started") String type, String job_id, List<String> seed_urls,
                                  long max_depth, long max_pages) {
    }

    public record UrlQueued(@OneOf("url_queued") String type, String job_id, String url, long depth,
                            @OneOf({"seed", "discovered"}) String source) {
    }

    public record UrlFetching(@OneOf("url_fetching") String type, String job_id, String url) {
    }

    public record UrlIndexed(@OneOf("url_indexed") String type, String job_id, String url, Optional<String> title,
                             long word_count, long chunks_created, long duration_ms, long discovered_urls) {
    }

    public record UrlFailed(@OneOf("url_failed") String type, String job_id, String url, String error,
                            long duration_ms) {
    }

    public record UrlSkipped(@OneOf("url_skipped") String type, String job_id, String url, String reason) {
    }

    public record Progress(@OneOf("progress") String type, String job_id, long urls_processed, long urls_succeeded,
                           long urls_failed, long urls_skipped, long urls_queued, long chunks_indexed,
                           long elapsed_ms, Optional<Double> rate, Optional<Long> eta_seconds) {
    }

    public record JobStats(long documents_processed, long chunks_indexed, long duration_ms, long errors) {
    }

    public record JobCompleted(@OneOf("job_completed") String type, String job_id,
                               @OneOf({"completed", "failed", "cancelled"}) String status, Optional<JobStats> stats,
                               Optional<String> error) {
    }

    public record Lagged(long missed) {
    }

    /** The model type of each server-sent event name. */
    public static final Map<String, Class<? extends Record>> EVENTS = Map.of(
            "job_started", JobStartedEvent.class, "url_queued", UrlQueued.class, "url_fetching", UrlFetching.class,
            "url_indexed", UrlIndexed.class, "url_failed", UrlFailed.class, "url_skipped", UrlSkipped.class,
            "progress", Progress.class, "job_completed", JobCompleted.class, "lagged", Lagged.class);
}
