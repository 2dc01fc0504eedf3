package org.dindex.http;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.ErrorCode;
import org.dindex.config.StartupException;
import org.dindex.config.Version;
import org.dindex.metrics.Metrics;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.UUID;
import java.util.logging.Level;
import org.dindex.metrics.MetricsHistory;

/**
 * The HTTP server: the {@code /api/v1} routes ({@link ApiRoutes}), {@code /ws} progress and metrics streams
 * ({@link ProgressSocket}, {@link MetricsFeed}), MCP at {@code /mcp} ({@link McpRoute}), {@code /metrics} and the dashboard from
 * {@code webroot/}. Loopback only unless configured;
 * API keys guard everything except health and the OpenAPI document (and, by configuration, metrics).
 */
public final class HttpVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(HttpVerticle.class.getName());
    /** Scripts, styles and connections only from the daemon itself; no framing by other sites. */
    static final String CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none';"
            + " base-uri 'none'; form-action 'self'";

    private final HttpOptions options;
    private final Metrics metrics;
    private final ApiKeys keys;
    private final HostPolicy hosts;
    private final MetricsHistory history;
    private MetricsFeed feed;
    private HttpServer server;

    /** @param history the samples {@code /ws} clients subscribe to ({@code "scope": "metrics"}); sampled here */
    public HttpVerticle(HttpOptions options, Metrics metrics, MetricsHistory history) {
        this.options = options;
        this.metrics = metrics;
        this.history = history;
        this.keys = new ApiKeys(options.apiKeys());
        this.hosts = new HostPolicy(options.allowedHosts(), options.host(), options.wsOrigins());
    }

    /** The URL the server answers on, once started. */
    public String url() {
        return server == null ? null : "http://" + hostForUrl() + ":" + server.actualPort();
    }

    private String hostForUrl() {
        String h = options.host();
        return h.contains(":") ? "[" + h + "]" : h;
    }

    @Override
    public Future<?> start() {
        // Off the event loop: reading the document, and building the MCP server (the SDK's classes load then).
        return vertx.executeBlocking(() -> new Prepared(openApiDocument(), new McpRoute(vertx, options, hosts,
                () -> server == null ? options.port() : server.actualPort())), false).compose(this::serve)
                .onSuccess(v -> feed.start());
    }

    private record Prepared(Buffer openApi, McpRoute mcp) {
    }

    /** The OpenAPI 3.1 document of this API, a resource beside this class (kept true by the HTTP tests). */
    static Buffer openApiDocument() throws IOException {
        try (InputStream in = HttpVerticle.class.getResourceAsStream("openapi.json")) {
            if (in == null) {
                throw new FileNotFoundException("openapi.json is missing from the class path");
            }
            return Buffer.buffer(in.readAllBytes());
        }
    }

    private Future<?> serve(Prepared prepared) {
        Buffer openApi = prepared.openApi();
        ApiRoutes api = new ApiRoutes(vertx, options);
        feed = new MetricsFeed(vertx, history);
        Router router = Router.router(vertx);
        router.route().handler(this::measureAndSecure);
        router.route().handler(this::checkHost);
        router.get("/api/v1/health").handler(ctx -> json(ctx, 200, OriginalShapes.health(Version.get())));
        router.get("/api/v1/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "ok")));
        router.get("/api/v1/health/ready").handler(this::ready);
        router.get("/api/v1/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type",
                "application/json").end(openApi));
        if (!options.corsOrigins().isEmpty()) {
            CorsHandler cors = CorsHandler.create().allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST,
                            HttpMethod.DELETE, HttpMethod.OPTIONS))
                    .allowedHeaders(Set.of("Content-Type", "Authorization", "X-API-Key"));
            if (options.corsOrigins().contains("*")) {
                cors.addOrigin("*");
            } else {
                cors.addOrigins(options.corsOrigins());
            }
            router.route("/api/v1/*").handler(ctx -> sameOriginOrCors(ctx, cors));
        }
        router.route("/api/v1/*").handler(ctx -> authorize(ctx, false));
        router.route("/api/v1/*").handler(this::armRequestDeadline);
        router.route("/api/v1/*").handler(BodyHandler.create(false).setBodyLimit(options.maxBodyBytes()));
        router.route("/api/v1/*").handler(HttpVerticle::disarmRequestDeadline);
        api.mount(router);
        router.route("/api/v1/*").handler(ctx -> HttpErrors.send(ctx, ErrorCode.NOT_FOUND, "no route "
                + ctx.request().method() + " " + ctx.request().path()));
        router.get("/metrics").handler(ctx -> {
            if (options.metricsNeedKey()) {
                authorize(ctx, false);
            } else {
                ctx.next();
            }
        }).handler(ctx -> vertx.executeBlocking(metrics::scrape, false).onSuccess(text -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text))
                .onFailure(e -> HttpErrors.fail(ctx, e)));
        router.get("/ws").handler(ctx -> upgrade(ctx, api));
        McpRoute mcp = prepared.mcp();
        router.route("/mcp").handler(mcp::checkOrigin);
        router.route("/mcp").handler(ctx -> authorize(ctx, false));
        router.route("/mcp").handler(this::armRequestDeadline);
        router.route("/mcp").handler(BodyHandler.create(false).setBodyLimit(options.maxBodyBytes()));
        router.route("/mcp").handler(HttpVerticle::disarmRequestDeadline);
        router.post("/mcp").handler(mcp::post);
        router.route("/mcp").handler(McpRoute::notAllowed);
        router.route("/*").handler(StaticHandler.create("webroot").setIncludeHidden(false)
                .setDirectoryListing(false).setCachingEnabled(false));
        router.route().failureHandler(this::failure);

        HttpServerOptions serverOptions = new HttpServerOptions().setHost(options.host()).setPort(options.port())
                .setMaxWebSocketFrameSize(options.wsMaxFrameBytes())
                .setMaxWebSocketMessageSize(options.wsMaxFrameBytes())
                .setIdleTimeout((int) options.idleTimeoutMs()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setMaxHeaderSize(16 * 1024).setMaxInitialLineLength(8 * 1024)
                // HTTP/1.1 only: with h2c detection on, Vert.x makes the connection (and calls our connection handler)
                // only once a first request head is complete, too late to time a trickled one.
                .setHttp2ClearTextEnabled(false);
        return vertx.createHttpServer(serverOptions)
                .connectionHandler(c -> RequestHeadDeadline.install(c, options.requestTimeoutMs()))
                .requestHandler(router).listen()
                .onSuccess(s -> {
                    server = s;
                    LOG.info("HTTP API and dashboard on " + url() + (keys.required() ? " (API keys required)" : ""));
                })
                .recover(e -> Future.failedFuture(new StartupException("cannot serve HTTP on " + options.host() + ":"
                        + options.port() + " (" + e.getMessage() + "); set http.port (0 picks a free port) or"
                        + " http.enabled: false")));
    }

    /** Security headers on every response; one timer sample per request, tagged with its route and status. */
    private void measureAndSecure(RoutingContext ctx) {
        Timer.Sample sample = Timer.start(metrics.registry());
        long t0 = System.nanoTime();
        String requestId = requestId(ctx.request().getHeader("X-Request-Id"));
        ctx.put(HttpErrors.REQUEST_ID, requestId);
        ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Content-Security-Policy", CSP).putHeader("X-Request-Id", requestId);
        ctx.addEndHandler(v -> {
            int status = ctx.response().getStatusCode();
            Level level = status >= 500 ? Level.WARNING
                    : Level.FINE;
            if (LOG.isLoggable(level)) {
                // The path only: query strings may carry an api_key.
                LOG.log(level, "HTTP " + ctx.request().method() + " " + ctx.request().path() + " " + status + " "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms request_id=" + requestId);
            }
            String route = ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "other"
                    : ctx.currentRoute().getPath();
            if (route.equals("/*")) {
                route = "static";
            }
            sample.stop(Timer.builder("dindex.http.requests").description("HTTP requests by route and status")
                    .tag("route", route).tag("method", ctx.request().method().name())
                    .tag("status", String.valueOf(ctx.response().getStatusCode()))
                    .publishPercentileHistogram().register(metrics.registry()));
        });
        ctx.next();
    }

    /**
     * The CORS handler is for other origins only. Why: browsers send {@code Origin} on the dashboard's own POSTs too,
     * and Vert.x's handler refuses every origin not configured, so with {@code http.cors_origins} set the dashboard
     * itself would stop working. A request from a page of this server needs no CORS headers and gets none.
     */
    private void sameOriginOrCors(RoutingContext ctx, CorsHandler cors) {
        String origin = ctx.request().getHeader("Origin");
        if (origin != null && !options.wsOrigins().contains(origin)
                && hosts.acceptsOrigin(origin, server == null ? options.port() : server.actualPort())
                && !options.corsOrigins().contains(origin)) {
            ctx.next();
        } else {
            cors.handle(ctx);
        }
    }

    /** Refuses requests for names this server does not serve, before any route ({@link HostPolicy}: DNS rebinding). */
    private void checkHost(RoutingContext ctx) {
        String host = ctx.request().getHeader("Host");
        if (hosts.acceptsHost(host)) {
            ctx.next();
        } else {
            ctx.response().putHeader("Connection", "close");
            HttpErrors.send(ctx, 421, "misdirected_request", "this server does not answer to host '"
                    + (host == null ? "" : host.length() > 100 ? host.substring(0, 100) + "..." : host)
                    + "'; add the name to http.allowed_hosts to serve it");
        }
    }

    /**
     * Why a deadline besides the idle timeout: every byte resets the idle timer, so a client trickling a body byte
     * by byte would hold its connection (and a buffer up to the body limit) for ever. The whole request must arrive
     * within {@code http.request_timeout_ms}.
     */
    private void armRequestDeadline(RoutingContext ctx) {
        long timer = vertx.setTimer(options.requestTimeoutMs(), t -> {
            if (!ctx.response().headWritten()) {
                ctx.response().putHeader("Connection", "close");
                HttpErrors.send(ctx, 408, "request_timeout", "the request did not arrive within "
                        + options.requestTimeoutMs() + " ms (http.request_timeout_ms)");
            }
            ctx.request().connection().close();
        });
        ctx.put(DEADLINE, timer);
        ctx.addEndHandler(v -> vertx.cancelTimer(timer));
        ctx.next();
    }

    private static void disarmRequestDeadline(RoutingContext ctx) {
        Long timer = ctx.get(DEADLINE);
        if (timer != null) {
            ctx.vertx().cancelTimer(timer);
        }
        ctx.next();
    }

    private static final String DEADLINE = "request_deadline";

    /** The client's X-Request-Id when it is a sane token, else a new one: it ties log lines to a request. */
    static String requestId(String given) {
        if (given != null && given.matches("[A-Za-z0-9._-]{1,64}")) {
            return given;
        }
        return UUID.randomUUID().toString().substring(0, 18);
    }

    private void authorize(RoutingContext ctx, boolean allowQuery) {
        String problem = keys.problem(ctx.request(), allowQuery);
        if (problem == null) {
            ctx.next();
        } else {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            HttpErrors.send(ctx, 401, "unauthorized", problem);
        }
    }

    private void ready(RoutingContext ctx) {
        vertx.eventBus().<JsonObject>request(Addresses.STATUS, new JsonObject(),
                new DeliveryOptions().setSendTimeout(5000)).onComplete(ar -> {
            String state = ar.succeeded() ? ar.result().body().getString("state") : "unreachable";
            json(ctx, "running".equals(state) ? 200 : 503, new JsonObject().put("status", state));
        });
    }

    /**
     * Upgrades {@code /ws} after two checks: the Origin (a browser on another site must not drive the daemon with
     * its user's credentials) and the API key (as a header or, since browsers cannot set one, {@code ?api_key=}).
     */
    private void upgrade(RoutingContext ctx, ApiRoutes api) {
        String origin = ctx.request().getHeader("Origin");
        if (origin != null && !hosts.acceptsOrigin(origin, server.actualPort())) {
            HttpErrors.send(ctx, 403, "access_denied", "origin " + origin + " may not open /ws (allowed: pages of"
                    + " this server under localhost, its addresses and http.allowed_hosts"
                    + (options.wsOrigins().isEmpty() ? "" : ", and " + String.join(", ", options.wsOrigins())) + ")");
            return;
        }
        String problem = keys.problem(ctx.request(), true);
        if (problem != null) {
            HttpErrors.send(ctx, 401, "unauthorized", problem);
            return;
        }
        ctx.request().toWebSocket().onSuccess(ws -> new ProgressSocket(vertx, ws, api, options.wsMaxFrameBytes(), feed)
                        .start())
                .onFailure(e -> HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "WebSocket upgrade failed: "
                        + e.getMessage()));
    }

    private void failure(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status == 413) {
            HttpErrors.send(ctx, ErrorCode.TOO_LARGE, "the request body exceeds the limit of "
                    + options.maxBodyBytes() + " bytes (http.max_body_bytes)");
        } else if (status == 403 && ctx.failure() != null
                && String.valueOf(ctx.failure().getMessage()).startsWith("CORS Rejected")) {
            HttpErrors.send(ctx, ErrorCode.ACCESS_DENIED, "cross-origin requests from "
                    + ctx.request().getHeader("Origin") + " are not allowed (http.cors_origins lists the origins that"
                    + " may send them)");
        } else if (ctx.failure() != null) {
            HttpErrors.fail(ctx, ctx.failure());
        } else if (status == 404) {
            HttpErrors.send(ctx, ErrorCode.NOT_FOUND, "not found: " + ctx.request().path());
        } else {
            HttpErrors.send(ctx, status < 400 ? 500 : status, status == 400 ? "bad_request" : "error",
                    "request failed with status " + status);
        }
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    @Override
    public Future<?> stop() {
        Future<Void> sampling = feed == null ? Future.succeededFuture() : feed.stop();
        return sampling.compose(v -> server == null ? Future.succeededFuture() : server.close());
    }
}
