package org.dindex.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.protocol.JobEvents;
import org.dindex.protocol.JobInfo;
import org.dindex.protocol.JobsQuery;

import java.util.List;

/** {@code job_status}: one job's state, progress and latest per-URL outcomes; without an id, the recent jobs. */
final class JobStatusTool implements DindexTool {
    static final int LISTED = 20;
    static final List<String> STATES = List.of("queued", "running", "completed", "failed", "cancelled",
            "interrupted");

    private final DaemonAccess daemon;

    JobStatusTool(DaemonAccess daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return "job_status";
    }

    @Override
    public String description() {
        return "State and progress of a dindex background job (a scrape or an import): queued, running, completed,"
                + " failed, cancelled or interrupted, with counters and the latest per-URL outcomes. Without an id,"
                + " lists the " + LISTED + " most recent jobs.";
    }

    @Override
    public Schema schema() {
        return new Schema()
                .string("id", false, "The job id, e.g. 'scrape-1a2b3c4d', as returned by scrape or index.")
                .choice("state", STATES, null, "Without an id: only jobs in this state.");
    }

    @Override
    public McpSchema.ToolAnnotations annotations() {
        return new McpSchema.ToolAnnotations("Job status", true, false, true, false, null);
    }

    @Override
    public ToolResult call(ToolArgs args) {
        String id = args.string("id");
        String state = args.choice("state", null, STATES);
        try (Dindex dindex = daemon.dindex()) {
            if (id != null && !id.isBlank()) {
                JobEvents reply = dindex.jobEvents(id.strip());
                JsonObject job = JobReports.brief(reply.job().raw(), reply.events());
                return ToolResult.of(JobReports.summary(job) + "\n" + job.encode(), job);
            }
            List<JobInfo> all = dindex.jobs(JobsQuery.inState(state));
            JsonArray recent = new JsonArray();
            for (int i = all.size() - 1; i >= 0 && recent.size() < LISTED; i--) {
                recent.add(JobReports.brief(all.get(i).raw(), null));
            }
            JsonObject out = new JsonObject().put("jobs", recent).put("total", all.size());
            return ToolResult.of(recent.isEmpty() ? "no jobs" + (state == null ? "" : " in state " + state)
                    : out.encode(), out);
        }
    }
}
