package org.dindex.collections;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.BusHandlers;
import org.dindex.jobs.JobsVerticle;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.JsonTypes;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Serves {@code dindex.collections.list}, {@code .create} and {@code .delete}. Changes run one at a time on the
 * {@code dindex-collections} worker (opening an index or loading a model takes a while, and two changes must never
 * interleave). Deleting a collection cancels the jobs that write to it first, waits until they have stopped, then
 * takes it out of the registry and closes its index after the writes queued before; a search in flight finishes on
 * the snapshot it holds.
 */
public final class CollectionsVerticle extends VerticleBase {
    private static final Set<String> CREATE_FIELDS = Set.of("name", "model");
    private static final Set<String> DELETE_FIELDS = Set.of("name", "confirm");

    private final BusHandlers handlers;
    private final CollectionRegistry collections;
    private final JobsVerticle jobs;
    private WorkerExecutor changes;

    public CollectionsVerticle(BusHandlers handlers, CollectionRegistry collections, JobsVerticle jobs) {
        this.handlers = handlers;
        this.collections = collections;
        this.jobs = jobs;
    }

    /** The one worker that runs changes to collections and snapshots, in order. */
    public WorkerExecutor changes() {
        return changes;
    }

    @Override
    public Future<?> start() {
        changes = vertx.createSharedWorkerExecutor("dindex-collections", 1, 2, TimeUnit.HOURS);
        handlers.serve(Addresses.COLLECTIONS_LIST, body -> changes.executeBlocking(collections::describe, false));
        handlers.serve(Addresses.COLLECTIONS_CREATE, this::create);
        handlers.serve(Addresses.COLLECTIONS_DELETE, this::delete);
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        return changes.close();
    }

    private Future<JsonObject> create(JsonObject body) {
        known(body, CREATE_FIELDS);
        String name = CollectionNames.check(body.getValue("name"));
        Object model = body.getValue("model");
        if (model != null && !(model instanceof String)) {
            throw DindexException.badRequest("'model' must be a model name, got " + JsonTypes.describe(model));
        }
        return changes.executeBlocking(() -> collections.create(name, (String) model).describe(), true)
                .map(c -> new JsonObject().put("collection", c));
    }

    private Future<JsonObject> delete(JsonObject body) {
        known(body, DELETE_FIELDS);
        String name = CollectionNames.check(body.getValue("name"));
        if (!Boolean.TRUE.equals(body.getValue("confirm"))) {
            throw DindexException.badRequest("deleting collection '" + name + "' deletes every document in it: send"
                    + " {\"confirm\": true}");
        }
        return changes.executeBlocking(() -> collections.beginDelete(name), true)
                .compose(c -> cancelJobs(name).recover(e -> {
                    collections.abortDelete(name);
                    return Future.failedFuture(e);
                }).map(v -> c))
                .compose(c -> changes.executeBlocking(() -> collections.remove(name), true))
                .compose(c -> c.index().closeAfterWrites().recover(e -> Future.succeededFuture()).map(v -> c))
                .compose(c -> changes.executeBlocking(() -> {
                    collections.discard(c);
                    return new JsonObject().put("deleted", true).put("name", name);
                }, true));
    }

    /** Cancels the jobs writing to {@code name} and waits until they have stopped. */
    Future<Void> cancelJobs(String name) {
        return jobs == null ? Future.succeededFuture()
                : jobs.registry().cancelJobsOf(name, Duration.ofSeconds(30));
    }

    static void known(JsonObject body, Set<String> fields) {
        for (String key : body.fieldNames()) {
            if (!fields.contains(key)) {
                throw DindexException.badRequest("unknown field '" + key + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(fields)) + ")");
            }
        }
    }
}
