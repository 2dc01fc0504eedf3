package org.dindex.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The last hour of a few of the daemon's own meters, for the dashboard's charts: one sample every
 * {@link #INTERVAL}, kept in a ring of {@link #WINDOW} / {@link #INTERVAL} samples (720), so a page opened late still
 * sees the whole hour. Nothing here measures anything itself; each sample reads the registry:
 * <ul>
 *   <li>{@code dindex.chunks.indexed} (counter): chunks written per second over the interval;</li>
 *   <li>{@code dindex.embedding.queue} (gauge): passages waiting to be embedded, at the sample's instant;</li>
 *   <li>{@code dindex.search} (timers, every mode and outcome): searches in the interval and their p50 and p99,
 *       estimated from the change of the timers' cumulative histogram buckets ({@link Metrics#LATENCY_BUCKETS}) by
 *       linear interpolation inside the bucket, as Prometheus's {@code histogram_quantile} does;</li>
 *   <li>{@code dindex.index.chunks} (gauge): searchable chunks;</li>
 *   <li>running jobs: {@code current} (in the job's unit) and its rate over the interval.</li>
 * </ul>
 * Thread-safe: one thread samples, event loops read the history.
 */
public final class MetricsHistory {
    public static final Duration INTERVAL = Duration.ofSeconds(5);
    public static final Duration WINDOW = Duration.ofHours(1);
    static final String CHUNKS_INDEXED = "dindex.chunks.indexed";
    static final String EMBEDDING_QUEUE = "dindex.embedding.queue";
    static final String SEARCH = "dindex.search";
    static final String INDEX_CHUNKS = "dindex.index.chunks";

    private final MeterRegistry registry;
    private final Supplier<List<JsonObject>> runningJobs;
    private final long intervalMillis;
    private final long windowMillis;
    private final int capacity;
    private final ArrayDeque<JsonObject> samples;
    private long seq;

    /** The previous sample's raw readings (rates and percentiles are differences between two samples). */
    private long lastNanos;
    private boolean primed;
    private double lastChunksIndexed;
    private double lastSearchCount;
    private TreeMap<Double, Double> lastBuckets = new TreeMap<>();
    private Map<String, Long> lastJobCurrent = new HashMap<>();

    /**
     * @param runningJobs the running jobs' records ({@code id}, {@code unit}, {@code current}, {@code rate}, as
     *                    {@code Job.toJson} has them); called on the sampling thread
     */
    public MetricsHistory(MeterRegistry registry, Supplier<List<JsonObject>> runningJobs) {
        this(registry, runningJobs, INTERVAL, WINDOW);
    }

    MetricsHistory(MeterRegistry registry, Supplier<List<JsonObject>> runningJobs, Duration interval,
                   Duration window) {
        this.registry = registry;
        this.runningJobs = runningJobs;
        this.intervalMillis = interval.toMillis();
        this.windowMillis = window.toMillis();
        this.capacity = (int) (windowMillis / intervalMillis);
        this.samples = new ArrayDeque<>(capacity);
    }

    public long intervalMillis() {
        return intervalMillis;
    }

    public long windowMillis() {
        return windowMillis;
    }

    /** How many samples the ring keeps (the window divided by the interval). */
    public int capacity() {
        return capacity;
    }

    /** Takes a sample now. May block briefly (a gauge may count on the index): not on an event loop. */
    public JsonObject sample() {
        return sample(System.currentTimeMillis(), System.nanoTime());
    }

    /**
     * Takes a sample, appends it to the ring (dropping the oldest beyond the window) and returns it.
     *
     * @param atMillis the wall-clock time stamped on the sample (the charts' x axis)
     * @param nanos    a monotonic reading: rates are per second of it, so clock changes do not distort them
     */
    public synchronized JsonObject sample(long atMillis, long nanos) {
        double seconds = primed ? (nanos - lastNanos) / 1e9 : 0;
        boolean rates = primed && seconds > 0;

        double chunksIndexed = counter(CHUNKS_INDEXED);
        TreeMap<Double, Double> buckets = new TreeMap<>();
        double searchCount = searchBuckets(buckets);

        JsonObject s = new JsonObject().put("seq", ++seq).put("at", atMillis);
        s.put("ingest_chunks_per_second", rates ? round(Math.max(0, chunksIndexed - lastChunksIndexed) / seconds)
                : null);
        s.put("embedding_queue", gauge(EMBEDDING_QUEUE));
        if (primed) {
            // A registry that lost counts (none of ours does) restarts the difference from zero.
            boolean reset = searchCount < lastSearchCount;
            double count = reset ? searchCount : searchCount - lastSearchCount;
            TreeMap<Double, Double> delta = new TreeMap<>();
            buckets.forEach((bound, c) -> delta.put(bound, reset ? c : c - lastBuckets.getOrDefault(bound, 0.0)));
            s.put("search_count", (long) Math.round(count));
            s.put("search_p50_ms", roundOrNull(quantile(0.50, delta, count)));
            s.put("search_p99_ms", roundOrNull(quantile(0.99, delta, count)));
        } else {
            s.put("search_count", null).put("search_p50_ms", null).put("search_p99_ms", null);
        }
        s.put("chunks", gauge(INDEX_CHUNKS));
        s.put("jobs", jobs(rates ? seconds : 0));

        lastNanos = nanos;
        lastChunksIndexed = chunksIndexed;
        lastSearchCount = searchCount;
        lastBuckets = buckets;
        primed = true;
        if (samples.size() == capacity) {
            samples.removeFirst();
        }
        samples.addLast(s);
        return s;
    }

    /** The samples in the window, oldest first. The objects are shared and never changed after they are taken. */
    public synchronized JsonArray history() {
        return new JsonArray(new ArrayList<>(samples));
    }

    public synchronized int size() {
        return samples.size();
    }

    private JsonArray jobs(double seconds) {
        JsonArray out = new JsonArray();
        Map<String, Long> now = new HashMap<>();
        List<JsonObject> running;
        try {
            running = runningJobs.get();
        } catch (RuntimeException e) {
            running = List.of();
        }
        for (JsonObject job : running) {
            String id = job.getString("id");
            long current = job.getLong("current", 0L);
            now.put(id, current);
            Long before = lastJobCurrent.get(id);
            // A job seen for the first time gets its own average since it started.
            Double rate = before != null && seconds > 0 ? round(Math.max(0, current - before) / seconds)
                    : job.getValue("rate") instanceof Number n ? round(n.doubleValue()) : null;
            out.add(new JsonObject().put("id", id).put("unit", job.getString("unit", "items"))
                    .put("current", current).put("rate", rate));
        }
        lastJobCurrent = now;
        return out;
    }

    private double counter(String name) {
        Counter c = registry.find(name).counter();
        return c == null ? 0 : c.count();
    }

    private Double gauge(String name) {
        Gauge g = registry.find(name).gauge();
        if (g == null) {
            return null;
        }
        double v = g.value();
        return Double.isFinite(v) ? v : null;
    }

    /** Fills {@code into} with the search timers' cumulative counts per bucket bound (ms); returns their count. */
    private double searchBuckets(TreeMap<Double, Double> into) {
        double count = 0;
        for (Timer t : registry.find(SEARCH).timers()) {
            HistogramSnapshot snap = t.takeSnapshot();
            count += snap.count();
            for (CountAtBucket b : snap.histogramCounts()) {
                into.merge(b.bucket(TimeUnit.MILLISECONDS), b.count(), Double::sum);
            }
        }
        return count;
    }

    /**
     * The q-quantile of {@code count} values whose cumulative counts per upper bound are {@code cumulative}: the
     * bucket holding the rank, then linear interpolation between its bounds (the first bucket starts at 0). A rank
     * above the last bound answers the last bound. Null when there are no values.
     */
    static Double quantile(double q, TreeMap<Double, Double> cumulative, double count) {
        if (count <= 0 || cumulative.isEmpty()) {
            return null;
        }
        double rank = q * count;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            double upperBound = e.getKey();
            double upperCount = e.getValue();
            if (upperCount >= rank && upperCount > lowerCount) {
                return lowerBound + (upperBound - lowerBound) * (rank - lowerCount) / (upperCount - lowerCount);
            }
            lowerBound = upperBound;
            lowerCount = Math.max(lowerCount, upperCount);
        }
        return lowerBound;
    }

    private static Double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static Double roundOrNull(Double v) {
        return v == null ? null : round(v);
    }
}
