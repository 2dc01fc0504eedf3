package org.dindex.collections;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.BusHandlers;
import org.dindex.jobs.JobControl;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.JsonTypes;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
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
    private static final Set<String> SNAPSHOT_FIELDS = Set.of("collection", "to");
    private static final Set<String> RESTORE_FIELDS = Set.of("snapshot", "as", "replace");

    private final BusHandlers handlers;
    private final CollectionRegistry collections;
    private final JobControl jobs;
    private final Snapshots snapshots;
    private WorkerExecutor changes;

    public CollectionsVerticle(BusHandlers handlers, CollectionRegistry collections, JobControl jobs) {
        this.handlers = handlers;
        this.collections = collections;
        this.jobs = jobs;
        this.snapshots = new Snapshots(collections.dataDir());
    }

    /** The one worker that runs changes to collections and snapshots, in order. */
    public WorkerExecutor changes() {
        return changes;
    }

    @Override
    public Future<?> start() {
        changes = vertx.createSharedWorkerExecutor("dindex-collections", 1, 2, TimeUnit.HOURS);
        // Reads do not queue behind a change (a snapshot or restore reads every file of the collection).
        handlers.serve(Addresses.COLLECTIONS_LIST, body -> vertx.executeBlocking(collections::describe, false));
        handlers.serve(Addresses.COLLECTIONS_CREATE, this::create);
        handlers.serve(Addresses.COLLECTIONS_DELETE, this::delete);
        handlers.serve(Addresses.SNAPSHOT_CREATE, this::snapshot);
        handlers.serve(Addresses.SNAPSHOT_LIST, body -> {
            Object of = body.getValue("collection");
            String name = of == null ? null : CollectionNames.check(of);
            return vertx.executeBlocking(() -> new JsonObject().put("snapshots", snapshots.list(name))
                    .put("folder", snapshots.folder().toString()), false);
        });
        handlers.serve(Addresses.SNAPSHOT_RESTORE, this::restore);
        handlers.serve(Addresses.SNAPSHOT_DELETE, body -> {
            known(body, Set.of("snapshot"));
            Object id = body.getValue("snapshot");
            return changes.executeBlocking(() -> {
                snapshots.delete(id instanceof String s ? s : null);
                return new JsonObject().put("deleted", true).put("snapshot", id);
            }, true);
        });
        return changes.executeBlocking(() -> {
            snapshots.sweep();
            return null;
        }, true);
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

    /**
     * {@code {collection?, to?}}: commits the collection, holds that commit and copies it into a snapshot while
     * writes and searches go on.
     */
    private Future<JsonObject> snapshot(JsonObject body) {
        known(body, SNAPSHOT_FIELDS);
        Collection c = collections.of(body);
        Object to = body.getValue("to");
        if (to != null && (!(to instanceof String s) || !s.startsWith("/"))) {
            throw DindexException.badRequest("'to' must be the absolute path of a folder on the daemon's machine, got "
                    + JsonTypes.describe(to));
        }
        Path into = to == null ? null : Path.of((String) to).normalize();
        // Never wait for the writer from the changes worker: a future completes on its caller's context, which
        // for a blocking task of an ordered executor is that task's own queue.
        return c.index().holdCommit().compose(held -> changes.executeBlocking(() -> snapshots.create(c, held, into),
                        true)
                .eventually(() -> c.index().releaseCommit(held).recover(e -> Future.succeededFuture())))
                .map(s -> new JsonObject().put("snapshot", s));
    }

    /** What a restore prepared: the restored collection, opened and checked, and whether it replaces one. */
    private record Restored(Collection fresh, boolean replaces) {
    }

    /**
     * {@code {snapshot, as?, replace?}}: verifies every checksum, links the files into a new folder, opens and checks
     * the index there, and only then adds it or (with {@code replace}) puts it in place of the collection of that
     * name, whose jobs are cancelled first. Any failure before that leaves every collection as it was.
     */
    private Future<JsonObject> restore(JsonObject body) {
        known(body, RESTORE_FIELDS);
        if (!(body.getValue("snapshot") instanceof String snapshot) || snapshot.isBlank()) {
            throw DindexException.badRequest("'snapshot' must name a snapshot (an id from dindex snapshot list, or"
                    + " the absolute path of a snapshot folder)");
        }
        String as = body.getValue("as") == null ? null : CollectionNames.check(body.getValue("as"));
        Object replaceValue = body.getValue("replace", false);
        if (!(replaceValue instanceof Boolean replace)) {
            throw DindexException.badRequest("'replace' must be true or false, got " + JsonTypes.describe(replaceValue));
        }
        return changes.executeBlocking(() -> {
            Snapshots.Verified v = snapshots.verify(snapshots.resolve(snapshot));
            String name = as != null ? as : v.collection();
            boolean exists = collections.exists(name);
            if (exists && !replace) {
                throw new DindexException(ErrorCode.CONFLICT, "collection '" + name + "' exists:"
                        + " restore with --yes (replace: true) to replace it, or restore --as another name");
            }
            String folder = collections.newFolder(name);
            Path path = collections.dataDir().resolve(folder);
            Collection fresh;
            try {
                snapshots.copyInto(v, path);
                fresh = collections.openRestored(name, folder, v.model(), v.dimensions());
            } catch (IOException | RuntimeException e) {
                CollectionRegistry.discardFolder(path);
                throw e;
            }
            try {
                if (!exists) {
                    collections.register(fresh);
                    return new Restored(fresh, false);
                }
                collections.blockJobs(name);
                return new Restored(fresh, true);
            } catch (IOException | RuntimeException e) {
                collections.abandon(fresh);
                throw e;
            }
        }, true).compose(r -> !r.replaces() ? Future.succeededFuture(r.fresh())
                : cancelJobs(r.fresh().name())
                        .compose(v -> changes.executeBlocking(() -> collections.replace(r.fresh()), true))
                        .recover(e -> changes.executeBlocking(() -> {
                            collections.abortDelete(r.fresh().name());
                            collections.abandon(r.fresh());
                            return null;
                        }, true).compose(v -> Future.failedFuture(e)))
                        .compose(old -> old.index().closeAfterWrites().recover(e -> Future.succeededFuture())
                                .compose(v -> changes.executeBlocking(() -> {
                                    collections.discard(old);
                                    return r.fresh();
                                }, true))))
                .compose(c -> vertx.executeBlocking(() -> new JsonObject().put("collection", c.describe()), false));
    }

    /** Cancels the jobs writing to {@code name} and waits until they have stopped. */
    Future<Void> cancelJobs(String name) {
        return jobs == null ? Future.succeededFuture()
                : jobs.cancelJobsOf(name, Duration.ofSeconds(30));
    }

    static void known(JsonObject body, Set<String> fields) {
        for (String key : body.fieldNames()) {
            if (!fields.contains(key)) {
                throw DindexException.badRequest("unknown field '" + key + "' (known: " + String.join(", ",
                        new TreeSet<>(fields)) + ")");
            }
        }
    }
}
