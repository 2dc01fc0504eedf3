package org.dindex.http;

import io.netty.channel.ChannelOption;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.dindex.protocol.Addresses;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * {@code GET /api/v1/jobs/{id}/events}: one job's server-sent events in the Rust original's vocabulary
 * ({@link OriginalEvents}), ending after {@code job_completed}.
 *
 * <p>Order: listen on the job's progress address first, then ask for the job and its recent events, and hold what
 * arrives in between until those are out, so nothing is lost between snapshot and live events. A client that reads
 * too slowly must not hold up the daemon or grow a buffer without end: while the response's write queue is full,
 * droppable events (URL events, progress) are counted instead of written; when it drains, a {@code lagged} event
 * ({@code {"missed": n}}, as the original sends) and the latest progress go out. {@code job_completed} is never
 * dropped. A comment line every 15 s keeps proxies from closing a quiet stream.
 *
 * <p>How far behind is "behind": the connection's kernel send buffer is pinned to {@value #SEND_BUFFER_BYTES}
 * bytes (Linux would otherwise grow it to megabytes for a reader that stopped reading) and Vert.x's queue to the same,
 * so a stalled reader holds a bounded amount of memory and hears about the gap soon after it resumes.
 */
final class JobEventStream {
    static final long KEEP_ALIVE_MS = 15_000;
    static final int SEND_BUFFER_BYTES = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(
            JobEventStream.class.getName());

    private final Vertx vertx;
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final ApiRoutes api;
    private final String jobId;
    private final OriginalEvents events;
    private final List<JsonObject> early = new ArrayList<>();
    private MessageConsumer<Object> consumer;
    private long keepAlive = -1;
    private boolean live;
    private boolean closed;
    private long missed;
    private OriginalEvents.Sse heldProgress;

    JobEventStream(Vertx vertx, RoutingContext ctx, ApiRoutes api, String jobId) {
        this.vertx = vertx;
        this.ctx = ctx;
        this.response = ctx.response();
        this.api = api;
        this.jobId = jobId;
        this.events = new OriginalEvents(jobId);
    }

    void start() {
        consumer = vertx.eventBus().consumer(Addresses.PROGRESS_PREFIX + jobId);
        consumer.handler(message -> {
            if (message.body() instanceof JsonObject event) {
                if (live) {
                    send(events.onBusEvent(event));
                } else {
                    early.add(event);
                }
            }
        });
        consumer.completion()
                .compose(v -> api.request(Addresses.JOBS_GET, new JsonObject().put("id", jobId).put("events", true),
                        Duration.ofSeconds(10)))
                .onFailure(e -> {
                    close();
                    HttpErrors.fail(ctx, e);
                })
                .onSuccess(this::begin);
    }

    private void begin(JsonObject snapshot) {
        if (response.closed()) {
            close();
            return;
        }
        boundBuffers();
        response.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
        response.closeHandler(v -> close());
        response.drainHandler(v -> drained());
        keepAlive = vertx.setPeriodic(KEEP_ALIVE_MS, t -> {
            if (!response.writeQueueFull()) {
                response.write(": keep-alive\n\n");
            }
        });
        live = true;
        send(events.start(snapshot.getJsonObject("job", new JsonObject()),
                snapshot.getJsonArray("events", new JsonArray())));
        for (JsonObject event : early) {
            send(events.onBusEvent(event));
        }
        early.clear();
    }

    /**
     * Pins this connection's send buffers (see the class comment). Uses the Netty channel behind Vert.x's HTTP/1
     * connection, as {@link RequestHeadDeadline} does; without it (another Vert.x) streams still work, only with the
     * kernel's own buffer sizes.
     */
    private void boundBuffers() {
        response.setWriteQueueMaxSize(SEND_BUFFER_BYTES);
        if (ctx.request().connection() instanceof HttpServerConnection c
                && c.channelHandlerContext() != null) {
            try {
                c.channelHandlerContext().channel().config().setOption(ChannelOption.SO_SNDBUF,
                        SEND_BUFFER_BYTES);
            } catch (RuntimeException e) {
                LOG.fine(() -> "cannot bound the send buffer of an event stream: " + e);
            }
        }
    }

    private void send(List<OriginalEvents.Sse> batch) {
        for (OriginalEvents.Sse sse : batch) {
            if (closed) {
                return;
            }
            if (sse.droppable() && (response.writeQueueFull() || missed > 0)) {
                if ("progress".equals(sse.name())) {
                    heldProgress = sse;  // superseded by any later progress: keep only the latest
                }
                missed++;
                continue;
            }
            if (missed > 0) {
                catchUp();  // before an event that is never dropped (job_completed), the client learns what it missed
            }
            write(sse);
        }
        if (events.completed() && !closed) {
            close();
            response.end();
        }
    }

    /** The client caught up: say how much it missed, then where the job stands. */
    private void drained() {
        if (!closed && missed > 0 && !response.writeQueueFull()) {
            catchUp();
        }
    }

    private void catchUp() {
        write(new OriginalEvents.Sse("lagged", new JsonObject().put("type", "lagged").put("job_id", jobId)
                .put("missed", missed), false));
        missed = 0;
        if (heldProgress != null) {
            write(heldProgress);
            heldProgress = null;
        }
    }

    private void write(OriginalEvents.Sse sse) {
        response.write("event: " + sse.name() + "\ndata: " + sse.data().encode() + "\n\n");
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (keepAlive >= 0) {
            vertx.cancelTimer(keepAlive);
        }
        consumer.unregister();
    }
}
