package org.dindex.http;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.Addresses;
import org.dindex.bus.DindexException;
import org.dindex.bus.ErrorCode;
import org.dindex.jobs.JobRegistry;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One browser (or other client) on {@code /ws}: JSON text frames in both directions (see docs/protocol.md).
 *
 * <p>A client subscribes to all jobs or to one; it gets a snapshot, then the live events from the event bus. Why the
 * coalescing: a slow client must never hold up the bus or other clients, so when its socket's write queue is full
 * the latest state of each job is kept (older ones are dropped, since they are superseded) and item events are
 * counted as dropped; when the queue drains, the kept states go out, followed by a {@code dropped} notice.
 */
final class ProgressSocket {
    private final Vertx vertx;
    private final ServerWebSocket ws;
    private final ApiRoutes api;
    private final Map<String, MessageConsumer<Object>> subscriptions = new HashMap<>();
    private final Map<String, JsonObject> heldJobs = new LinkedHashMap<>();
    private final int maxFrameBytes;
    private long droppedItems;
    private boolean closed;

    ProgressSocket(Vertx vertx, ServerWebSocket ws, ApiRoutes api, int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
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
            if (e instanceof io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException) {
                // Netty refuses a frame over http.ws_max_frame_bytes: say why before the connection goes.
                ws.close((short) 1009, "message too big (limit " + maxFrameBytes + " bytes)");
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
        String id = frame.getValue("id") instanceof String s ? s : null;
        String type = frame.getValue("type") instanceof String t ? t : "";
        switch (type) {
            case "subscribe" -> subscribe(frame, id);
            case "unsubscribe" -> unsubscribe(frame, id);
            case "search" -> request(id, Addresses.SEARCH, frame.getJsonObject("request"), "search_result");
            case "ping" -> send(new JsonObject().put("type", "pong").put("id", id));
            default -> error(id, ErrorCode.BAD_FRAME, "unknown type '" + type
                    + "' (expected subscribe, unsubscribe, search or ping)");
        }
    }

    private void subscribe(JsonObject frame, String id) {
        String job = frame.getValue("job") instanceof String j ? j : null;
        String address = job == null ? JobRegistry.EVENTS_ADDRESS : Addresses.PROGRESS_PREFIX + job;
        if (job != null && !org.dindex.jobs.Job.ID.matcher(job).matches()) {
            error(id, ErrorCode.BAD_REQUEST, "invalid job id '" + job + "'");
            return;
        }
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

    private void unsubscribe(JsonObject frame, String id) {
        String job = frame.getValue("job") instanceof String j ? j : null;
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
        } else if (e instanceof io.vertx.core.eventbus.ReplyException re) {
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
        subscriptions.values().forEach(MessageConsumer::unregister);
        subscriptions.clear();
        heldJobs.clear();
    }
}
