package org.dindex.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Registers request handlers on the event bus with one error policy: a handler returns a {@code Future<JsonObject>};
 * a {@link DindexException} becomes a bus failure with its code and message, anything else becomes
 * {@link ErrorCode#INTERNAL} with the exception's message and is logged with its stack trace (which never reaches
 * the client).
 */
public final class BusHandlers {
    private static final Logger LOG = Logger.getLogger(BusHandlers.class.getName());

    private final Vertx vertx;
    private final ServedAddresses served;
    private final DirectRoutes direct;

    public BusHandlers(Vertx vertx, ServedAddresses served, DirectRoutes direct) {
        this.vertx = vertx;
        this.served = served;
        this.direct = direct;
    }

    /**
     * Serves {@code address} with {@code handler}. The body given to the handler is never null (an absent body is an
     * empty object). The returned consumer is unregistered (and the address withdrawn from the bridge) by
     * {@link #unserve}.
     */
    public MessageConsumer<Object> serve(String address, Function<JsonObject, Future<JsonObject>> handler) {
        // Local: in a cluster, a request to dindex.search must reach this daemon's handler, never another member's.
        MessageConsumer<Object> consumer = vertx.eventBus().localConsumer(address, message -> handle(message,
                handler));
        served.add(address);
        return consumer;
    }

    /**
     * Serves {@code address} like {@link #serve}, and lets the socket bridge call {@code handler} itself, on its own
     * event loops (see {@link DirectRoutes}): for handlers that are safe on any thread and on the hot path of socket
     * clients (search, context).
     */
    public MessageConsumer<Object> serveDirect(String address, Function<JsonObject, Future<JsonObject>> handler) {
        MessageConsumer<Object> consumer = serve(address, handler);
        direct.add(address, body -> {
            try {
                return handler.apply(body == null ? new JsonObject() : body);
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        });
        return consumer;
    }

    public Future<Void> unserve(MessageConsumer<?> consumer) {
        served.remove(consumer.address());
        direct.remove(consumer.address());
        return consumer.unregister();
    }

    private static void handle(Message<Object> message, Function<JsonObject, Future<JsonObject>> handler) {
        Future<JsonObject> result;
        try {
            result = handler.apply(bodyOf(message));
        } catch (RuntimeException e) {
            result = Future.failedFuture(e);
        }
        result.onSuccess(message::reply).onFailure(e -> fail(message, e));
    }

    private static JsonObject bodyOf(Message<Object> message) {
        Object body = message.body();
        if (body == null) {
            return new JsonObject();
        }
        if (body instanceof JsonObject json) {
            return json;
        }
        throw DindexException.badRequest("request body must be a JSON object, got " + body.getClass().getSimpleName());
    }

    /** Replies to {@code message} with the failure {@code e}, mapped to an {@link ErrorCode}. */
    public static void fail(Message<?> message, Throwable e) {
        DindexException mapped = failure(message.address(), e);
        message.fail(mapped.code().failureCode(), mapped.getMessage());
    }

    /** The error a client is told of a handler's failure {@code e}; unexpected ones are logged with their trace. */
    static DindexException failure(String address, Throwable e) {
        if (e instanceof DindexException de) {
            return de;
        }
        if (e instanceof ClassCastException) {
            // A safety net for a request field of the wrong type that a handler did not check itself.
            LOG.log(Level.FINE, "wrongly typed field in a request to " + address, e);
            return new DindexException(ErrorCode.BAD_REQUEST, "a field of the request has the wrong type");
        }
        LOG.log(Level.WARNING, "handler for " + address + " failed", e);
        return new DindexException(ErrorCode.INTERNAL, "internal error: " + e);
    }
}
