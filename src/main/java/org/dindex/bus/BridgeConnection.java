package org.dindex.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.Frames;
import org.dindex.protocol.JsonTypes;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection of the {@link SocketBridge}: framing, validation, permission checks and request routing.
 *
 * <p>Unlike the stock {@code TcpEventBusBridge}, every bad frame gets an {@code err} frame. Bad content (JSON, type,
 * address, body) leaves the connection usable; a bad length prefix cannot be resynchronised, so the connection is
 * closed after the {@code err} frame. All state is confined to the connection's event loop, except
 * {@link #idleSince()}, which the bridge reads from another loop to choose a connection to close at the limit.
 *
 * <p>Memory and time are bounded: a frame over 64 KiB reserves its announced length from the bridge-wide
 * {@link FrameBudget} before its body is buffered, a frame must arrive whole within {@code bridge.frame_timeout_ms},
 * and a connection idle for {@code bridge.idle_timeout_ms} is closed.
 */
final class BridgeConnection {
    private static final Logger LOG = Logger.getLogger(BridgeConnection.class.getName());

    /** A request may ask for a longer (or shorter) reply timeout than the default, up to an hour. */
    static final String TIMEOUT_HEADER = "timeout_ms";
    static final long MAX_TIMEOUT_MS = 3_600_000;

    private final Vertx vertx;
    private final NetSocket socket;
    private final BridgeOptions options;
    private final BridgePermissions permissions;
    private final BridgeStats stats;
    private final FrameBudget budget;
    private final DirectRoutes direct;
    private final RecordParser parser;
    private final Map<String, MessageConsumer<Object>> registrations = new HashMap<>();
    private boolean expectingLength = true;
    private boolean closed;
    private int inFlight;
    /** Bytes reserved from the budget for the frame being received, 0 between frames. */
    private int reservedBytes;
    private long frameStartedNanos;
    private long timer = -1;
    private final Context context;
    /** {@link System#nanoTime()} when the connection last became idle, or {@link Long#MAX_VALUE} while busy. */
    private volatile long idleSince = System.nanoTime();

    BridgeConnection(Vertx vertx, NetSocket socket, BridgeOptions options, BridgePermissions permissions,
                     BridgeStats stats, FrameBudget budget, DirectRoutes direct) {
        this.vertx = vertx;
        this.direct = direct;
        this.socket = socket;
        this.options = options;
        this.permissions = permissions;
        this.stats = stats;
        this.budget = budget;
        this.parser = RecordParser.newFixed(4, socket);
        this.context = vertx.getOrCreateContext();  // made on the connection's event loop
    }

    /** Starts reading; called on the connection's event loop, so its timer runs there too. */
    void start() {
        parser.handler(this::onRecord);
        parser.exceptionHandler(e -> {
            LOG.log(Level.FINE, "bridge connection error", e);
            socket.close();
        });
        socket.closeHandler(v -> onClosed());
        long period = Math.max(50, Math.min(options.frameTimeout().toMillis(), options.idleTimeout().toMillis()) / 4);
        timer = vertx.setPeriodic(period, t -> checkTimeouts());
    }

    /** When this connection last became idle (nothing in flight, no registration, no frame under way). */
    long idleSince() {
        return idleSince;
    }

    private void updateIdle() {
        boolean busy = inFlight > 0 || !registrations.isEmpty() || !expectingLength;
        if (busy) {
            idleSince = Long.MAX_VALUE;
        } else if (idleSince == Long.MAX_VALUE) {
            idleSince = System.nanoTime();
        }
    }

    private void checkTimeouts() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        if (!expectingLength && now - frameStartedNanos > options.frameTimeout().toNanos()) {
            stats.error("frame_timeout");
            closeWith(ErrorCode.TIMEOUT, "a frame of " + expectedLength + " bytes did not arrive whole within "
                    + options.frameTimeout().toMillis() + " ms (bridge.frame_timeout_ms)");
        } else if (idleSince != Long.MAX_VALUE && now - idleSince > options.idleTimeout().toNanos()) {
            stats.error("idle_timeout");
            closeWith(ErrorCode.TIMEOUT, "closing this connection after " + options.idleTimeout().toMillis()
                    + " ms without requests (bridge.idle_timeout_ms)");
        }
    }

    /** Writes an {@code err} frame (not addressed to any request) and ends the connection. */
    private void closeWith(ErrorCode code, String message) {
        closed = true;
        parser.pause();
        socket.write(Frames.encode(Frames.err(null, code, message)));
        socket.end();
    }

    /** Rejects the connection outright (too many connections), telling the client why. */
    void refuse(ErrorCode code, String message) {
        closed = true;
        socket.write(Frames.encode(Frames.err(null, code, message)));
        socket.end();
    }

    void close() {
        socket.close();
    }

    /** Closes an idle connection to make room for a new one, telling its client why. */
    void evict(String message) {
        context.runOnContext(v -> {  // on this connection's own loop, where its state lives
            if (!closed && idleSince != Long.MAX_VALUE) {
                closeWith(ErrorCode.TOO_MANY_REQUESTS, message);
            }
        });
    }

    int inFlight() {
        return inFlight;
    }

    private int expectedLength;

    private void onRecord(Buffer record) {
        if (closed) {
            return;
        }
        if (expectingLength) {
            if (record.length() < 4) {
                return;  // the stream ended inside a length prefix: nothing to answer, nobody to answer
            }
            int length = record.getInt(0);
            if (length <= 0 || length > options.maxFrameBytes()) {
                stats.error("frame_size");
                String what = length <= 0 ? "invalid frame length " + length + " (must be positive)"
                        : "frame of " + length + " bytes exceeds the limit of " + options.maxFrameBytes() + " bytes";
                closeWith(ErrorCode.TOO_LARGE, what + "; closing the connection because the stream cannot be"
                        + " resynchronised");
                return;
            }
            if (!budget.reserve(length)) {
                stats.error("frame_budget");
                closeWith(ErrorCode.UNAVAILABLE, "the daemon is already receiving " + budget.reserved() / (1 << 20)
                        + " MiB of large frames (limit " + budget.limit() / (1 << 20) + " MiB,"
                        + " bridge.max_pending_frame_bytes); a frame of " + length + " bytes was refused and this"
                        + " connection closed; retry later");
                return;
            }
            reservedBytes = length;
            frameStartedNanos = System.nanoTime();
            expectingLength = false;
            expectedLength = length;
            updateIdle();
            parser.fixedSizeMode(length);
        } else {
            releaseReservation();
            if (record.length() < expectedLength) {
                return;  // cut off by a disconnect, not a bad frame
            }
            expectingLength = true;
            parser.fixedSizeMode(4);
            stats.frameIn();
            onFrame(record);
            updateIdle();
        }
    }

    private void releaseReservation() {
        budget.release(reservedBytes);
        reservedBytes = 0;
    }

    private void onFrame(Buffer payload) {
        JsonObject frame;
        try {
            frame = new JsonObject(payload);
        } catch (DecodeException | ClassCastException e) {
            badFrame(null, "invalid JSON frame: " + firstLine(e.getMessage()));
            return;
        }
        String replyAddress = frame.getValue("replyAddress") instanceof String s ? s : null;
        Object type = frame.getValue("type");
        if (type == null) {
            badFrame(replyAddress, "frame has no 'type' (expected send, publish, register, unregister or ping)");
            return;
        }
        if (!(type instanceof String typeName)) {
            badFrame(replyAddress, "'type' must be a string, got " + JsonTypes.describe(type));
            return;
        }
        switch (typeName) {
            case Frames.PING -> write(new JsonObject().put("type", Frames.PONG));
            case Frames.SEND, Frames.PUBLISH -> onSendOrPublish(typeName, frame, replyAddress);
            case Frames.REGISTER -> onRegister(frame);
            case Frames.UNREGISTER -> onUnregister(frame);
            default -> badFrame(replyAddress, "unknown frame type '" + typeName
                    + "' (expected send, publish, register, unregister or ping)");
        }
    }

    private void onSendOrPublish(String type, JsonObject frame, String replyAddress) {
        String address = requireAddress(frame, replyAddress);
        if (address == null) {
            return;
        }
        if (frame.containsKey("replyAddress") && replyAddress == null) {
            badFrame(null, "'replyAddress' must be a string");
            return;
        }
        Object body = frame.getValue("body");
        if (body != null && !(body instanceof JsonObject)) {
            badFrame(replyAddress, "'body' must be a JSON object, got " + JsonTypes.describe(body));
            return;
        }
        DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(options.requestTimeout().toMillis());
        Object headers = frame.getValue("headers");
        if (headers != null) {
            if (!(headers instanceof JsonObject headerObject)) {
                badFrame(replyAddress, "'headers' must be a JSON object, got " + JsonTypes.describe(headers));
                return;
            }
            for (var e : headerObject) {
                if (TIMEOUT_HEADER.equals(e.getKey())) {
                    if (!(e.getValue() instanceof Number n) || n.longValue() <= 0) {
                        badFrame(replyAddress, "header '" + TIMEOUT_HEADER + "' must be a positive number of ms");
                        return;
                    }
                    delivery.setSendTimeout(Math.min(n.longValue(), MAX_TIMEOUT_MS));
                } else {
                    delivery.addHeader(e.getKey(), String.valueOf(e.getValue()));
                }
            }
        }
        if (!permissions.mayRequest(address)) {
            stats.error("access_denied");
            write(Frames.err(replyAddress, ErrorCode.ACCESS_DENIED, "access denied: '" + address
                    + "' is not an address the daemon serves"));
            return;
        }
        EventBus bus = vertx.eventBus();
        if (Frames.PUBLISH.equals(type)) {
            bus.publish(address, body, delivery);
        } else if (replyAddress == null) {
            bus.send(address, body, delivery);
        } else {
            request(bus, address, body, delivery, replyAddress);
        }
    }

    private void request(EventBus bus, String address, Object body, DeliveryOptions delivery, String replyAddress) {
        if (inFlight >= options.maxInFlightPerConnection()) {
            stats.error("too_many_requests");
            write(Frames.err(replyAddress, ErrorCode.TOO_MANY_REQUESTS, "too many requests in flight on this"
                    + " connection (limit " + options.maxInFlightPerConnection() + "); wait for replies first"));
            return;
        }
        var handler = direct.get(address);
        if (handler != null && (body == null || body instanceof JsonObject)) {
            requestDirect(handler, address, (JsonObject) body, delivery.getSendTimeout(), replyAddress);
            return;
        }
        inFlight++;
        stats.requestStarted();
        bus.request(address, body, delivery).onComplete(ar -> {
            inFlight--;
            stats.requestFinished();
            updateIdle();
            if (ar.succeeded()) {
                Message<Object> reply = ar.result();
                JsonObject frame = Frames.message(replyAddress, reply.body());
                if (!reply.headers().isEmpty()) {
                    JsonObject headers = new JsonObject();
                    reply.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
                    frame.put("headers", headers);
                }
                write(frame);
            } else {
                write(failureFrame(replyAddress, address, ar.cause(), delivery.getSendTimeout()));
            }
        });
    }

    /**
     * A request the handler serves on any thread ({@link DirectRoutes}): called here, its reply encoded on the thread
     * that completes it and written from this connection's loop; the same timeout and error codes as over the bus.
     */
    private void requestDirect(Function<JsonObject, Future<JsonObject>> handler,
                               String address, JsonObject body, long timeoutMs, String replyAddress) {
        inFlight++;
        stats.requestStarted();
        boolean[] done = {false};  // confined to this connection's loop
        long timer = vertx.setTimer(timeoutMs, t -> finishDirect(done, Frames.utf8(Frames.err(replyAddress,
                ErrorCode.TIMEOUT, "timeout: no reply from '" + address + "' within " + timeoutMs + " ms")),
                "timeout"));
        handler.apply(body).onComplete(ar -> {
            byte[] frame = Frames.utf8(ar.succeeded() ? Frames.message(replyAddress, ar.result())
                    : failureFrame(replyAddress, BusHandlers.failure(address, ar.cause())));
            context.runOnContext(v -> {
                vertx.cancelTimer(timer);
                finishDirect(done, frame, ar.succeeded() ? null : "handler_failure");
            });
        });
    }

    private void finishDirect(boolean[] done, byte[] frame, String error) {
        if (done[0]) {
            return;
        }
        done[0] = true;
        inFlight--;
        stats.requestFinished();
        if (error != null) {
            stats.error(error);
        }
        updateIdle();
        if (!closed) {
            writeBytes(frame);
        }
    }

    private static JsonObject failureFrame(String replyAddress, DindexException e) {
        return Frames.err(replyAddress, e.code(), e.getMessage());
    }

    private JsonObject failureFrame(String replyAddress, String address, Throwable cause, long timeoutMs) {
        if (cause instanceof ReplyException re) {
            switch (re.failureType()) {
                case TIMEOUT -> {
                    stats.error("timeout");
                    return Frames.err(replyAddress, ErrorCode.TIMEOUT, "timeout: no reply from '" + address
                            + "' within " + timeoutMs + " ms");
                }
                case NO_HANDLERS -> {
                    stats.error("no_handler");
                    return Frames.err(replyAddress, ErrorCode.UNAVAILABLE, "'" + address
                            + "' is not being served right now (is the daemon stopping?)");
                }
                default -> {
                    stats.error("handler_failure");
                    return Frames.err(replyAddress, ErrorCode.fromFailureCode(re.failureCode()), re.getMessage());
                }
            }
        }
        stats.error("handler_failure");
        return Frames.err(replyAddress, ErrorCode.INTERNAL, "internal error: " + cause);
    }

    private void onRegister(JsonObject frame) {
        String address = requireAddress(frame, null);
        if (address == null) {
            return;
        }
        if (!permissions.mayRegister(address)) {
            stats.error("access_denied");
            write(Frames.err(address, ErrorCode.ACCESS_DENIED, "access denied: registration on '" + address
                    + "' is not permitted (allowed prefixes: " + String.join(", ", permissions.outboundPrefixes())
                    + ")"));
            return;
        }
        if (registrations.containsKey(address)) {
            return;
        }
        MessageConsumer<Object> consumer = vertx.eventBus().consumer(address,
                msg -> write(Frames.message(address, msg.body())));
        registrations.put(address, consumer);
        updateIdle();
    }

    private void onUnregister(JsonObject frame) {
        String address = requireAddress(frame, null);
        if (address == null) {
            return;
        }
        MessageConsumer<Object> consumer = registrations.remove(address);
        if (consumer == null) {
            write(Frames.err(address, ErrorCode.NOT_FOUND, "not registered on '" + address + "'"));
        } else {
            consumer.unregister();
        }
        updateIdle();
    }

    private String requireAddress(JsonObject frame, String replyAddress) {
        Object address = frame.getValue("address");
        if (address instanceof String s && !s.isEmpty()) {
            return s;
        }
        badFrame(replyAddress, address == null ? "frame of type '" + frame.getValue("type") + "' has no 'address'"
                : "'address' must be a non-empty string, got " + JsonTypes.describe(address));
        return null;
    }

    private void badFrame(String replyAddress, String message) {
        stats.error("bad_frame");
        write(Frames.err(replyAddress, ErrorCode.BAD_FRAME, message));
    }

    private void write(JsonObject frame) {
        if (closed) {
            return;
        }
        writeBytes(Frames.utf8(frame));
    }

    /** Writes one frame's JSON bytes with their length prefix. */
    private void writeBytes(byte[] json) {
        socket.write(Buffer.buffer(json.length + 4).appendInt(json.length).appendBytes(json));
        if (socket.writeQueueFull()) {
            // The client reads slower than it sends: stop reading its requests until our replies drain.
            parser.pause();
            socket.drainHandler(v -> {
                if (!closed) {
                    parser.resume();
                }
            });
        }
    }

    private void onClosed() {
        closed = true;
        releaseReservation();
        vertx.cancelTimer(timer);
        registrations.values().forEach(MessageConsumer::unregister);
        registrations.clear();
        stats.connectionClosed(this);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "not a JSON object";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}
