package org.dindex.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.dindex.metrics.MetricsHistory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Samples {@link MetricsHistory} every interval and pushes each sample to the {@code /ws} clients that subscribed to
 * {@code metrics}. Sampling runs on a worker thread of its own ({@code dindex-metrics}: a gauge may count on the
 * index); the listeners are touched only on the HTTP verticle's event loop, where the sample's frame is encoded once
 * and written to each of them.
 */
final class MetricsFeed {
    private static final Logger LOG = Logger.getLogger(MetricsFeed.class.getName());
    private final Vertx vertx;
    private final MetricsHistory history;
    private final Set<ProgressSocket> listeners = new LinkedHashSet<>();
    private WorkerExecutor worker;
    private long timer = -1;

    MetricsFeed(Vertx vertx, MetricsHistory history) {
        this.vertx = vertx;
        this.history = history;
    }

    /** Starts sampling: a first sample now (the baseline of the first rates), then one every interval. */
    void start() {
        worker = vertx.createSharedWorkerExecutor("dindex-metrics", 1);
        sampleNow();
        timer = vertx.setPeriodic(history.intervalMillis(), id -> sampleNow());
    }

    private void sampleNow() {
        worker.executeBlocking(history::sample, true).onSuccess(this::publish)
                .onFailure(e -> LOG.log(Level.FINE, "metrics sample failed", e));
    }

    private void publish(JsonObject sample) {
        if (listeners.isEmpty()) {
            return;
        }
        String frame = new JsonObject().put("type", "metrics").put("sample", sample).encode();
        for (ProgressSocket socket : List.copyOf(listeners)) {
            socket.sendMetrics(frame);
        }
    }

    /** The {@code metrics_history} answer to a subscription: every sample of the window, oldest first. */
    String historyFrame(String id) {
        return new JsonObject().put("type", "metrics_history").put("id", id).put("scope", "metrics")
                .put("interval_ms", history.intervalMillis()).put("window_ms", history.windowMillis())
                .put("samples", history.history()).encode();
    }

    void add(ProgressSocket socket) {
        listeners.add(socket);
    }

    void remove(ProgressSocket socket) {
        listeners.remove(socket);
    }

    Future<Void> stop() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        listeners.clear();
        return worker == null ? Future.succeededFuture() : worker.close();
    }
}
