package org.dindex.http;

import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.dindex.jobs.Job;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.JsonTypes;
import org.dindex.jobs.JobRegistry;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One browser (or other client) on {@code /ws}: JSON text frames in both directions (see docs/protocol.md).
 *
 * <p>A client subscribes to all jobs or to one; it gets a snapshot, then the live events from the event bus. Why the
 * coalescing: a slow client must never hold up the bus or other clients, so when its socket's write queue is full
 * the latest state of each job is kept (older ones are dropped, since they are superseded) and item events are
 * counted as dropped; when the queue drains, the kept states go out, followed by a {@code dropped} notice.
 *
 * <p>A client may also subscribe to the daemon's metrics ({@code "scope": "metrics"}): it gets the last hour of
 * samples ({@code metrics_history}), then one {@code metrics} frame per sample from {@link MetricsFeed}. A sample that
 * finds the client's queue full is skipped (the chart shows a gap); subscribing again resends the history.
 */
final class ProgressSocket {
    private final Vertx vertx;
    private final ServerWebSocket ws;
    private final ApiRoutes api;
    private final Map<String, MessageConsumer<Object>> subscriptions = new HashMap<>();
    private final Map<String, JsonObject> heldJobs = new LinkedHashMap<>();
    private final int maxFrameBytes;
    private final MetricsFeed metrics;
    private boolean metricsSubscribed;
    private long droppedItems;
    private boolean closed;

    ProgressSocket(Vertx vertx, ServerWebSocket ws, ApiRoutes api, int maxFrameBytes, MetricsFeed metrics) {
        this.maxFrameBytes = maxFrameBytes;
        this.metrics = metrics;
        this.vertx = vertx;
        this.ws = ws;
        this.api = api;
    }

    void start() {
        ws.textMessageHandler(this::onText);
        ws.binaryMessageHandler(b -> error(null, ErrorCode.BAD_FRAME, "send JSON text frames, not binary"));
        ws.drainHandler(v -> flushHeld());
        ws.closeHandler(v -> close());
        ws.exceptionHandler(e -> {
            // Netty refuses a frame over http.ws_max_frame_bytes, Vert.x a message assembled from fragments over
            // it: say why before the connection goes. Anything else ends the connection too, never leaving it dead.
            if (!ws.isClosed()) {
                boolean tooBig = e instanceof CorruptedWebSocketFrameException
                        || e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("size");
                ws.close(tooBig ? (short) 1009 : (short) 1011, tooBig ? "message too big (limit " + maxFrameBytes
                        + " bytes)" : "connection error");
            }
            close();
        });
        send(new JsonObject().put("type", "hello").put("protocol", 1));
    }

    private void onText(String text) {
        JsonObject frame;
        try {
            frame = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            error(null, ErrorCode.BAD_FRAME, "not a JSON object");
            return;
        }
        Object idValue = frame.getValue("id");
        String id = idValue instanceof String s ? s : null;
        if (idValue != null && id == null) {
            error(null, ErrorCode.BAD_REQUEST, "'id' must be a string, got " + JsonTypes.describe(idValue));
            return;
        }
        Object typeValue = frame.getValue("type");
        if (!(typeValue instanceof String type)) {
            error(id, ErrorCode.BAD_FRAME, typeValue == null ? "message has no 'type' (expected subscribe,"
                    + " unsubscribe, search or ping)" : "'type' must be a string, got " + JsonTypes.describe(typeValue));
            return;
        }
        switch (type) {
            case "subscribe" -> scopeField(frame, id).ifPresent(scope -> {
                if (scope.equals("metrics")) {
                    subscribeMetrics(id);
                } else {
                    jobField(frame, id).ifPresent(job -> subscribe(job.orElse(null), id));
                }
            });
            case "unsubscribe" -> scopeField(frame, id).ifPresent(scope -> {
                if (scope.equals("metrics")) {
                    unsubscribeMetrics(id);
                } else {
                    jobField(frame, id).ifPresent(job -> unsubscribe(job.orElse(null), id));
                }
            });
            case "search" -> {
                Object request = frame.getValue("request");
                if (request instanceof JsonObject body) {
                    request(id, Addresses.SEARCH, body, "search_result");
                } else {
                    error(id, ErrorCode.BAD_REQUEST, "'request' must be a JSON object (the search request), got "
                            + JsonTypes.describe(request));
                }
            }
            case "ping" -> send(new JsonObject().put("type", "pong").put("id", id));
            default -> error(id, ErrorCode.BAD_FRAME, "unknown type '" + type
                    + "' (expected subscribe, unsubscribe, search or ping)");
        }
    }

    /**
     * The optional {@code scope} of a (un)subscribe message: {@code jobs} (the default: all jobs, or the one named by
     * {@code job}) or {@code metrics}; empty, after answering with an error, for anything else.
     */
    private Optional<String> scopeField(JsonObject frame, String id) {
        Object scope = frame.getValue("scope");
        if (scope == null || "jobs".equals(scope)) {
            return Optional.of("jobs");
        }
        if ("metrics".equals(scope)) {
            return Optional.of("metrics");
        }
        error(id, ErrorCode.BAD_REQUEST, "'scope' must be 'jobs' or 'metrics', got " + (scope instanceof String str
                ? "'" + (str.length() > 40 ? str.substring(0, 40) + "..." : str) + "'" : JsonTypes.describe(scope)));
        return Optional.empty();
    }

    /** The last hour of samples now, then every new one (again from the start when asked again). */
    private void subscribeMetrics(String id) {
        if (closed) {
            return;
        }
        metricsSubscribed = true;
        metrics.add(this);
        ws.writeTextMessage(metrics.historyFrame(id));
    }

    private void unsubscribeMetrics(String id) {
        metricsSubscribed = false;
        metrics.remove(this);
        send(new JsonObject().put("type", "unsubscribed").put("id", id));
    }

    /** One sample's frame, already encoded; skipped while the client is slow. Event loop. */
    void sendMetrics(String frame) {
        if (!closed && metricsSubscribed && !ws.writeQueueFull()) {
            ws.writeTextMessage(frame);
        }
    }

    /**
     * The optional {@code job} of a (un)subscribe message: empty inside when absent (all jobs); no value at all,
     * after answering with an error, when it is present but not a valid job id.
     */
    private Optional<Optional<String>> jobField(JsonObject frame, String id) {
        Object job = frame.getValue("job");
        if (job == null) {
            return Optional.of(Optional.empty());
        }
        if (!(job instanceof String jobId)) {
            error(id, ErrorCode.BAD_REQUEST, "'job' must be a job id (a string), got " + JsonTypes.describe(job));
            return Optional.empty();
        }
        if (!Job.ID.matcher(jobId).matches()) {
            error(id, ErrorCode.BAD_REQUEST, "invalid job id '" + jobId + "'");
            return Optional.empty();
        }
        return Optional.of(Optional.of(jobId));
    }

    private void subscribe(String job, String id) {
        String address = job == null ? JobRegistry.EVENTS_ADDRESS : Addresses.PROGRESS_PREFIX + job;
        if (subscriptions.containsKey(address)) {
            return;
        }
        MessageConsumer<Object> consumer = vertx.eventBus().consumer(address, m -> {
            if (m.body() instanceof JsonObject event) {
                deliver(event);
            }
        });
        subscriptions.put(address, consumer);
        JsonObject snapshotRequest = job == null ? new JsonObject() : new JsonObject().put("id", job)
                .put("events", true);
        // In a cluster the snapshot of all jobs covers every member (live events already do: they are published
        // cluster-wide); a lone daemon answers with its own list.
        consumer.completion()
                .compose(v -> job != null ? api.request(Addresses.JOBS_GET, snapshotRequest, Duration.ofSeconds(10))
                        : api.request(Addresses.CLUSTER_JOBS, snapshotRequest, Duration.ofSeconds(10))
                        .recover(e -> api.request(Addresses.JOBS_LIST, snapshotRequest, Duration.ofSeconds(10))))
                .onSuccess(reply -> send(reply.copy().put("type", "snapshot").put("id", id)
                        .put("scope", job == null ? "jobs" : job)))
                .onFailure(e -> {
                    unsubscribeAddress(address);
                    fail(id, e);
                });
    }

    private void unsubscribe(String job, String id) {
        unsubscribeAddress(job == null ? JobRegistry.EVENTS_ADDRESS : Addresses.PROGRESS_PREFIX + job);
        send(new JsonObject().put("type", "unsubscribed").put("id", id));
    }

    private void unsubscribeAddress(String address) {
        MessageConsumer<Object> c = subscriptions.remove(address);
        if (c != null) {
            c.unregister();
        }
    }

    private void request(String id, String address, JsonObject body, String replyType) {
        if (body == null) {
            error(id, ErrorCode.BAD_REQUEST, "'request' must be a JSON object");
            return;
        }
        api.request(address, body, Duration.ofSeconds(60))
                .onSuccess(result -> send(new JsonObject().put("type", replyType).put("id", id).put("result", result)))
                .onFailure(e -> fail(id, e));
    }

    /** A bus event for this client: sent now, or held (latest job state wins) while the client is slow. */
    private void deliver(JsonObject event) {
        if (closed) {
            return;
        }
        JsonObject job = event.getJsonObject("job");
        if (ws.writeQueueFull() || !heldJobs.isEmpty()) {
            if (job != null) {
                heldJobs.put(job.getString("id"), event);
            } else {
                droppedItems++;
            }
            return;
        }
        send(event);
    }

    private void flushHeld() {
        while (!heldJobs.isEmpty() && !ws.writeQueueFull()) {
            String first = heldJobs.keySet().iterator().next();
            send(heldJobs.remove(first));
        }
        if (heldJobs.isEmpty() && droppedItems > 0 && !ws.writeQueueFull()) {
            send(new JsonObject().put("type", "dropped").put("items", droppedItems));
            droppedItems = 0;
        }
    }

    private void fail(String id, Throwable e) {
        if (e instanceof DindexException de) {
            error(id, de.code(), de.getMessage());
        } else if (e instanceof ReplyException re) {
            error(id, ErrorCode.fromFailureCode(re.failureCode()), re.getMessage());
        } else {
            error(id, ErrorCode.INTERNAL, "internal error: " + e.getClass().getSimpleName());
        }
    }

    private void error(String id, ErrorCode code, String message) {
        send(new JsonObject().put("type", "error").put("id", id).put("code", code.wireName())
                .put("message", message));
    }

    private void send(JsonObject frame) {
        if (!closed) {
            ws.writeTextMessage(frame.encode());
        }
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        metrics.remove(this);
        subscriptions.values().forEach(MessageConsumer::unregister);
        subscriptions.clear();
        heldJobs.clear();
    }
}
