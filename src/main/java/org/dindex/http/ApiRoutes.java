package org.dindex.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code /api/v1} routes. Each one validates what HTTP adds (content type, JSON, path parameters), then sends the
 * request to the same event-bus address the socket uses, so every operation has one implementation; the reply (or
 * failure, mapped by {@link HttpErrors}) goes back as JSON. Paths follow the Rust original's API, and every reply
 * carries the original's fields beside ours ({@link OriginalShapes}); requests in the original's shape are
 * rewritten into ours ({@link OriginalRequests}).
 */
final class ApiRoutes {
    private static final Duration LONG = Duration.ofMinutes(30);

    private final Vertx vertx;
    private final HttpOptions options;
    private final ImportRoots importRoots;

    ApiRoutes(Vertx vertx, HttpOptions options) {
        this.vertx = vertx;
        this.options = options;
        this.importRoots = new ImportRoots(options.importRoots());
    }

    void mount(Router router) {
        router.get("/api/v1/status").handler(this::status);
        router.get("/api/v1/stats").handler(this::stats);
        router.post("/api/v1/search").handler(ctx -> withJson(ctx, body -> reply(ctx, 200,
                request(Addresses.SEARCH, body, Duration.ofSeconds(60)).map(OriginalShapes::search))));
        router.post("/api/v1/context").handler(ctx -> withJson(ctx, body -> forward(ctx, Addresses.CONTEXT, body)));
        router.post("/api/v1/index").handler(ctx -> withJson(ctx, body -> index(ctx, body)));
        router.post("/api/v1/index/commit").handler(ctx -> reply(ctx, 200,
                request(Addresses.COMMIT, new JsonObject(), LONG).map(OriginalShapes::committed)));
        router.post("/api/v1/index/clear").handler(ctx -> withJson(ctx, body -> clear(ctx, body)));
        router.delete("/api/v1/documents").handler(ctx -> withJson(ctx, body -> delete(ctx, body)));
        router.post("/api/v1/scrape").handler(ctx -> withJson(ctx, body -> scrape(ctx, body)));
        router.post("/api/v1/import").handler(ctx -> withJson(ctx, body -> importFile(ctx, body)));
        router.get("/api/v1/jobs").handler(ctx -> {
            JsonObject filter = new JsonObject();
            if (ctx.request().getParam("state") != null) {
                filter.put("state", ctx.request().getParam("state"));
            }
            forward(ctx, Addresses.JOBS_LIST, filter);
        });
        router.get("/api/v1/jobs/:id").handler(ctx -> withJobId(ctx, id -> reply(ctx, 200,
                request(Addresses.JOBS_GET, new JsonObject().put("id", id)
                        .put("events", "true".equals(ctx.request().getParam("events"))), Duration.ofSeconds(60))
                        .map(OriginalShapes::jobProgress))));
        router.post("/api/v1/jobs/:id/cancel").handler(ctx -> withJobId(ctx, id ->
                request(Addresses.JOBS_CANCEL, new JsonObject().put("id", id), Duration.ofSeconds(60))
                        .map(OriginalShapes::cancelled)
                        .onSuccess(json -> send(ctx, 200, json))
                        .onFailure(e -> HttpErrors.fail(ctx, e, new JsonObject().put("success", false)))));
        router.get("/api/v1/jobs/:id/events").handler(ctx -> withJobId(ctx, id ->
                new JobEventStream(vertx, ctx, this, id).start()));
        router.post("/api/v1/cluster").handler(ctx -> withJson(ctx, body -> cluster(ctx, body)));
    }

    /** A UUID: what the Rust original's job ids look like. */
    private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /**
     * Runs next with the route's job id. A UUID (a job id of the Rust original, which a client may still hold) is
     * well-formed but names no job here: 404, as the original answers for an unknown job, rather than 400.
     */
    private static void withJobId(RoutingContext ctx, java.util.function.Consumer<String> next) {
        String id = ctx.pathParam("id");
        if (UUID.matcher(id).matches()) {
            HttpErrors.send(ctx, ErrorCode.NOT_FOUND, "no job " + id + " (job ids of this daemon look like"
                    + " scrape-1a2b3c4d; a UUID is a job id of the Rust original)");
            return;
        }
        next.accept(id);
    }

    /** {@code GET /status}: the daemon's status with the original's fields, which also need stats and jobs. */
    private void status(RoutingContext ctx) {
        Duration t = Duration.ofSeconds(30);
        Future<JsonObject> status = request(Addresses.STATUS, new JsonObject(), t);
        Future<JsonObject> stats = request(Addresses.STATS, new JsonObject(), t);
        Future<JsonObject> jobs = request(Addresses.JOBS_LIST, new JsonObject(), t);
        reply(ctx, 200, Future.all(status, stats, jobs).map(v -> OriginalShapes.status(status.result(),
                stats.result(), jobs.result())));
    }

    /** {@code GET /stats}: the index's statistics with the original's sizes (the data folder is walked on a worker). */
    private void stats(RoutingContext ctx) {
        Duration t = Duration.ofSeconds(30);
        Future<JsonObject> stats = request(Addresses.STATS, new JsonObject(), t);
        Future<JsonObject> status = request(Addresses.STATUS, new JsonObject(), t);
        reply(ctx, 200, Future.all(stats, status).compose(v -> vertx.executeBlocking(() ->
                        folderSize(status.result().getString("data_dir")), false))
                .map(size -> OriginalShapes.stats(stats.result(), size)));
    }

    /** Bytes in the files under {@code dir}; files that vanish during the walk (merged segments) count as 0. */
    static long folderSize(String dir) {
        if (dir == null) {
            return 0;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(Path.of(dir))) {
            return files.mapToLong(p -> {
                try {
                    return Files.isRegularFile(p) ? Files.size(p) : 0;
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /**
     * {@code POST /index/clear}. The confirmation: {@code {"confirm": true}} always clears. An empty body (what the
     * Rust original's clients send, it had no confirmation) clears only when API keys are configured. Why: without
     * keys, any web page the user opens can send a body-less POST to loopback (a "simple" cross-site request needs
     * no CORS preflight) and would wipe the index; a request carrying a valid key was made by someone holding it.
     * Before clearing, pending writes are committed so {@code chunks_deleted} counts them.
     */
    private void clear(RoutingContext ctx, JsonObject body) {
        boolean empty = ctx.body() == null || ctx.body().length() <= 0;
        if (empty && !options.apiKeys().isEmpty()) {
            body = new JsonObject().put("confirm", true);
        } else if (empty) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "clearing deletes every document: send {\"confirm\": true}"
                    + " (an empty body is enough only when http.api_keys is set, so that no web page can clear the"
                    + " index)");
            return;
        }
        long t0 = System.nanoTime();
        JsonObject confirmed = body;
        reply(ctx, 200, request(Addresses.COMMIT, new JsonObject(), LONG)
                .compose(c -> request(Addresses.STATS, new JsonObject(), Duration.ofSeconds(30)))
                .compose(before -> request(Addresses.CLEAR, confirmed, LONG).map(r -> OriginalShapes.cleared(r,
                        OriginalShapes.number(before, "documents"), OriginalShapes.number(before, "chunks"),
                        millisSince(t0)))));
    }

    /** {@code POST /scrape}: our fields or the original's nested {@code options}; 200 with the job, as the original. */
    private void scrape(RoutingContext ctx, JsonObject body) {
        JsonObject request;
        try {
            request = OriginalRequests.scrape(body);
        } catch (DindexException e) {
            HttpErrors.fail(ctx, e);
            return;
        }
        reply(ctx, 200, request(Addresses.SCRAPE, request, Duration.ofSeconds(60))
                .map(r -> OriginalShapes.started(r, "Scrape job started")));
    }

    /** {@code POST /cluster}: our request ({@code urls}, {@code k}) or the original's ({@code document_urls}...). */
    private void cluster(RoutingContext ctx, JsonObject body) {
        OriginalRequests.Cluster request;
        try {
            request = OriginalRequests.cluster(body);
        } catch (DindexException e) {
            HttpErrors.fail(ctx, e);
            return;
        }
        long t0 = System.nanoTime();
        JsonArray urls = request.busRequest().getValue("urls") instanceof JsonArray a ? a : new JsonArray();
        reply(ctx, 200, request(Addresses.CLUSTER, request.busRequest(), Duration.ofMinutes(5))
                .recover(e -> noneIndexed(e) ? Future.succeededFuture(new JsonObject().put("k", 0)
                        .put("clusters", new JsonArray()).put("missing", urls)) : Future.failedFuture(e))
                .map(r -> OriginalShapes.clusters(r, request.includeSummaries(), millisSince(t0))));
    }

    /** None of the URLs is indexed: an empty grouping with every URL unmatched, as the original answers. */
    private static boolean noneIndexed(Throwable e) {
        return e instanceof io.vertx.core.eventbus.ReplyException re
                && ErrorCode.fromFailureCode(re.failureCode()) == ErrorCode.NOT_FOUND
                || e instanceof DindexException de && de.code() == ErrorCode.NOT_FOUND;
    }

    static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Parses the body as a JSON object (415 for another content type, 400 for broken JSON), then runs next. */
    static void withJson(RoutingContext ctx, java.util.function.Consumer<JsonObject> next) {
        String type = ctx.request().getHeader("Content-Type");
        boolean empty = ctx.body() == null || ctx.body().length() <= 0;
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
        result.onSuccess(json -> send(ctx, status, json)).onFailure(e -> HttpErrors.fail(ctx, e));
    }

    static void send(RoutingContext ctx, int status, JsonObject json) {
        if (!ctx.response().ended()) {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json.encode());
        }
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
        long t0 = System.nanoTime();
        Future<JsonObject> result = request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", out), LONG)
                .compose(reply -> summarize(reply, wait)).map(s -> OriginalShapes.indexed(s, millisSince(t0)));
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
        long t0 = System.nanoTime();
        reply(ctx, 200, request(Addresses.DELETE, request, LONG).map(r -> OriginalShapes.deleted(r,
                millisSince(t0))));
    }

    /**
     * {@code POST /api/v1/import}: the path must lie inside a configured import root, after resolving symbolic links
     * and {@code ..}, so a client cannot make the daemon read arbitrary files ({@link ImportRoots}).
     */
    private void importFile(RoutingContext ctx, JsonObject body) {
        if (importRoots.isEmpty()) {
            HttpErrors.send(ctx, ErrorCode.ACCESS_DENIED, "imports over HTTP are disabled: set http.import_roots to"
                    + " the folders they may read");
            return;
        }
        if (!(body.getValue("path") instanceof String p) || p.isBlank()) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "'path' must name the file to import");
            return;
        }
        vertx.executeBlocking(() -> importRoots.permittedFile(p))
                .compose(path -> request(Addresses.IMPORT, body.copy().put("path", path.toString()),
                        Duration.ofSeconds(60)))
                .onSuccess(r -> send(ctx, 202, OriginalShapes.started(r, "Import job started")))
                .onFailure(e -> HttpErrors.fail(ctx, e));
    }
}
