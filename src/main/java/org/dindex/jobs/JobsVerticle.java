package org.dindex.jobs;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.bus.BusHandlers;
import org.dindex.protocol.DindexException;
import org.dindex.metrics.Metrics;
import org.dindex.protocol.JsonTypes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Serves the jobs addresses: {@code dindex.jobs.list}, {@code dindex.jobs.get} and {@code dindex.jobs.cancel}. Owns
 * the {@link JobRegistry}; the import and scrape verticles start their jobs through it.
 */
public final class JobsVerticle extends VerticleBase implements JobControl {
    private final BusHandlers handlers;
    private final Path dir;
    private final JobRegistry.Options options;
    private final Duration stopDeadline;
    private JobRegistry registry;
    private Metrics metrics;

    public JobsVerticle(BusHandlers handlers, Path dir, JobRegistry.Options options, Duration stopDeadline) {
        this.handlers = handlers;
        this.dir = dir;
        this.options = options;
        this.stopDeadline = stopDeadline;
    }

    /** Jobs by state as gauges, read from the registry at scrape time (optional: tests may run without meters). */
    public JobsVerticle meter(Metrics metrics) {
        this.metrics = metrics;
        return this;
    }

    /** The running jobs' records, for the dashboard's per-job rates (none before this verticle has started). */
    public List<JsonObject> running() {
        JobRegistry r = registry;
        return r == null ? List.of() : r.list().stream().filter(job -> job.state() == JobState.RUNNING)
                .map(Job::toJson).toList();
    }

    /** The registry; available once this verticle has started. */
    public JobRegistry registry() {
        if (registry == null) {
            throw new IllegalStateException("the jobs verticle has not started");
        }
        return registry;
    }

    @Override
    public Job submit(String type, JsonObject params, JobRunner runner, Job resumes) {
        return registry().submit(type, params, runner, resumes);
    }

    @Override
    public Job startUnqueued(String type, JsonObject params, JobRunner runner) {
        return registry().startUnqueued(type, params, runner);
    }

    @Override
    public Job restart(String id, JobRunner runner) {
        return registry().restart(id, runner);
    }

    @Override
    public List<Job> list() {
        return registry().list();
    }

    @Override
    public Job require(String id) {
        return registry().require(id);
    }

    @Override
    public Future<Void> cancelJobsOf(String collection, Duration wait) {
        return registry().cancelJobsOf(collection, wait);
    }

    @Override
    public Future<?> start() {
        // map, not onSuccess: the deployment must not count as started before the handlers are served.
        return JobRegistry.open(vertx, dir, options).map(r -> {
            registry = r;
            if (metrics != null) {
                for (JobState state : JobState.values()) {
                    Gauge.builder("dindex.jobs", r, j -> j.list().stream().filter(job -> job.state() == state).count())
                            .tag("state", state.wireName()).description("Jobs known to the daemon, by state")
                            .register(metrics.registry());
                }
            }
            handlers.serve(Addresses.JOBS_LIST, this::list);
            handlers.serve(Addresses.JOBS_GET, this::get);
            handlers.serve(Addresses.JOBS_CANCEL, body -> registry.cancel(idOf(body), Duration.ofSeconds(10))
                    .map(job -> new JsonObject().put("job", job.toJson())));
            return r;
        });
    }

    /** One job; with {@code "events": true} also its latest item events (each with its {@code seq}). */
    private Future<JsonObject> get(JsonObject body) {
        String id = idOf(body);
        Job job = registry.require(id);
        JsonObject reply = new JsonObject().put("job", job.toJson());
        if (JsonTypes.bool(body, "events", false)) {
            reply.put("events", new JsonArray(registry.recentEvents(job.id())));
        }
        return Future.succeededFuture(reply);
    }

    private static String idOf(JsonObject body) {
        if (!(body.getValue("id") instanceof String id)) {
            throw DindexException.badRequest("'id' must be a job id string");
        }
        return id;
    }

    private Future<JsonObject> list(JsonObject body) {
        if ((body.getValue("state") != null && !(body.getValue("state") instanceof String))
                || (body.getValue("type") != null && !(body.getValue("type") instanceof String))) {
            return Future.failedFuture(DindexException.badRequest("'state' and 'type' must be strings"));
        }
        String state = body.getString("state");
        String type = body.getString("type");
        List<Job> jobs = registry.list();
        JsonArray out = new JsonArray();
        for (Job job : jobs) {
            if ((state == null || job.state().wireName().equals(state.toLowerCase(Locale.ROOT)))
                    && (type == null || job.type().equals(type))) {
                out.add(job.toJson());
            }
        }
        return Future.succeededFuture(new JsonObject().put("jobs", out));
    }

    @Override
    public Future<?> stop() {
        return registry == null ? Future.succeededFuture() : registry.stopAll(stopDeadline);
    }
}
