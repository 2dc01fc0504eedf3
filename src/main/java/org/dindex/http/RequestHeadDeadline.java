package org.dindex.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Answers 408 to a client whose request line and headers do not arrive whole within {@code http.request_timeout_ms}
 * of their first byte, and closes its connection.
 *
 * <p>Why here, in the connection's Netty pipeline: a client trickling its request head a byte at a time resets the
 * idle timer with every byte, and the router sees nothing until the head is complete, so neither can enforce a
 * deadline on it. Two small handlers share the state of one connection: one at the head of the pipeline notes that
 * bytes arrived, one in front of Vert.x's handler sees each decoded request head (which ends the wait) and each
 * response's end (after which the next request's deadline starts with its first byte). A connection that sends
 * nothing at all is left to the idle timeout. Vert.x offers no public hook into the pipeline; this uses its
 * {@code HttpServerConnection}, and does nothing (logged once) if a later Vert.x changes that.
 */
final class RequestHeadDeadline {
    private static final Logger LOG = Logger.getLogger(RequestHeadDeadline.class.getName());
    private static volatile boolean warned;

    private final long timeoutMs;
    private boolean awaitingHead = true;
    private ScheduledFuture<?> timer;

    private RequestHeadDeadline(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /** Installs the deadline on a new HTTP/1 connection. */
    static void install(HttpConnection connection, long timeoutMs) {
        if (!(connection instanceof HttpServerConnection server) || server.channelHandlerContext() == null) {
            if (!warned) {
                warned = true;
                LOG.info("slow request heads are left to the idle timeout (this Vert.x does not expose the pipeline)");
            }
            return;
        }
        ChannelPipeline pipeline = server.channelHandlerContext().pipeline();
        if (pipeline.get("handler") == null) {
            return;  // not an HTTP/1 connection as we know it
        }
        RequestHeadDeadline deadline = new RequestHeadDeadline(timeoutMs);
        pipeline.addFirst("dindex-head-bytes", deadline.new BytesSeen());
        pipeline.addBefore("handler", "dindex-head-deadline", deadline.new Heads());
    }

    /** Bytes arrived: if a request head is awaited and no deadline runs, one starts now. */
    private final class BytesSeen extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (ctx.pipeline().get("httpDecoder") == null) {
                // Upgraded to a WebSocket: no more request heads on this connection.
                cancel();
                awaitingHead = false;
                ctx.pipeline().remove(this);
                if (ctx.pipeline().get("dindex-head-deadline") != null) {
                    ctx.pipeline().remove("dindex-head-deadline");
                }
            } else if (awaitingHead && timer == null) {
                ChannelHandlerContext heads = ctx.pipeline().context("dindex-head-deadline");
                timer = ctx.executor().schedule(() -> expire(heads), timeoutMs, TimeUnit.MILLISECONDS);
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            cancel();
            super.channelInactive(ctx);
        }
    }

    /** Decoded request heads end the wait; a response's end starts waiting for the next head. */
    private final class Heads extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof HttpRequest) {
                awaitingHead = false;
                cancel();
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof LastHttpContent) {
                awaitingHead = true;
            }
            super.write(ctx, msg, promise);
        }
    }

    private void expire(ChannelHandlerContext ctx) {
        timer = null;
        if (!awaitingHead || ctx == null || !ctx.channel().isActive() || ctx.pipeline().get("httpDecoder") == null) {
            return;
        }
        awaitingHead = false;
        byte[] body = ("{\"code\":\"request_timeout\",\"message\":\"the request line and headers did not arrive within "
                + timeoutMs + " ms (http.request_timeout_ms)\"}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length).set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
