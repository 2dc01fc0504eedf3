package org.dindex.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's ring of samples, read from the daemon's real registry ({@link Metrics}: Prometheus). */
class MetricsHistoryTest {
    static final long SECOND = 1_000_000_000L;
    final Metrics metrics = new Metrics();
    final AtomicLong queue = new AtomicLong();
    final AtomicLong chunks = new AtomicLong();
    final List<JsonObject> jobs = new ArrayList<>();
    final Counter indexed = metrics.registry().counter("dindex.chunks.indexed");
    final Timer hybrid = metrics.timer("dindex.search", "Searches", "mode", "hybrid", "outcome", "ok");
    final Timer bm25 = metrics.timer("dindex.search", "Searches", "mode", "bm25", "outcome", "ok");
    final MetricsHistory history;

    MetricsHistoryTest() {
        Gauge.builder("dindex.embedding.queue", queue, AtomicLong::get).register(metrics.registry());
        Gauge.builder("dindex.index.chunks", chunks, AtomicLong::get).register(metrics.registry());
        history = new MetricsHistory(metrics.registry(), () -> List.copyOf(jobs));
    }

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void ratesGaugesAndSearchPercentilesPerInterval() {
        queue.set(7);
        chunks.set(1000);
        hybrid.record(3, TimeUnit.MILLISECONDS);  // before the first sample: not in any interval
        JsonObject first = history.sample(1_000_000, 0);
        assertEquals(1L, first.getLong("seq"));
        assertEquals(1_000_000L, first.getLong("at"));
        assertNull(first.getValue("ingest_chunks_per_second"), "no rate without a previous sample");
        assertNull(first.getValue("search_count"));
        assertEquals(7.0, first.getDouble("embedding_queue"));
        assertEquals(1000.0, first.getDouble("chunks"));

        indexed.increment(50);
        queue.set(120);
        chunks.set(1040);
        for (int i = 0; i < 90; i++) {
            (i % 2 == 0 ? hybrid : bm25).record(3, TimeUnit.MILLISECONDS);   // the (2, 5] ms bucket
        }
        for (int i = 0; i < 10; i++) {
            hybrid.record(40, TimeUnit.MILLISECONDS);                        // the (25, 50] ms bucket
        }
        JsonObject second = history.sample(1_005_000, 5 * SECOND);
        assertEquals(2L, second.getLong("seq"));
        assertEquals(10.0, second.getDouble("ingest_chunks_per_second"), "50 chunks in 5 s");
        assertEquals(120.0, second.getDouble("embedding_queue"));
        assertEquals(1040.0, second.getDouble("chunks"));
        assertEquals(100L, second.getLong("search_count"), "both timers, this interval only");
        double p50 = second.getDouble("search_p50_ms");
        double p99 = second.getDouble("search_p99_ms");
        // Rank 50 of the 90 in (2, 5]: 2 + 3 * 50/90; rank 99 is the 9th of the 10 in (25, 50]: 25 + 25 * 9/10.
        assertEquals(2 + 3 * 50 / 90.0, p50, 0.01);
        assertEquals(25 + 25 * 9 / 10.0, p99, 0.01);

        // A quiet interval: no rate, no searches, so no percentiles (a gap in the chart, not a zero).
        JsonObject third = history.sample(1_010_000, 10 * SECOND);
        assertEquals(0.0, third.getDouble("ingest_chunks_per_second"));
        assertEquals(0L, third.getLong("search_count"));
        assertNull(third.getValue("search_p50_ms"));
        assertNull(third.getValue("search_p99_ms"));

        // Rates are per second of the monotonic clock, whatever the wall clock stamped.
        indexed.increment(30);
        JsonObject fourth = history.sample(1_010_001, 20 * SECOND);
        assertEquals(3.0, fourth.getDouble("ingest_chunks_per_second"));
    }

    @Test
    void runningJobsGetARatePerInterval() {
        jobs.add(job("scrape-00000001", 10, 2.5));
        JsonObject first = history.sample(0, 0);
        JsonObject seen = first.getJsonArray("jobs").getJsonObject(0);
        assertEquals("scrape-00000001", seen.getString("id"));
        assertEquals("pages", seen.getString("unit"));
        assertEquals(10L, seen.getLong("current"));
        assertEquals(2.5, seen.getDouble("rate"), "first seen: the job's own average");

        jobs.set(0, job("scrape-00000001", 35, 2.9));
        jobs.add(job("import-00000002", 4096, 100.0));
        JsonArray second = history.sample(5000, 5 * SECOND).getJsonArray("jobs");
        assertEquals(5.0, second.getJsonObject(0).getDouble("rate"), "25 pages in 5 s");
        assertEquals(100.0, second.getJsonObject(1).getDouble("rate"));

        jobs.clear();
        assertTrue(history.sample(10_000, 10 * SECOND).getJsonArray("jobs").isEmpty(), "only running jobs");
    }

    @Test
    void theRingKeepsOneHourOfSamples() {
        assertEquals(720, history.capacity(), "an hour of 5 s samples");
        JsonObject firstTaken = history.sample(0, 0);
        JsonArray early = history.history();
        for (int i = 1; i < 1000; i++) {
            indexed.increment(i);
            history.sample(i * 5000L, i * 5 * SECOND);
        }
        JsonArray ring = history.history();
        assertEquals(720, ring.size());
        assertEquals(720, history.size());
        long last = ring.getJsonObject(719).getLong("at");
        assertEquals(999 * 5000L, last);
        assertEquals(last - 719 * 5000L, ring.getJsonObject(0).getLong("at"), "the oldest is an hour old, no more");
        for (int i = 1; i < ring.size(); i++) {
            assertEquals(ring.getJsonObject(i - 1).getLong("seq") + 1, ring.getJsonObject(i).getLong("seq"));
        }
        assertEquals(1000L, ring.getJsonObject(719).getLong("seq"));
        assertEquals(999 / 5.0, ring.getJsonObject(719).getDouble("ingest_chunks_per_second"), 0.01);
        // A history handed out earlier is a copy: later samples neither grow nor change it.
        assertEquals(1, early.size());
        assertSame(firstTaken, early.getJsonObject(0));
        assertEquals(1L, early.getJsonObject(0).getLong("seq"));
    }

    @Test
    void quantilesInterpolateInsideTheBucket() {
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        cumulative.put(1.0, 0.0);
        cumulative.put(2.0, 4.0);
        cumulative.put(5.0, 4.0);
        cumulative.put(10.0, 8.0);
        assertEquals(1.5, MetricsHistory.quantile(0.25, cumulative, 8), 1e-9);
        assertEquals(2.0, MetricsHistory.quantile(0.5, cumulative, 8), 1e-9);
        assertEquals(5 + 5 * 3.92 / 4, MetricsHistory.quantile(0.99, cumulative, 8), 1e-9);
        assertEquals(10.0, MetricsHistory.quantile(0.99, cumulative, 10), 1e-9, "above the last bound: the bound");
        assertNull(MetricsHistory.quantile(0.5, cumulative, 0));
        TreeMap<Double, Double> firstBucket = new TreeMap<>();
        firstBucket.put(1.0, 2.0);
        assertEquals(0.5, MetricsHistory.quantile(0.5, firstBucket, 2), 1e-9, "the first bucket starts at 0");
    }

    static JsonObject job(String id, long current, double rate) {
        return new JsonObject().put("id", id).put("state", "running").put("unit", id.startsWith("import") ? "bytes"
                : "pages").put("current", current).put("rate", rate);
    }
}
