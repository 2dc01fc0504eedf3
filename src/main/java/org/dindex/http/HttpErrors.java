package org.dindex.http;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every HTTP error is {@code {"code","message"}} JSON with the status of its {@link ErrorCode} (codes follow HTTP
 * status semantics, so a bus failure maps straight through). Unexpected exceptions are logged with their stack trace
 * and answered with a one-line message, never the trace.
 */
final class HttpErrors {
    private static final Logger LOG = Logger.getLogger(HttpErrors.class.getName());

    /** The routing-context key of the request's id (see {@link HttpVerticle}). */
    static final String REQUEST_ID = "request_id";

    private HttpErrors() {
    }

    static void send(RoutingContext ctx, ErrorCode code, String message) {
        send(ctx, code.failureCode() == 599 ? 503 : code.failureCode(), code.wireName(), message);
    }

    static void send(RoutingContext ctx, int status, String code, String message) {
        send(ctx, status, code, message, null);
    }

    /** An error with fields besides code and message ({@code extra}; e.g. the original's cancel {@code success}). */
    static void send(RoutingContext ctx, int status, String code, String message, JsonObject extra) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        JsonObject body = extra == null ? new JsonObject() : extra.copy();
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(body.put("code", code).put("message", message).encode());
    }

    private static void send(RoutingContext ctx, ErrorCode code, String message, JsonObject extra) {
        send(ctx, code.failureCode() == 599 ? 503 : code.failureCode(), code.wireName(), message, extra);
    }

    /** Maps any failure (a bus reply failure, a {@link DindexException}, anything else) to its response. */
    static void fail(RoutingContext ctx, Throwable e) {
        fail(ctx, e, null);
    }

    /** As {@link #fail(RoutingContext, Throwable)}, with {@code extra} fields in the error body. */
    static void fail(RoutingContext ctx, Throwable e, JsonObject extra) {
        if (e instanceof DindexException de) {
            send(ctx, de.code(), de.getMessage(), extra);
        } else if (e instanceof ReplyException re) {
            if (re.failureType() == ReplyFailure.TIMEOUT) {
                send(ctx, ErrorCode.TIMEOUT, "the daemon did not answer in time", extra);
            } else if (re.failureType() == ReplyFailure.NO_HANDLERS) {
                send(ctx, ErrorCode.UNAVAILABLE, "this operation is not available right now", extra);
            } else {
                send(ctx, ErrorCode.fromFailureCode(re.failureCode()), re.getMessage(), extra);
            }
        } else if (e instanceof HttpClosedException) {
            // The client went away (or the idle timeout closed it): nobody to answer, nothing to log.
            ctx.response().reset();
        } else {
            LOG.log(Level.WARNING, "HTTP " + ctx.request().method() + " " + ctx.request().path() + " failed"
                    + " request_id=" + ctx.get(REQUEST_ID), e);
            send(ctx, ErrorCode.INTERNAL, "internal error: " + e.getClass().getSimpleName(), extra);
        }
    }
}
