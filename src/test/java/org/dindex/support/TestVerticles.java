package org.dindex.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.BusHandlers;
import org.dindex.protocol.DindexException;

/**
 * Extra addresses served through the daemon's real {@link BusHandlers} (so the bridge permits them exactly as it
 * permits production addresses): an echo, a handler that fails, one that throws, and one that never answers.
 */
public final class TestVerticles extends VerticleBase {
    public static final String ECHO = "dindex.test.echo";
    public static final String FAIL = "dindex.test.fail";
    public static final String THROW = "dindex.test.throw";
    public static final String SILENT = "dindex.test.silent";

    private final BusHandlers handlers;

    public TestVerticles(BusHandlers handlers) {
        this.handlers = handlers;
    }

    @Override
    public Future<?> start() {
        handlers.serve(ECHO, body -> Future.succeededFuture(new JsonObject().put("echo", body)));
        handlers.serve(FAIL, body -> Future.failedFuture(DindexException.badRequest(
                "top_k must be between 1 and 1000, got " + body.getValue("top_k"))));
        handlers.serve(THROW, body -> {
            throw new IllegalStateException("boom");
        });
        handlers.serve(SILENT, body -> Promise.<JsonObject>promise().future());
        return Future.succeededFuture();
    }
}
