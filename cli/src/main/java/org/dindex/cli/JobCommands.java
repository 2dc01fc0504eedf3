package org.dindex.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.protocol.JobInfo;
import org.dindex.protocol.JobsQuery;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/** {@code jobs}, {@code job ID [--follow]} and {@code cancel ID}. */
final class JobCommands {
    private JobCommands() {
    }

    @Command(name = "jobs", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex jobs",
                    "  dindex jobs --state running --json"},
            description = "Import, scrape and watch jobs, running and past (kept across restarts).")
    static final class ListJobs implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Mixin
        JsonOption output;

        @Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state: queued, running,"
                + " completed, failed, cancelled, interrupted.")
        String state;

        @Option(names = "--cluster", description = "Every cluster member's jobs (each with its member).")
        boolean cluster;

        @Override
        public Integer call() {
            return Replies.ask(root, null, output.json, dindex -> cluster ? filter(dindex.clusterJobs(), state)
                    : raw(dindex.jobs(JobsQuery.inState(state))), jobs -> new JsonObject().put("jobs", jobs), jobs -> {
                if (jobs.isEmpty()) {
                    root.out.println("no jobs");
                    return;
                }
                for (Object o : jobs) {
                    JsonObject job = (JsonObject) o;
                    root.out.printf("%-17s %-11s %-20s %s%n", job.getString("id"), job.getString("state"),
                            job.getString("created_at").replace('T', ' ').replaceAll("\\.\\d+Z$", "Z"),
                            JobFollower.describe(job).replaceFirst("^\\S+ \\S+( \\([^)]*\\))?, ", ""));
                }
            });
        }
    }

    /** The jobs as the daemon sent them: {@code --json} prints them, the table reads their every field. */
    private static JsonArray raw(List<JobInfo> jobs) {
        JsonArray out = new JsonArray();
        jobs.forEach(j -> out.add(j.raw()));
        return out;
    }

    private static JsonArray filter(List<JobInfo> jobs, String state) {
        return raw(state == null ? jobs : jobs.stream().filter(j -> state.equals(j.state())).toList());
    }

    @Command(name = "job", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex job JOB_ID",
                    "  dindex job JOB_ID --follow"},
            description = "One job's state and progress; --follow draws progress until it ends.")
    static final class ShowJob implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Parameters(paramLabel = "ID", description = "Job id, as printed when it started or by 'dindex jobs'.")
        String id;

        @Option(names = {"-f", "--follow"}, description = "Watch until the job ends.")
        boolean follow;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            try (Dindex dindex = root.dindex()) {
                JsonObject job = follow ? new JobFollower(dindex, root.err, output.json).follow(id)
                        : dindex.job(id).raw();
                print(root, job, output.json);
                return follow ? exitCode(job) : Main.OK;
            }
        }
    }

    @Command(name = "cancel", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex cancel JOB_ID"},
            description = "Cancel a queued or running job; what it indexed stays searchable.")
    static final class Cancel implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Parameters(paramLabel = "ID", description = "Job id.")
        String id;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            return Replies.ask(root, null, output.json, d -> d.cancel(id).raw(),
                    job -> root.out.println(JobFollower.describe(job)));
        }
    }

    static void print(DindexCommand root, JsonObject job, boolean json) {
        Replies.print(root, json, job, () -> root.out.println(JobFollower.describe(job)));
    }

    /** 0 for a completed job, 1 for one that failed, was cancelled or interrupted. */
    static int exitCode(JsonObject job) {
        return "completed".equals(job.getString("state")) ? Main.OK : Main.FAILURE;
    }

    /**
     * The whole of a command that starts a job: connects (addressing {@code collection}, null: the default), sends
     * {@code request} and goes on as {@link #startedJob} does.
     */
    static int start(DindexCommand root, JobStartOptions start, Function<Dindex, JobInfo> request) {
        try (Dindex dindex = root.dindex(start.collection)) {
            JsonObject job = request.apply(dindex).raw();
            return startedJob(root, dindex, job, start.detach, start.json);
        }
    }

    /**
     * What start commands do with the job they started: print its id, then follow it unless detached. Scripts get
     * the final job (or, detached, the queued one) as JSON on stdout.
     */
    static int startedJob(DindexCommand root, Dindex dindex, JsonObject job, boolean detach, boolean json) {
        String id = job.getString("id");
        if (detach) {
            if (json) {
                root.out.println(job.encodePrettily());
            } else {
                root.out.println(id);
                root.err.println("dindex: started " + id + "; watch it with 'dindex job " + id + " --follow'");
            }
            return Main.OK;
        }
        if (!json) {
            root.err.println("dindex: started " + id + " (Ctrl-C stops following; 'dindex cancel " + id
                    + "' stops the job)");
        }
        JsonObject last = new JobFollower(dindex, root.err, json).follow(id);
        print(root, last, json);
        return exitCode(last);
    }
}
