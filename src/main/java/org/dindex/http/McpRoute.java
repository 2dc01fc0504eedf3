package org.dindex.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.dindex.client.DindexClient;
import org.dindex.mcp.DaemonAccess;
import org.dindex.mcp.DindexMcpServer;
import org.dindex.mcp.HttpTransport;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code /mcp}: the MCP server ({@link DindexMcpServer}, the tools of {@code dindex mcp}) on MCP's streamable HTTP
 * transport, stateless, so an LLM client can use a daemon it cannot start as a child process (one in a Kubernetes
 * pod). API keys guard it like every route (checked before this handler).
 *
 * <p>{@code POST} carries one JSON-RPC message. A request is answered as a server-sent event stream when the client
 * accepts one (as MCP clients must), with a comment line every 15 s until the answer: a tool may work for minutes
 * (the index tool waits for pages) and the idle timeout would otherwise close the connection; a client that accepts
 * only {@code application/json} gets the JSON response when it is ready. {@code GET} and {@code DELETE} answer 405:
 * there is no server-to-client stream and no session to end. As the transport's rules ask, a browser {@code Origin}
 * must be this server's own (the {@code Host} check has already stopped DNS rebinding), and the body must be
 * {@code application/json}, so a cross-site form cannot post to it.
 *
 * <p>The tools reach the daemon as the stdio server does, through its socket (found through {@code dindex.status}),
 * on the SDK's worker threads, never on the event loop. Over HTTP they read files only under
 * {@code http.import_roots}.
 */
final class McpRoute {
    private static final Logger LOG = Logger.getLogger(McpRoute.class.getName());
    static final long KEEP_ALIVE_MS = 15_000;

    private final Vertx vertx;
    private final HttpOptions options;
    private final HostPolicy hosts;
    private final IntSupplier port;
    private final ImportRoots roots;
    private final HttpTransport transport;
    private volatile Path socket;

    McpRoute(Vertx vertx, HttpOptions options, HostPolicy hosts, IntSupplier port) {
        this.vertx = vertx;
        this.options = options;
        this.hosts = hosts;
        this.port = port;
        this.roots = new ImportRoots(options.importRoots());
        this.transport = new DindexMcpServer(access()).httpTransport();
    }

    /** Checks the Origin, then lets the next handler (keys, body) run. */
    void checkOrigin(RoutingContext ctx) {
        String origin = ctx.request().getHeader("Origin");
        if (origin != null && !hosts.acceptsOrigin(origin, port.getAsInt())) {
            HttpErrors.send(ctx, 403, "access_denied", "origin " + origin + " may not use /mcp (allowed: pages of"
                    + " this server and http.ws_origins)");
            return;
        }
        ctx.next();
    }

    void post(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            HttpErrors.send(ctx, 415, "unsupported_media_type", "send the JSON-RPC message as application/json (got "
                    + (type == null ? "no Content-Type" : type) + ")");
            return;
        }
        String accept = ctx.request().getHeader("Accept");
        boolean stream = accept == null || accept.toLowerCase(Locale.ROOT).contains("text/event-stream");
        String body = ctx.body() == null || ctx.body().length() <= 0 ? "" : ctx.body().asString();
        Context context = vertx.getOrCreateContext();
        var response = ctx.response();
        long[] keepAlive = {-1};
        boolean[] streaming = {false};
        // A request's answer may take long: start the stream at once and keep it alive. A notification (or a bad
        // message) is answered at once anyway, so the head waits for the first answer that is quick.
        long startStream = stream ? vertx.setTimer(200, t -> {
            if (!response.ended() && !response.closed()) {
                streaming[0] = true;
                response.setChunked(true).putHeader("Content-Type", "text/event-stream")
                        .putHeader("Cache-Control", "no-cache").write(": working\n\n");
                keepAlive[0] = vertx.setPeriodic(KEEP_ALIVE_MS, p -> response.write(": working\n\n"));
            }
        }) : -1;
        transport.handle(body).subscribe(answer -> context.runOnContext(v -> {
            vertx.cancelTimer(startStream);
            vertx.cancelTimer(keepAlive[0]);
            if (response.ended() || response.closed()) {
                return;
            }
            if (streaming[0]) {
                response.end(answer.json() == null ? "" : "event: message\ndata: " + answer.json() + "\n\n");
            } else if (answer.json() == null) {
                response.setStatusCode(answer.status()).end();
            } else {
                response.setStatusCode(answer.status()).putHeader("Content-Type", "application/json")
                        .end(answer.json());
            }
        }), e -> context.runOnContext(v -> {
            vertx.cancelTimer(startStream);
            vertx.cancelTimer(keepAlive[0]);
            LOG.log(Level.WARNING, "MCP request failed", e);
            if (streaming[0]) {
                response.end();
            } else {
                HttpErrors.send(ctx, ErrorCode.INTERNAL, "the MCP request failed: " + e.getClass().getSimpleName());
            }
        }));
    }

    /** {@code GET} (a server-to-client stream) and {@code DELETE} (ending a session): neither exists here. */
    static void notAllowed(RoutingContext ctx) {
        ctx.response().putHeader("Allow", "POST");
        HttpErrors.send(ctx, 405, "method_not_allowed", ctx.request().method() + " /mcp is not supported: this MCP"
                + " server is stateless (no session, no server-to-client stream); POST each JSON-RPC message");
    }

    /** The daemon as the tools see it: its own socket, and file reading confined to the import roots. */
    private DaemonAccess access() {
        return new DaemonAccess() {
            @Override
            public DindexClient connect() {
                return DindexClient.connect(socket());
            }

            @Override
            public DindexClient connectRunning() {
                return connect();
            }

            @Override
            public long maxDocumentBytes() {
                return options.maxDocumentBytes();
            }

            @Override
            public String readRefusal(Path path) {
                try {
                    roots.permitted(path.toString());
                    return null;
                } catch (DindexException e) {
                    return e.getMessage() + " (over HTTP, the index tool reads files only under http.import_roots;"
                            + " give absolute paths on the daemon's machine)";
                }
            }
        };
    }

    /** The daemon's socket, asked once of {@code dindex.status}. Called on a worker thread (it blocks). */
    private Path socket() {
        Path s = socket;
        if (s == null) {
            try {
                JsonObject status = vertx.eventBus().<JsonObject>request(Addresses.STATUS, new JsonObject(),
                                new DeliveryOptions().setSendTimeout(10_000)).map(m -> m.body())
                        .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
                s = Path.of(status.getString("socket"));
                socket = s;
            } catch (Exception e) {
                throw new DindexException(ErrorCode.UNAVAILABLE, "cannot find the daemon's socket: " + e);
            }
        }
        return s;
    }
}
