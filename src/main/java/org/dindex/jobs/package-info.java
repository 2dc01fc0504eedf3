/**
 * Background jobs: the registry ({@link org.dindex.jobs.JobRegistry}) that queues, runs, cancels and persists
 * long-running work such as a dump import or a web scrape, publishes their progress on the event bus, and reports a
 * job finished only after its content is committed; and {@link org.dindex.jobs.JobsVerticle}, which serves
 * {@code dindex.jobs.*}.
 *
 * <p>Why a registry separate from the work: imports and scrapes differ in everything but their life cycle (queue,
 * progress, cancel, commit at the end, survive a restart), and users watch them all the same way, so the life cycle
 * lives here once and a job type is just a {@link org.dindex.jobs.JobRunner}.
 */
package org.dindex.jobs;
