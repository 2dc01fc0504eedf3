package org.dindex.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    /** Each served address's own handler, as the part serving it wrote it. */
    private final Map<String, Function<JsonObject, Future<JsonObject>>> locals = new ConcurrentHashMap<>();
    /** Addresses another part decides for (a cluster member's shard routing); they call {@link #local} themselves. */
    private final Map<String, Function<JsonObject, Future<JsonObject>>> routes = new ConcurrentHashMap<>();

    public BusHandlers(Vertx vertx, ServedAddresses served, DirectRoutes direct) {
        this.vertx = vertx;
        this.served = served;
        this.direct = direct;
    }

    /**
     * Serves {@code address} with {@code handler}. The body given to the handler is never null (an absent body is an
     * empty object).
     */
    public MessageConsumer<Object> serve(String address, Function<JsonObject, Future<JsonObject>> handler) {
        locals.put(address, handler);
        // Local: in a cluster, a request to dindex.search must reach this daemon's handler, never another member's.
        MessageConsumer<Object> consumer = vertx.eventBus().localConsumer(address, message -> handle(message,
                routed(address, handler)));
        served.add(address);
        return consumer;
    }

    /**
     * Sends every request to {@code address} through {@code router} instead of its handler, until
     * {@link #unroute}: how a cluster member puts its shard routing in front of the writes without the writing
     * parts knowing of it. The router reaches this daemon's own handler through {@link #local}.
     */
    public void route(String address, Function<JsonObject, Future<JsonObject>> router) {
        routes.put(address, router);
    }

    public void unroute(String address) {
        routes.remove(address);
    }

    /**
     * The handler {@code address} was served with on this daemon, bypassing any {@link #route}: what a router calls
     * for the requests this daemon answers itself.
     *
     * @throws IllegalStateException when nothing serves {@code address} here (yet)
     */
    public Function<JsonObject, Future<JsonObject>> local(String address) {
        Function<JsonObject, Future<JsonObject>> handler = locals.get(address);
        if (handler == null) {
            throw new IllegalStateException("nothing serves " + address + " in this daemon");
        }
        return body -> {
            try {
                return handler.apply(body);
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        };
    }

    private Function<JsonObject, Future<JsonObject>> routed(String address,
                                                            Function<JsonObject, Future<JsonObject>> handler) {
        return body -> {
            Function<JsonObject, Future<JsonObject>> router = routes.get(address);
            return router != null ? router.apply(body) : handler.apply(body);
        };
    }

    /**
     * Serves {@code address} like {@link #serve}, and lets the socket bridge call {@code handler} itself, on its own
     * event loops (see {@link DirectRoutes}): for handlers that are safe on any thread and on the hot path of socket
     * clients (search, context).
     */
    public MessageConsumer<Object> serveDirect(String address, Function<JsonObject, Future<JsonObject>> handler) {
        MessageConsumer<Object> consumer = serve(address, handler);
        Function<JsonObject, Future<JsonObject>> routed = routed(address, handler);
        direct.add(address, body -> {
            try {
                return routed.apply(body == null ? new JsonObject() : body);
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        });
        return consumer;
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
