package org.dindex.jobs;

import io.vertx.core.AsyncResult;
import org.dindex.config.Settings;
import org.dindex.config.DaemonConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Queues, runs, cancels and persists jobs, and publishes their progress.
 *
 * <p>Life cycle of a job: queued until one of {@code maxConcurrent} slots is free; running while its
 * {@link JobRunner} works; then <em>committing</em> (a {@code dindex.commit} on the bus) so that its content is
 * visible to searches; only then completed, cancelled or failed. A job cut off by a daemon stop is marked
 * interrupted, as is one found queued or running on disk at start (a crash). Jobs that run until cancelled (watches)
 * start at once outside the slots ({@link #startUnqueued}), and one that was interrupted can run again under its id
 * ({@link #restart}).
 *
 * <p>Progress goes to {@code dindex.progress.<id>} and {@code dindex.events.jobs} as {@code {"type":"job","job":{..}}},
 * at most once per 250 ms per job plus every state change; all publishing runs on one context, in order, so a
 * watcher never sees a stale state after a newer one. Thread-safe.
 */
public final class JobRegistry {
    private static final Logger LOG = Logger.getLogger(JobRegistry.class.getName());
    /** Shared stream of every job's state and progress. */
    public static final String EVENTS_ADDRESS = Addresses.EVENTS_PREFIX + "jobs";
    private static final long PUBLISH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Item events kept per job for late watchers. */
    static final int RECENT_EVENTS = 1000;
    private static final long PERSIST_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    /**
     * @param maxConcurrent jobs running at once; more wait in the queue
     * @param history       finished jobs kept (oldest forgotten first)
     * @param commitTimeout longest wait for the commit that ends a job
     */
    public record Options(int maxConcurrent, int history, Duration commitTimeout) {
        /** The options the configuration sets ({@code jobs.*}); a job's final commit may take ten minutes. */
        public static Options from(DaemonConfig config) {
            return new Options(config.getInt(Settings.JOBS_MAX_CONCURRENT), config.getInt(Settings.JOBS_HISTORY),
                    Duration.ofMinutes(10));
        }
    }

    private final Vertx vertx;
    private final Context context;
    private final JobStore store;
    private final WorkerExecutor storeExecutor;
    private final Options options;
    private final Map<String, Entry> jobs = new LinkedHashMap<>();
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private int running;
    private boolean stopping;

    private JobRegistry(Vertx vertx, Context context, JobStore store, WorkerExecutor storeExecutor, Options options) {
        this.vertx = vertx;
        this.context = context;
        this.store = store;
        this.storeExecutor = storeExecutor;
        this.options = options;
    }

    /** Loads the persisted jobs (marking cut-off ones interrupted) from {@code dir}; publishing uses the caller's context. */
    public static Future<JobRegistry> open(Vertx vertx, Path dir, Options options) {
        Context context = vertx.getOrCreateContext();
        WorkerExecutor executor = vertx.createSharedWorkerExecutor("dindex-jobs-store", 1);
        JobStore store = new JobStore(dir);
        return executor.executeBlocking(() -> {
            List<Job> loaded = store.loadAll();
            loaded.sort(Comparator.comparing(j -> j.toJson().getString("created_at")));
            for (Job job : loaded) {
                if (job.state() == JobState.INTERRUPTED) {
                    store.save(job.toJson());
                }
            }
            return loaded;
        }).map(loaded -> {
            JobRegistry registry = new JobRegistry(vertx, context, store, executor, options);
            loaded.forEach(job -> registry.jobs.put(job.id(), registry.new Entry(job, null, false)));
            return registry;
        });
    }

    /**
     * Registers a job and starts it when a slot is free.
     *
     * @param resumes the job whose counters and checkpoint this one continues, or null
     */
    public synchronized Job submit(String type, JsonObject params, JobRunner runner, Job resumes) {
        String id = newId(type);
        Job job = new Job(id, type, resumes == null ? params : params.copy().put("resumed_from", resumes.id()),
                Instant.now());
        if (resumes != null) {
            job.resumeFrom(resumes);
        }
        Entry entry = new Entry(job, runner, true);
        jobs.put(id, entry);
        queue.add(entry);
        persist(entry);
        publish(entry, true);
        startQueued();
        return job;
    }

    /**
     * Registers a job that runs until it is cancelled (a watch) and starts it at once. It takes none of the
     * {@code jobs.max_concurrent} slots: those are for work that ends, and a watch holding one forever would hold
     * imports and scrapes back.
     */
    public synchronized Job startUnqueued(String type, JsonObject params, JobRunner runner) {
        Job job = new Job(newId(type), type, params, Instant.now());
        Entry entry = new Entry(job, runner, false);
        jobs.put(job.id(), entry);
        persist(entry);
        publish(entry, true);
        context.runOnContext(v -> run(entry));
        return job;
    }

    /**
     * Runs an interrupted job again under its own id, at once and outside the slots, keeping its counters: a watch
     * that the daemon's stop (or a crash) cut off, resumed when the daemon starts.
     *
     * @throws DindexException (conflict) when the job is not interrupted
     */
    public synchronized Job restart(String id, JobRunner runner) {
        if (stopping) {
            throw new DindexException(ErrorCode.UNAVAILABLE, "the daemon is stopping");
        }
        Job job = require(id);
        if (job.state() != JobState.INTERRUPTED) {
            throw new DindexException(ErrorCode.CONFLICT, "job " + id + " is " + job.state().wireName()
                    + ", not interrupted");
        }
        job.requeued();
        Entry entry = new Entry(job, runner, false);
        jobs.put(id, entry);
        persist(entry);
        publish(entry, true);
        context.runOnContext(v -> run(entry));
        return job;
    }

    private String newId(String type) {
        if (stopping) {
            throw new DindexException(ErrorCode.UNAVAILABLE, "the daemon is stopping; start the job after restart");
        }
        String id;
        do {
            id = type + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        } while (jobs.containsKey(id));
        return id;
    }

    public synchronized Optional<Job> get(String id) {
        Entry e = jobs.get(id);
        return e == null ? Optional.empty() : Optional.of(e.job);
    }

    /** The job's latest item events (up to {@value #RECENT_EVENTS}, oldest first; none after a restart). */
    public List<JsonObject> recentEvents(String id) {
        Entry e;
        synchronized (this) {
            e = jobs.get(id);
        }
        if (e == null) {
            return List.of();
        }
        synchronized (e.recent) {
            return List.copyOf(e.recent);
        }
    }

    /** Every known job, oldest first. */
    public synchronized List<Job> list() {
        return jobs.values().stream().map(e -> e.job).toList();
    }

    /** Looks a job up by a user-given id: a clear error for a malformed or unknown id. */
    public Job require(String id) {
        if (id == null || !Job.ID.matcher(id).matches()) {
            throw DindexException.badRequest("invalid job id '" + id + "' (ids look like import-1a2b3c4d)");
        }
        return get(id).orElseThrow(() -> new DindexException(ErrorCode.NOT_FOUND, "no job '" + id + "'"));
    }

    /**
     * Cancels a job: a queued one at once; a running one is asked to stop and the future completes when it has
     * committed what it indexed and reached {@code cancelled} (or, past {@code wait}, with its state then).
     */
    public Future<Job> cancel(String id, Duration wait) {
        Job job = require(id);
        Entry entry;
        synchronized (this) {
            entry = jobs.get(id);
            JobState state = job.state();
            if (state.finished()) {
                throw new DindexException(ErrorCode.CONFLICT, "job " + id + " has already ended ("
                        + state.wireName() + ")");
            }
            if (state == JobState.QUEUED && queue.remove(entry)) {
                entry.cancel.set(true);
                finish(entry, JobState.CANCELLED, null);
                return Future.succeededFuture(job);
            }
        }
        entry.requestStop();
        Promise<Job> reply = Promise.promise();
        entry.done.future().onComplete(ar -> reply.tryComplete(job));
        vertx.setTimer(wait.toMillis(), t -> reply.tryComplete(job));
        return reply.future();
    }

    /**
     * Stops everything for a daemon shutdown: queued jobs and running ones become interrupted (resumable); waits
     * up to {@code deadline} for running ones to finish their in-flight work and persist their checkpoints.
     */
    public Future<Void> stopAll(Duration deadline) {
        List<Future<Void>> waits = new ArrayList<>();
        synchronized (this) {
            stopping = true;
            for (Entry e : queue) {
                e.interruptedByStop = true;
                finish(e, JobState.INTERRUPTED, "the daemon stopped before the job started; resume it to run it");
            }
            queue.clear();
            for (Entry e : jobs.values()) {
                if (e.job.state() == JobState.RUNNING) {
                    e.interruptedByStop = true;
                    e.requestStop();
                    waits.add(e.done.future());
                }
            }
        }
        Promise<Void> all = Promise.promise();
        Future.join(waits).onComplete(ar -> all.tryComplete());
        vertx.setTimer(Math.max(1, deadline.toMillis()), t -> {
            if (all.tryComplete()) {
                LOG.warning("jobs did not stop within " + deadline.toMillis() + " ms");
            }
        });
        return all.future().compose(v -> storeExecutor.close());
    }

    private synchronized void startQueued() {
        while (running < options.maxConcurrent() && !queue.isEmpty() && !stopping) {
            Entry e = queue.poll();
            running++;
            context.runOnContext(v -> run(e));
        }
    }

    private void run(Entry e) {
        e.job.started();
        LOG.info("job " + e.job.id() + " started: " + e.job.params().encode());
        persist(e);
        publish(e, true);
        Future<Void> work;
        try {
            work = e.runner.run(e);
        } catch (RuntimeException ex) {
            work = Future.failedFuture(ex);
        }
        work.transform(ar -> {
            if (e.interruptedByStop) {
                // The final commit of the daemon's stop makes its work searchable; don't hold the stop up.
                return Future.succeededFuture(ar);
            }
            e.stage("committing");
            return vertx.eventBus().request(Addresses.COMMIT, collectionOf(e.job, new JsonObject()),
                            new DeliveryOptions().setSendTimeout(options.commitTimeout().toMillis()))
                    .transform(c -> Future.succeededFuture(c.failed()
                            ? failedCommit(ar, c.cause()) : ar));
        }).onComplete(done -> {
            var outcome = done.result();
            if (e.interruptedByStop) {
                finish(e, JobState.INTERRUPTED, "the daemon stopped while the job was running; resume it to continue");
            } else if (outcome.failed()) {
                finish(e, JobState.FAILED, describe(outcome.cause()));
            } else if (e.cancel.get()) {
                finish(e, JobState.CANCELLED, null);
            } else {
                finish(e, JobState.COMPLETED, null);
            }
            if (e.slotted) {
                synchronized (this) {
                    running--;
                }
                startQueued();
            }
        });
    }

    private static AsyncResult<Void> failedCommit(AsyncResult<Void> work,
                                                                Throwable commitError) {
        String prefix = work.failed() ? describe(work.cause()) + "; and " : "";
        return Future.failedFuture(new JobFailure(prefix + "the indexed content could not be committed: "
                + commitError.getMessage()));
    }

    private static String describe(Throwable e) {
        if (e instanceof JobFailure || e instanceof DindexException) {
            return e.getMessage();
        }
        LOG.log(Level.WARNING, "job failed", e);
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private void finish(Entry e, JobState state, String error) {
        e.job.finish(state, error);
        persist(e);
        publish(e, true);
        e.done.tryComplete();
        JsonObject done = e.job.toJson();
        LOG.info("job " + e.job.id() + " " + state.wireName() + " after " + done.getValue("elapsed_seconds")
                + " s " + done.getJsonObject("counters").encode() + (error == null ? "" : ": " + error));
        forgetOldJobs();
    }

    private synchronized void forgetOldJobs() {
        List<Entry> finished = jobs.values().stream().filter(x -> x.job.state().finished()).toList();
        for (int i = 0; i < finished.size() - options.history(); i++) {
            String id = finished.get(i).job.id();
            jobs.remove(id);
            storeExecutor.executeBlocking(() -> {
                store.delete(id);
                return null;
            });
        }
    }

    private void persist(Entry e) {
        e.lastPersist = System.nanoTime();
        JsonObject snapshot = e.job.toJson();
        storeExecutor.executeBlocking(() -> {
            store.save(snapshot);
            return null;
        }).onFailure(ex -> LOG.warning("cannot save job " + e.job.id() + ": " + ex.getMessage()));
    }

    /** Publishes now (state changes) or coalesces into one event per 250 ms carrying the latest state. */
    private void publish(Entry e, boolean stateChange) {
        long delay;
        synchronized (e) {
            long now = System.nanoTime();
            long since = now - e.lastPublish;
            if (!stateChange && since < PUBLISH_EVERY_NANOS) {
                if (e.publishScheduled) {
                    return;
                }
                e.publishScheduled = true;
                delay = TimeUnit.NANOSECONDS.toMillis(PUBLISH_EVERY_NANOS - since) + 1;
            } else {
                e.lastPublish = now;
                delay = 0;
            }
        }
        if (delay > 0) {
            // Timers set on the registry's context fire there: publishing stays in order.
            context.runOnContext(v -> vertx.setTimer(delay, t -> {
                synchronized (e) {
                    e.publishScheduled = false;
                    e.lastPublish = System.nanoTime();
                }
                send(e);
            }));
        } else {
            context.runOnContext(v -> send(e));
        }
    }

    private void send(Entry e) {
        JsonObject json = e.job.toJson();
        boolean finished = e.job.state().finished();
        synchronized (e) {
            if (finished && e.finalPublished) {
                return;
            }
            e.finalPublished = finished;
        }
        JsonObject event = new JsonObject().put("type", "job").put("job", json);
        vertx.eventBus().publish(Addresses.PROGRESS_PREFIX + e.job.id(), event);
        vertx.eventBus().publish(EVENTS_ADDRESS, event);
        if (!finished && System.nanoTime() - e.lastPersist > PERSIST_EVERY_NANOS) {
            persist(e);
        }
    }

    /** A job with what it needs to run; also its {@link JobContext}. */
    private final class Entry implements JobContext {
        final Job job;
        final JobRunner runner;
        /** Whether it takes one of the {@code jobs.max_concurrent} slots while it runs. */
        final boolean slotted;
        final AtomicBoolean cancel = new AtomicBoolean();
        final List<Runnable> cancelActions = new ArrayList<>();
        final Promise<Void> done = Promise.promise();
        volatile boolean interruptedByStop;
        long lastPublish;
        long lastPersist;
        boolean publishScheduled;
        boolean finalPublished;
        /** The latest item events, for watchers that arrive late (a dashboard opened mid-scrape). */
        final ArrayDeque<JsonObject> recent = new ArrayDeque<>();
        long itemSeq;

        Entry(Job job, JobRunner runner, boolean slotted) {
            this.job = job;
            this.runner = runner;
            this.slotted = slotted;
            if (job.state().finished()) {
                done.tryComplete();
            }
        }

        void requestStop() {
            List<Runnable> actions;
            synchronized (this) {
                if (!cancel.compareAndSet(false, true)) {
                    return;
                }
                actions = List.copyOf(cancelActions);
            }
            actions.forEach(JobRegistry::runQuietly);
        }

        @Override
        public Job job() {
            return job;
        }

        @Override
        public Vertx vertx() {
            return vertx;
        }

        @Override
        public boolean cancelRequested() {
            return cancel.get();
        }

        @Override
        public void onCancel(Runnable action) {
            synchronized (this) {
                if (!cancel.get()) {
                    cancelActions.add(action);
                    return;
                }
            }
            runQuietly(action);
        }

        @Override
        public void stage(String stage) {
            job.stage(stage);
            publish(this, true);
        }

        @Override
        public void progress(long current, long total, String unit) {
            job.progress(current, total, unit);
            publish(this, false);
        }

        @Override
        public void count(String counter, long delta) {
            job.count(counter, delta);
            publish(this, false);
        }

        @Override
        public void checkpoint(JsonObject checkpoint) {
            job.checkpoint(checkpoint);
            persist(this);
        }

        @Override
        public void event(JsonObject event) {
            JsonObject item;
            synchronized (recent) {
                item = new JsonObject().put("type", "item").put("job_id", job.id()).put("seq", ++itemSeq)
                        .put("event", event);
                recent.add(item);
                if (recent.size() > RECENT_EVENTS) {
                    recent.poll();
                }
            }
            context.runOnContext(v -> vertx.eventBus().publish(Addresses.PROGRESS_PREFIX + job.id(), item));
        }

        @Override
        public Future<JsonObject> submit(JsonArray documents) {
            return vertx.eventBus().<JsonObject>request(Addresses.INDEX_SUBMIT,
                            collectionOf(job, new JsonObject().put("documents", documents)),
                            new DeliveryOptions().setSendTimeout(TimeUnit.MINUTES.toMillis(10)))
                    .map(Message::body);
        }
    }

    /** {@code body} addressed to the collection the job writes to ({@code params.collection}; none: default). */
    private static JsonObject collectionOf(Job job, JsonObject body) {
        String collection = job.params().getString("collection");
        return collection == null ? body : body.put("collection", collection);
    }

    /**
     * Cancels every queued or running job that writes to {@code collection} and completes once all have stopped and
     * committed (each within {@code wait}): a collection is deleted only after its jobs.
     */
    public Future<Void> cancelJobsOf(String collection, Duration wait) {
        List<String> ids;
        synchronized (this) {
            ids = jobs.values().stream().filter(e -> !e.job.state().finished())
                    .filter(e -> collection.equals(e.job.params().getString("collection",
                            CollectionNames.DEFAULT)))
                    .map(e -> e.job.id()).toList();
        }
        List<Future<Job>> cancels = new ArrayList<>();
        for (String id : ids) {
            try {
                cancels.add(cancel(id, wait));
            } catch (DindexException ended) {
                // it ended meanwhile
            }
        }
        if (!ids.isEmpty()) {
            LOG.info("cancelling " + ids.size() + " job(s) writing to collection " + collection + ": " + ids);
        }
        return Future.join(cancels).transform(ar -> {
            for (String id : ids) {
                Entry e;
                synchronized (this) {
                    e = jobs.get(id);
                }
                if (e != null && !e.job.state().finished()) {
                    return Future.failedFuture(new DindexException(ErrorCode.UNAVAILABLE, "job " + id
                            + " writing to collection " + collection + " did not stop in time; try again"));
                }
            }
            return Future.succeededFuture();
        });
    }

    private static void runQuietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cancel action failed", e);
        }
    }
}
