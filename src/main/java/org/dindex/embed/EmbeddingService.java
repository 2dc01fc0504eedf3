package org.dindex.embed;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import org.dindex.config.Settings;
import org.dindex.config.DaemonConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.dindex.metrics.Metrics;
import org.dindex.platform.BackgroundPriority;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The daemon's one embedder behind a batching queue. Chunks from any number of requests are gathered into batches
 * of {@code batchSize}, or sent after {@code batchWait} when fewer arrive, and embedded on the {@code dindex-embed}
 * worker (one thread: ONNX Runtime already uses every core inside one inference). The queue is bounded: past
 * {@code queueLimit} waiting chunks new work is refused with {@code unavailable}, so memory stays bounded and a slow
 * embedder pushes back on producers. Queue state lives on one event-loop context.
 *
 * <p>Batches are grouped by length. A batch is padded to its longest input, so a short chunk batched with long ones
 * costs as much as a long one; offline encoders sort their inputs by length for this reason. Here the oldest
 * {@link #SORT_WINDOW_BATCHES} batches' worth of waiting chunks are taken as one window, sorted by length and embedded
 * batch by batch before the next window is taken, so no chunk waits behind more than one window however many
 * shorter ones keep arriving.
 */
public final class EmbeddingService implements AutoCloseable {
    /** Settings of the batcher. */
    public record Options(int batchSize, long batchWaitMillis, int queueLimit) {
        /** The options the configuration sets ({@code embedding.batch_size} and the like). */
        public static Options from(DaemonConfig config) {
            return new Options(config.getInt(Settings.EMBEDDING_BATCH_SIZE),
                    config.getLong(Settings.EMBEDDING_BATCH_WAIT_MS), config.getInt(Settings.EMBEDDING_QUEUE_LIMIT));
        }
    }

    private record Waiting(String text, Promise<float[]> promise) {
    }

    /** How many batches' worth of waiting chunks are sorted by length together. */
    public static final int SORT_WINDOW_BATCHES = 32;

    private final Vertx vertx;
    private final Context context;
    private final Embedder embedder;
    private final Options options;
    private final WorkerExecutor worker;
    private final WorkerExecutor queryWorker;
    private final List<Waiting> queue = new ArrayList<>();
    /** The current window, sorted by length: embedded before anything else is taken from {@link #queue}. */
    private final ArrayDeque<Waiting> window = new ArrayDeque<>();
    private long timer = -1;
    private boolean running;
    private final AtomicLong queued = new AtomicLong();
    private final LongAdder embedded = new LongAdder();
    private final LongAdder batches = new LongAdder();
    private final LongAdder embedNanos = new LongAdder();

    public EmbeddingService(Vertx vertx, Embedder embedder, Options options) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.embedder = embedder;
        this.options = options;
        this.worker = vertx.createSharedWorkerExecutor("dindex-embed", 1, 10, TimeUnit.MINUTES);
        // Queries get their own lane: a search must not wait behind a long ingest batch. The ONNX session is
        // thread-safe, so both lanes share the one model instance.
        this.queryWorker = vertx.createSharedWorkerExecutor("dindex-embed-query", 1, 1, TimeUnit.MINUTES);
    }

    public Embedder embedder() {
        return embedder;
    }

    /** Embeds passages, batched with everyone else's; the vectors come back in order. */
    public Future<List<float[]>> embedPassages(List<String> texts) {
        if (texts.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        if (queued.get() + texts.size() > options.queueLimit()) {
            return Future.failedFuture(new DindexException(ErrorCode.UNAVAILABLE, "the embedding queue is full ("
                    + queued.get() + " chunks waiting, limit " + options.queueLimit() + "); retry shortly"));
        }
        queued.addAndGet(texts.size());
        List<Promise<float[]>> promises = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            promises.add(Promise.promise());
        }
        context.runOnContext(v -> {
            for (int i = 0; i < texts.size(); i++) {
                queue.add(new Waiting(texts.get(i), promises.get(i)));
            }
            schedule();
        });
        return Future.all(promises.stream().map(Promise::future).toList())
                .map(all -> all.<float[]>list());
    }

    /** Embeds a query right away (queries are latency-bound, not throughput-bound). */
    public Future<float[]> embedQuery(String text) {
        return queryWorker.executeBlocking(() -> {
                    long t0 = System.nanoTime();
                    float[] v = embedder.embedQuery(text);
                    if (queryTimer != null) {
                        queryTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                    }
                    return v;
                }, false)
                .recover(e -> Future.failedFuture(e instanceof EmbeddingException ee
                        ? new DindexException(ErrorCode.UNAVAILABLE, "embedding failed: " + ee.getMessage(), ee) : e));
    }

    private void schedule() {
        if (running || queue.isEmpty() && window.isEmpty()) {
            return;
        }
        if (!window.isEmpty() || queue.size() >= options.batchSize() || options.batchWaitMillis() == 0) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
            runBatch();
        } else if (timer < 0) {
            timer = vertx.setTimer(options.batchWaitMillis(), t -> {
                timer = -1;
                runBatch();
            });
        }
    }

    private void runBatch() {
        if (running || queue.isEmpty() && window.isEmpty()) {
            return;
        }
        if (window.isEmpty()) {
            int n = Math.min(options.batchSize() * SORT_WINDOW_BATCHES, queue.size());
            List<Waiting> taken = new ArrayList<>(queue.subList(0, n));
            queue.subList(0, n).clear();
            taken.sort(Comparator.comparingInt(w -> w.text().length()));
            window.addAll(taken);
        }
        List<Waiting> batch = new ArrayList<>(options.batchSize());
        while (batch.size() < options.batchSize() && !window.isEmpty()) {
            batch.add(window.poll());
        }
        running = true;
        List<String> texts = batch.stream().map(Waiting::text).toList();
        worker.executeBlocking(() -> {
            BackgroundPriority.lower();
            long t0 = System.nanoTime();
            List<float[]> vectors = embedder.embedPassages(texts);
            long took = System.nanoTime() - t0;
            embedNanos.add(took);
            if (batchTimer != null) {
                batchTimer.record(took, TimeUnit.NANOSECONDS);
            }
            return vectors;
        }, false).onComplete(ar -> context.runOnContext(v -> {
            running = false;
            queued.addAndGet(-batch.size());
            if (ar.succeeded()) {
                embedded.add(batch.size());
                batches.increment();
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).promise().complete(ar.result().get(i));
                }
            } else {
                Throwable cause = ar.cause() instanceof EmbeddingException e
                        ? new DindexException(ErrorCode.UNAVAILABLE, "embedding failed: " + e.getMessage(), e)
                        : ar.cause();
                batch.forEach(w -> w.promise().fail(cause));
            }
            schedule();
        }));
    }

    private volatile Timer batchTimer;
    private volatile Timer queryTimer;

    /** Records batch and query embedding latency (optional). */
    public void meter(Metrics metrics) {
        batchTimer = metrics.timer("dindex.embedding.batch", "Embedding of one batch of passages");
        queryTimer = metrics.timer("dindex.embedding.query", "Embedding of one search query");
        var r = metrics.registry();
        Gauge.builder("dindex.embedding.queue", this, EmbeddingService::queued)
                .description("Passages waiting to be embedded").register(r);
        FunctionCounter.builder("dindex.embedding.passages", this,
                s -> s.passagesEmbedded()).description("Passages embedded since start").register(r);
    }

    /** Passages embedded since start: re-indexing unchanged content must not move it. */
    public long passagesEmbedded() {
        return embedded.sum();
    }

    public long batches() {
        return batches.sum();
    }

    public long queued() {
        return queued.get();
    }

    public double embedSeconds() {
        return embedNanos.sum() / 1e9;
    }

    @Override
    public void close() {
        worker.close();
        queryWorker.close();
        embedder.close();
    }
}
