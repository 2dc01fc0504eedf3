package org.dindex.jobs;

import io.vertx.core.Future;

/**
 * The work of one job. {@link #run} starts it and returns a future that completes when the work has stopped: all
 * its documents submitted and acknowledged (durable), whether it ran to the end or stopped early because
 * {@link JobContext#cancelRequested()} became true. The registry then commits, so that the job's final state is
 * reported only once its content is searchable.
 *
 * <p>A runner that fails its future with a {@link JobFailure} gets that message shown to users as the job's error;
 * any other exception is shown with its type.
 */
@FunctionalInterface
public interface JobRunner {
    Future<Void> run(JobContext context);
}
