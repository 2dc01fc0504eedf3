package org.dindex.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.JsonTypes;
import org.dindex.index.DocumentIds;
import org.dindex.jobs.JobState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code /api/v1} routes. Each one validates what HTTP adds (content type, JSON, path parameters), then sends the
 * request to the same event-bus address the socket uses, so every operation has one implementation; the reply (or
 * failure, mapped by {@link HttpErrors}) goes back as JSON. Paths and shapes follow the Rust original's API.
 */
final class ApiRoutes {
    private static final Duration LONG = Duration.ofMinutes(30);

    private final Vertx vertx;
    private final HttpOptions options;

    ApiRoutes(Vertx vertx, HttpOptions options) {
        this.vertx = vertx;
        this.options = options;
    }

    void mount(Router router) {
        router.get("/api/v1/status").handler(ctx -> forward(ctx, Addresses.STATUS, new JsonObject()));
        router.get("/api/v1/stats").handler(ctx -> forward(ctx, Addresses.STATS, new JsonObject()));
        router.post("/api/v1/search").handler(ctx -> withJson(ctx, body -> forward(ctx, Addresses.SEARCH, body)));
        router.post("/api/v1/context").handler(ctx -> withJson(ctx, body -> forward(ctx, Addresses.CONTEXT, body)));
        router.post("/api/v1/index").handler(ctx -> withJson(ctx, body -> index(ctx, body)));
        router.post("/api/v1/index/commit").handler(ctx -> forward(ctx, Addresses.COMMIT, new JsonObject(), LONG));
        router.post("/api/v1/index/clear").handler(ctx -> withJson(ctx, body -> forward(ctx, Addresses.CLEAR,
                body, LONG)));
        router.delete("/api/v1/documents").handler(ctx -> withJson(ctx, body -> delete(ctx, body)));
        router.post("/api/v1/scrape").handler(ctx -> withJson(ctx, body -> started(ctx, Addresses.SCRAPE, body)));
        router.post("/api/v1/import").handler(ctx -> withJson(ctx, body -> importFile(ctx, body)));
        router.get("/api/v1/jobs").handler(ctx -> {
            JsonObject filter = new JsonObject();
            if (ctx.request().getParam("state") != null) {
                filter.put("state", ctx.request().getParam("state"));
            }
            forward(ctx, Addresses.JOBS_LIST, filter);
        });
        router.get("/api/v1/jobs/:id").handler(ctx -> forward(ctx, Addresses.JOBS_GET, new JsonObject()
                .put("id", ctx.pathParam("id")).put("events", "true".equals(ctx.request().getParam("events")))));
        router.post("/api/v1/jobs/:id/cancel").handler(ctx -> forward(ctx, Addresses.JOBS_CANCEL,
                new JsonObject().put("id", ctx.pathParam("id"))));
        router.get("/api/v1/jobs/:id/events").handler(this::jobEvents);
        router.post("/api/v1/cluster").handler(ctx -> withJson(ctx, body -> forward(ctx, Addresses.CLUSTER, body,
                Duration.ofMinutes(5))));
    }

    /** Parses the body as a JSON object (415 for another content type, 400 for broken JSON), then runs next. */
    static void withJson(RoutingContext ctx, java.util.function.Consumer<JsonObject> next) {
        String type = ctx.request().getHeader("Content-Type");
        boolean empty = ctx.body() == null || ctx.body().length() == 0;
        if (empty && ctx.request().method() != io.vertx.core.http.HttpMethod.POST) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "this request needs a JSON body");
            return;
        }
        if (empty) {
            next.accept(new JsonObject());
            return;
        }
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            HttpErrors.send(ctx, 415, "unsupported_media_type", "send the body as application/json (got "
                    + (type == null ? "no Content-Type" : type) + ")");
            return;
        }
        Object parsed;
        try {
            parsed = ctx.body().buffer().toJsonValue();
        } catch (DecodeException e) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "the body is not valid JSON: " + firstLine(e.getMessage()));
            return;
        }
        if (!(parsed instanceof JsonObject json)) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "the body must be a JSON object");
            return;
        }
        next.accept(json);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    Future<JsonObject> request(String address, JsonObject body, Duration timeout) {
        return vertx.eventBus().<Object>request(address, body, new DeliveryOptions().setSendTimeout(timeout.toMillis()))
                .map(Message::body).map(b -> b instanceof JsonObject j ? j : new JsonObject().put("value", b));
    }

    private void forward(RoutingContext ctx, String address, JsonObject body) {
        forward(ctx, address, body, Duration.ofSeconds(60));
    }

    private void forward(RoutingContext ctx, String address, JsonObject body, Duration timeout) {
        reply(ctx, 200, request(address, body, timeout));
    }

    static void reply(RoutingContext ctx, int status, Future<JsonObject> result) {
        result.onSuccess(json -> {
            if (!ctx.response().ended()) {
                ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json.encode());
            }
        }).onFailure(e -> HttpErrors.fail(ctx, e));
    }

    /** Starting a job answers 202 Accepted with the job, like the Rust original. */
    private void started(RoutingContext ctx, String address, JsonObject body) {
        reply(ctx, 202, request(address, body, Duration.ofSeconds(60)));
    }

    /**
     * {@code POST /api/v1/index}: {@code {documents: [{content, title?, url?, id?, metadata?, format?}]}}. A document is
     * identified by its url (else its id, else its content), so posting it again replaces it. Waits until the
     * documents are searchable unless {@code "wait": false}.
     */
    private void index(RoutingContext ctx, JsonObject body) {
        Object docs = body.getValue("documents");
        if (!(docs instanceof JsonArray array) || array.isEmpty()) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "'documents' must be a non-empty array of {content, title?,"
                    + " url?, metadata?}");
            return;
        }
        JsonArray out = new JsonArray();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.getValue(i) instanceof JsonObject d)) {
                HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "document " + i + " is not an object");
                return;
            }
            Object content = d.getValue("content") != null ? d.getValue("content") : d.getValue("text");
            if (!(content instanceof String text) || text.isBlank()) {
                HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "document " + i + " needs a non-empty 'content' string");
                return;
            }
            String url = d.getValue("url") instanceof String u && !u.isBlank() ? u : null;
            String id = d.getValue("id") != null ? String.valueOf(d.getValue("id")) : null;
            String source = url != null ? url : id != null ? "api:" + id : "api:" + DocumentIds.sha256(text)
                    .substring(0, 24);
            out.add(new JsonObject().put("source", source).put("url", url).put("title", d.getValue("title"))
                    .put("text", text).put("format", d.getString("format", "text"))
                    .put("metadata", d.getValue("metadata")).put("timestamp", d.getValue("timestamp")));
        }
        boolean wait = body.getBoolean("wait", true);
        Future<JsonObject> result = request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", out), LONG)
                .compose(reply -> summarize(reply, wait));
        reply(ctx, 200, result);
    }

    private Future<JsonObject> summarize(JsonObject reply, boolean wait) {
        JsonArray results = reply.getJsonArray("results", new JsonArray());
        JsonObject summary = new JsonObject().put("indexed", 0).put("replaced", 0).put("unchanged", 0)
                .put("failed", 0).put("chunks", 0);
        for (Object o : results) {
            JsonObject r = (JsonObject) o;
            String status = r.getString("status");
            summary.put(status, summary.getInteger(status, 0) + 1);
            if (!"unchanged".equals(status)) {
                summary.put("chunks", summary.getInteger("chunks") + r.getInteger("chunks", 0));
            }
        }
        summary.put("results", results);
        if (!wait) {
            return Future.succeededFuture(summary.put("searchable", false));
        }
        return request(Addresses.COMMIT, new JsonObject(), LONG).map(c -> summary.put("searchable", true));
    }

    /**
     * {@code DELETE /api/v1/documents}: by {@code document_ids} (alias {@code doc_ids}), by {@code urls}, or by
     * {@code source_prefix}: exactly one of them, so that a request naming two never silently applies only one.
     */
    private void delete(RoutingContext ctx, JsonObject body) {
        List<String> given = java.util.stream.Stream.of("document_ids", "doc_ids", "urls", "source_prefix")
                .filter(body::containsKey).toList();
        if (given.size() != 1) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "give exactly one of 'document_ids' (array of document ids),"
                    + " 'urls' (array of source URLs or paths) or 'source_prefix' (string)"
                    + (given.isEmpty() ? "" : "; got " + String.join(" and ", given)));
            return;
        }
        String field = given.get(0);
        JsonObject request = new JsonObject();
        if (field.equals("source_prefix")) {
            request.put("source_prefix", body.getValue(field));
        } else {
            Object value = body.getValue(field);
            if (!(value instanceof JsonArray array) || array.isEmpty()
                    || array.stream().anyMatch(v -> !(v instanceof String s) || s.isEmpty())) {
                HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "'" + field + "' must be a non-empty array of non-empty"
                        + " strings, got " + JsonTypes.describe(value));
                return;
            }
            request.put("doc_ids", field.equals("urls") ? new JsonArray(array.stream()
                    .map(u -> DocumentIds.forSource((String) u)).toList()) : array);
        }
        forward(ctx, Addresses.DELETE, request, LONG);
    }

    /**
     * {@code POST /api/v1/import}: the path must lie inside a configured import root, after resolving symbolic links
     * and {@code ..}, so a client cannot make the daemon read arbitrary files.
     */
    private void importFile(RoutingContext ctx, JsonObject body) {
        if (options.importRoots().isEmpty()) {
            HttpErrors.send(ctx, ErrorCode.ACCESS_DENIED, "imports over HTTP are disabled: set http.import_roots to"
                    + " the folders they may read");
            return;
        }
        if (!(body.getValue("path") instanceof String p) || p.isBlank()) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "'path' must name the file to import");
            return;
        }
        vertx.executeBlocking(() -> permittedPath(p)).onSuccess(path ->
                        started(ctx, Addresses.IMPORT, body.copy().put("path", path.toString())))
                .onFailure(e -> HttpErrors.fail(ctx, e));
    }

    /**
     * Order matters: the path as given must lie inside a root (403 otherwise, whether or not it exists, so a client
     * cannot probe the file system outside the roots); only then is it resolved (404 when missing), and the real
     * path checked again (403 for links leading out).
     */
    private Path permittedPath(String given) {
        Path path;
        try {
            path = Path.of(given);
        } catch (InvalidPathException e) {
            throw DindexException.badRequest("'path' is not a valid path");
        }
        if (!path.isAbsolute()) {
            path = options.importRoots().getFirst().resolve(path);
        }
        Path normalized = path.normalize();
        if (options.importRoots().stream().noneMatch(normalized::startsWith)) {
            throw new DindexException(ErrorCode.ACCESS_DENIED, "'" + given + "' is outside the import roots");
        }
        Path real;
        try {
            real = normalized.toRealPath();
        } catch (IOException e) {
            throw new DindexException(ErrorCode.NOT_FOUND, "no such file under the import roots: " + given);
        }
        for (Path root : options.importRoots()) {
            try {
                if (real.startsWith(root.toRealPath()) && Files.isRegularFile(real)) {
                    return real;
                }
            } catch (IOException ignored) {
                // a configured root that does not exist permits nothing
            }
        }
        throw new DindexException(ErrorCode.ACCESS_DENIED, "'" + given + "' is outside the import roots");
    }

    /**
     * {@code GET /api/v1/jobs/{id}/events}: server-sent events for clients of the Rust original: the job now, then
     * every progress and item event, ending after the final state.
     */
    private void jobEvents(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        var response = ctx.response();
        // Listen first and hold events until the snapshot is out, so the end of a job is never missed.
        java.util.List<JsonObject> early = new java.util.ArrayList<>();
        boolean[] live = {false};
        long[] keepAlive = {-1};
        MessageConsumer<Object> consumer = vertx.eventBus().consumer(Addresses.PROGRESS_PREFIX + id);
        Runnable close = () -> {
            if (keepAlive[0] >= 0) {
                vertx.cancelTimer(keepAlive[0]);
            }
            consumer.unregister();
        };
        java.util.function.Consumer<JsonObject> write = event -> {
            if (response.ended()) {
                return;
            }
            response.write(sse(event.getString("type", "job"), event));
            JsonObject j = event.getJsonObject("job");
            if (j != null && JobState.fromWireName(j.getString("state")).finished()) {
                close.run();
                response.end();
            }
        };
        consumer.handler(message -> {
            if (message.body() instanceof JsonObject event) {
                if (live[0]) {
                    write.accept(event);
                } else {
                    early.add(event);
                }
            }
        });
        consumer.completion().compose(v -> request(Addresses.JOBS_GET, new JsonObject().put("id", id),
                Duration.ofSeconds(10))).onFailure(e -> {
            close.run();
            HttpErrors.fail(ctx, e);
        }).onSuccess(reply -> {
            response.setChunked(true).putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache");
            response.closeHandler(v -> close.run());
            keepAlive[0] = vertx.setPeriodic(15_000, t -> response.write(": keep-alive\n\n"));
            live[0] = true;
            write.accept(new JsonObject().put("type", "job").put("job", reply.getJsonObject("job")));
            early.forEach(write);
        });
    }

    private static String sse(String event, JsonObject data) {
        return "event: " + event + "\ndata: " + data.encode() + "\n\n";
    }
}
