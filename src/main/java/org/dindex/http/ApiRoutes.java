package org.dindex.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.JsonTypes;
import org.dindex.index.DocumentIds;
import org.dindex.index.IndexAdminVerticle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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

    /** Where each collection's routes live: {@code /api/v1/collections/{name}/...} beside today's. */
    static final String COLLECTION_BASE = "/api/v1/collections/:collection";

    void mount(Router router) {
        router.get("/api/v1/status").handler(this::status);
        // The index routes, twice: at /api/v1 they address the default collection (or the body's "collection"),
        // under /api/v1/collections/{name} that collection.
        for (String base : List.of("/api/v1", COLLECTION_BASE)) {
            router.get(base + "/stats").handler(this::stats);
            router.post(base + "/search").handler(ctx -> withScopedJson(ctx, body -> reply(ctx, 200,
                    request(Addresses.SEARCH, body, Duration.ofSeconds(60)).map(OriginalShapes::search))));
            router.post(base + "/context").handler(ctx -> withScopedJson(ctx, body -> forward(ctx,
                    Addresses.CONTEXT, body)));
            router.post(base + "/index").handler(ctx -> withScopedJson(ctx, body -> index(ctx, body)));
            router.post(base + "/index/commit").handler(ctx -> scoped(ctx, new JsonObject(), body -> reply(ctx,
                    200, request(Addresses.COMMIT, body, LONG).map(OriginalShapes::committed))));
            router.post(base + "/index/clear").handler(ctx -> withJson(ctx, body -> clear(ctx, body)));
            router.delete(base + "/documents").handler(ctx -> withScopedJson(ctx, body -> delete(ctx, body)));
            router.post(base + "/scrape").handler(ctx -> withScopedJson(ctx, body -> scrape(ctx, body)));
            router.post(base + "/import").handler(ctx -> withScopedJson(ctx, body -> importFile(ctx, body)));
            // Topics (k-means grouping of documents); /cluster is its first name, kept for the original's clients.
            for (String topics : List.of("/topics", "/cluster")) {
                router.post(base + topics).handler(ctx -> withScopedJson(ctx, body -> topics(ctx, body)));
            }
        }
        router.get("/api/v1/collections").handler(ctx -> forward(ctx, Addresses.COLLECTIONS_LIST,
                new JsonObject()));
        router.post("/api/v1/collections").handler(ctx -> withJson(ctx, body -> reply(ctx, 201,
                request(Addresses.COLLECTIONS_CREATE, body, LONG))));
        router.get(COLLECTION_BASE).handler(ctx -> withCollectionName(ctx, name -> reply(ctx, 200,
                request(Addresses.COLLECTIONS_LIST, new JsonObject(), Duration.ofSeconds(30))
                        .compose(list -> one(list, name)))));
        router.delete(COLLECTION_BASE).handler(ctx -> withJson(ctx, body -> withCollectionName(ctx, name ->
                reply(ctx, 200, request(Addresses.COLLECTIONS_DELETE, body.copy().put("name", name), LONG)))));
        router.get(COLLECTION_BASE + "/snapshots").handler(ctx -> withCollectionName(ctx, name -> forward(ctx,
                Addresses.SNAPSHOT_LIST, new JsonObject().put("collection", name))));
        router.post(COLLECTION_BASE + "/snapshots").handler(ctx -> withJson(ctx, body -> withCollectionName(ctx,
                name -> snapshot(ctx, name, body))));
        router.delete(COLLECTION_BASE + "/snapshots/:snapshot").handler(ctx -> withCollectionName(ctx, name ->
                snapshotOf(ctx, name, id -> reply(ctx, 200, request(Addresses.SNAPSHOT_DELETE,
                        new JsonObject().put("snapshot", id), LONG)))));
        router.post(COLLECTION_BASE + "/snapshots/:snapshot/restore").handler(ctx -> withJson(ctx, body ->
                withCollectionName(ctx, name -> restore(ctx, name, body))));
        // Shards and their owners in a cluster; a lone daemon holds each collection whole and says so.
        router.get("/api/v1/cluster/shards").handler(ctx -> reply(ctx, 200, request(Addresses.CLUSTER_SHARDS,
                new JsonObject(), Duration.ofSeconds(30)).recover(e -> e instanceof ReplyException r
                && r.failureType() == ReplyFailure.NO_HANDLERS
                ? Future.succeededFuture(new JsonObject().put("enabled", false).put("health", "green")
                .put("collections", new JsonArray())) : Future.failedFuture(e))));
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
    }

    /** Runs next with the route's collection name; a name against the rule is a 400 saying the rule. */
    private static void withCollectionName(RoutingContext ctx, Consumer<String> next) {
        String name;
        try {
            name = CollectionNames.check(ctx.pathParam("collection"));
        } catch (DindexException e) {
            HttpErrors.fail(ctx, e);
            return;
        }
        next.accept(name);
    }

    /**
     * {@code body} addressed to the route's collection, then next: on {@code /api/v1/collections/{name}/...} the
     * path's name (a body naming another is a 400), elsewhere as the body says (default: the default collection).
     */
    private static void scoped(RoutingContext ctx, JsonObject body, Consumer<JsonObject> next) {
        if (ctx.pathParam("collection") == null) {
            next.accept(body);
            return;
        }
        withCollectionName(ctx, name -> {
            Object given = body.getValue("collection");
            if (given != null && !name.equals(given) || body.containsKey("collections")) {
                HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "the path names collection '" + name + "': leave"
                        + " 'collection' and 'collections' out of the body (or use /api/v1/search for several)");
                return;
            }
            next.accept(body.copy().put("collection", name));
        });
    }

    private static void withScopedJson(RoutingContext ctx, Consumer<JsonObject> next) {
        withJson(ctx, body -> scoped(ctx, body, next));
    }

    /** The collection {@code name} of a list reply, or a 404 naming the ones there are. */
    private static Future<JsonObject> one(JsonObject list, String name) {
        for (Object o : list.getJsonArray("collections", new JsonArray())) {
            if (name.equals(((JsonObject) o).getString("name"))) {
                return Future.succeededFuture(new JsonObject().put("collection", o));
            }
        }
        return Future.failedFuture(new DindexException(ErrorCode.NOT_FOUND, "no collection '" + name + "'"));
    }

    /**
     * {@code POST /collections/{name}/snapshots}: into the daemon's snapshot folder only; a folder of the client's
     * choosing ({@code to}) is for the socket, whose clients are the daemon's own user.
     */
    private void snapshot(RoutingContext ctx, String name, JsonObject body) {
        if (!body.isEmpty()) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "a snapshot over HTTP takes no fields: it goes to the daemon's"
                    + " snapshot folder (dindex snapshot create --to DIR writes elsewhere)");
            return;
        }
        reply(ctx, 201, request(Addresses.SNAPSHOT_CREATE, new JsonObject().put("collection", name), LONG));
    }

    /** Runs next with the route's snapshot id when it is a snapshot of collection {@code name}, else a 404. */
    private void snapshotOf(RoutingContext ctx, String name, Consumer<String> next) {
        String id = ctx.pathParam("snapshot");
        request(Addresses.SNAPSHOT_LIST, new JsonObject().put("collection", name), Duration.ofSeconds(30))
                .onSuccess(list -> {
                    boolean found = list.getJsonArray("snapshots", new JsonArray()).stream()
                            .anyMatch(o -> id.equals(((JsonObject) o).getString("id")));
                    if (found) {
                        next.accept(id);
                    } else {
                        HttpErrors.send(ctx, ErrorCode.NOT_FOUND, "no snapshot '" + id + "' of collection '" + name
                                + "'");
                    }
                }).onFailure(e -> HttpErrors.fail(ctx, e));
    }

    /**
     * {@code POST /collections/{name}/snapshots/{id}/restore}: snapshot {@code id} of that collection, restored
     * into {@code as} (default: the collection itself, which then needs {@code "replace": true}).
     */
    private void restore(RoutingContext ctx, String name, JsonObject body) {
        for (String key : body.fieldNames()) {
            if (!key.equals("as") && !key.equals("replace")) {
                HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "unknown field '" + key + "' (known: as, replace)");
                return;
            }
        }
        snapshotOf(ctx, name, id -> reply(ctx, 200, request(Addresses.SNAPSHOT_RESTORE, new JsonObject()
                .put("snapshot", id).put("as", body.getValue("as", name))
                .put("replace", body.getValue("replace", false)), LONG)));
    }

    /** A UUID: what the Rust original's job ids look like. */
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /**
     * Runs next with the route's job id. A UUID (a job id of the Rust original, which a client may still hold) is
     * well-formed but names no job here: 404, as the original answers for an unknown job, rather than 400.
     */
    private static void withJobId(RoutingContext ctx, Consumer<String> next) {
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
        scoped(ctx, new JsonObject(), body -> stats(ctx, body));
    }

    private void stats(RoutingContext ctx, JsonObject body) {
        Duration t = Duration.ofSeconds(30);
        Future<JsonObject> stats = request(Addresses.STATS, body, t);
        Future<JsonObject> status = request(Addresses.STATUS, new JsonObject(), t);
        reply(ctx, 200, Future.all(stats, status).compose(v -> vertx.executeBlocking(() ->
                        dataDirBytes(status.result().getString("data_dir")), false))
                .map(size -> OriginalShapes.stats(stats.result(), size)));
    }

    /** Bytes in the data dir (0 when the daemon does not say where it is). */
    private static long dataDirBytes(String dir) {
        return dir == null ? 0 : IndexAdminVerticle.folderSize(Path.of(dir));
    }


    /**
     * {@code POST /index/clear}. The confirmation: {@code {"confirm": true}} always clears. An empty body (what the
     * Rust original's clients send, it had no confirmation) clears only when API keys are configured. Why: without
     * keys, any web page the user opens can send a body-less POST to loopback (a "simple" cross-site request needs
     * no CORS preflight) and would wipe the index; a request carrying a valid key was made by someone holding it.
     * Before clearing, pending writes are committed so {@code chunks_deleted} counts them.
     */
    private void clear(RoutingContext ctx, JsonObject given) {
        boolean empty = ctx.body() == null || ctx.body().length() <= 0;
        JsonObject body = given;
        if (empty && !options.apiKeys().isEmpty()) {
            body = new JsonObject().put("confirm", true);
        } else if (empty) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "clearing deletes every document: send {\"confirm\": true}"
                    + " (an empty body is enough only when http.api_keys is set, so that no web page can clear the"
                    + " index)");
            return;
        }
        long t0 = System.nanoTime();
        scoped(ctx, body, confirmed -> {
            JsonObject which = new JsonObject();
            if (confirmed.getValue("collection") != null) {
                which.put("collection", confirmed.getValue("collection"));
            }
            reply(ctx, 200, request(Addresses.COMMIT, which, LONG)
                    .compose(c -> request(Addresses.STATS, which, Duration.ofSeconds(30)))
                    .compose(before -> request(Addresses.CLEAR, confirmed, LONG).map(r -> OriginalShapes.cleared(r,
                            OriginalShapes.number(before, "documents"), OriginalShapes.number(before, "chunks"),
                            millisSince(t0)))));
        });
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

    /**
     * {@code POST /topics} (or {@code /cluster}, its first name): our request ({@code urls}, {@code k}) or the
     * original's ({@code document_urls}...).
     */
    private void topics(RoutingContext ctx, JsonObject body) {
        OriginalRequests.Topics request;
        try {
            request = OriginalRequests.topics(body);
        } catch (DindexException e) {
            HttpErrors.fail(ctx, e);
            return;
        }
        long t0 = System.nanoTime();
        JsonArray urls = request.busRequest().getValue("urls") instanceof JsonArray a ? a : new JsonArray();
        reply(ctx, 200, request(Addresses.TOPICS, request.busRequest(), Duration.ofMinutes(5))
                .recover(e -> noneIndexed(e) ? Future.succeededFuture(new JsonObject().put("k", 0)
                        .put("clusters", new JsonArray()).put("missing", urls)) : Future.failedFuture(e))
                .map(r -> OriginalShapes.topics(r, request.includeSummaries(), millisSince(t0))));
    }

    /** None of the URLs is indexed: an empty grouping with every URL unmatched, as the original answers. */
    private static boolean noneIndexed(Throwable e) {
        return e instanceof ReplyException re
                && ErrorCode.fromFailureCode(re.failureCode()) == ErrorCode.NOT_FOUND
                || e instanceof DindexException de && de.code() == ErrorCode.NOT_FOUND;
    }

    static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Parses the body as a JSON object (415 for another content type, 400 for broken JSON), then runs next. */
    static void withJson(RoutingContext ctx, Consumer<JsonObject> next) {
        String type = ctx.request().getHeader("Content-Type");
        boolean empty = ctx.body() == null || ctx.body().length() <= 0;
        if (empty && ctx.request().method() != HttpMethod.POST) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "this request needs a JSON body");
            return;
        }
        if (empty) {
            next.accept(new JsonObject());
            return;
        }
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
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
        JsonObject which = new JsonObject();
        if (body.getValue("collection") != null) {
            which.put("collection", body.getValue("collection"));
        }
        Future<JsonObject> result = request(Addresses.INDEX_SUBMIT, which.copy().put("documents", out), LONG)
                .compose(reply -> summarize(reply, wait, which)).map(s -> OriginalShapes.indexed(s, millisSince(t0)));
        reply(ctx, 200, result);
    }

    private Future<JsonObject> summarize(JsonObject reply, boolean wait, JsonObject which) {
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
        return request(Addresses.COMMIT, which, LONG).map(c -> summary.put("searchable", true));
    }

    /**
     * {@code DELETE /api/v1/documents}: by {@code document_ids} (alias {@code doc_ids}), by {@code urls}, or by
     * {@code source_prefix}: exactly one of them, so that a request naming two never silently applies only one.
     */
    private void delete(RoutingContext ctx, JsonObject body) {
        List<String> given = Stream.of("document_ids", "doc_ids", "urls", "source_prefix")
                .filter(body::containsKey).toList();
        if (given.size() != 1) {
            HttpErrors.send(ctx, ErrorCode.BAD_REQUEST, "give exactly one of 'document_ids' (array of document ids),"
                    + " 'urls' (array of source URLs or paths) or 'source_prefix' (string)"
                    + (given.isEmpty() ? "" : "; got " + String.join(" and ", given)));
            return;
        }
        String field = given.get(0);
        JsonObject request = new JsonObject();
        if (body.getValue("collection") != null) {
            request.put("collection", body.getValue("collection"));
        }
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
