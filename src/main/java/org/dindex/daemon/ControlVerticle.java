package org.dindex.daemon;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.bus.BusHandlers;

/** Serves the daemon's own addresses: {@code dindex.status} and {@code dindex.shutdown}. */
final class ControlVerticle extends VerticleBase {
    private final Daemon daemon;
    private final BusHandlers handlers;

    ControlVerticle(Daemon daemon, BusHandlers handlers) {
        this.daemon = daemon;
        this.handlers = handlers;
    }

    @Override
    public Future<?> start() {
        handlers.serve(Addresses.STATUS, body -> Future.succeededFuture(daemon.status()));
        handlers.serve(Addresses.SHUTDOWN, body -> {
            // Reply first, then stop: the bridge waits for in-flight requests, including this one.
            vertx.setTimer(1, t -> daemon.stop("shutdown requested over the socket"));
            return Future.succeededFuture(new JsonObject().put("stopping", true)
                    .put("pid", ProcessHandle.current().pid()));
        });
        return Future.succeededFuture();
    }
}
