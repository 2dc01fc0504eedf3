package org.dindex.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Handlers the socket bridge may call itself, on its own event loop, instead of sending the request over the event
 * bus: those served with {@link BusHandlers#serveDirect}, which are safe on any thread.
 *
 * <p>Why: a search over the socket otherwise crosses the bus twice (to the search verticle's event loop and back),
 * and the bus copies the request and the reply (a deep copy of every local JSON message) on the way. The handler
 * does the same work either way; cluster members and HTTP still go through the bus.
 */
public final class DirectRoutes {
    private final Map<String, Function<JsonObject, Future<JsonObject>>> routes = new ConcurrentHashMap<>();

    void add(String address, Function<JsonObject, Future<JsonObject>> handler) {
        routes.put(address, handler);
    }

    /** The handler of {@code address} when it may be called directly, else null. */
    Function<JsonObject, Future<JsonObject>> get(String address) {
        return routes.get(address);
    }
}
