package org.dindex.jobs;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;

/**
 * What the parts that run jobs (imports, scrapes, watches, collection removal) need of the jobs part: to start,
 * restart, list and cancel jobs. Owned here and implemented by {@link JobsVerticle}, so that those parts never hold
 * the verticle; see {@link JobRegistry} for what each call does.
 */
public interface JobControl {
    Job submit(String type, JsonObject params, JobRunner runner, Job resumes);

    Job startUnqueued(String type, JsonObject params, JobRunner runner);

    Job restart(String id, JobRunner runner);

    List<Job> list();

    Job require(String id);

    Future<Void> cancelJobsOf(String collection, Duration wait);
}
