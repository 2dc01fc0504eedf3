package org.dindex.mcp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.protocol.JobEvents;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A job as the tools {@code index} (URLs), {@code scrape} and {@code job_status} report it to the model: waited for
 * until it ends (or a while), trimmed to its record and its last URL outcomes, and summed up in one line.
 */
final class JobReports {
    /** How often a waiting tool asks for the job's state: jobs.get is cheap, and tests stay quick. */
    static final Duration POLL = Duration.ofMillis(250);
    /** The last item events shown per job: enough to see which URLs failed, small enough for a context window. */
    static final int EVENTS_SHOWN = 20;

    private JobReports() {
    }

    static boolean finished(JsonObject job) {
        String state = job.getString("state");
        return !"queued".equals(state) && !"running".equals(state);
    }

    /** The job with its latest item events, polled until it has ended or {@code wait} has passed. */
    static JsonObject await(Dindex dindex, String id, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            JobEvents reply = dindex.jobEvents(id);
            JsonObject job = reply.job().raw();
            if (finished(job) || System.nanoTime() >= deadline) {
                return brief(job, reply.events());
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** The job record without its resume checkpoint, plus the last {@link #EVENTS_SHOWN} URL outcomes. */
    static JsonObject brief(JsonObject job, List<JsonObject> events) {
        JsonObject out = job.copy();
        out.remove("checkpoint");
        if (events != null) {
            // Each item is {type, job_id, seq, event}; the event says what happened to one URL. queued and
            // fetching are steps on the way: the outcome of each URL is what matters.
            List<JsonObject> outcomes = new ArrayList<>();
            for (JsonObject item : events) {
                JsonObject e = item.getJsonObject("event", item);
                if (!"queued".equals(e.getString("kind")) && !"fetching".equals(e.getString("kind"))) {
                    outcomes.add(e);
                }
            }
            out.put("events", new JsonArray(new ArrayList<>(outcomes.subList(Math.max(0,
                    outcomes.size() - EVENTS_SHOWN), outcomes.size()))));
        }
        return out;
    }

    /** One line for the model: the state, the counters and what to do next. */
    static String summary(JsonObject job) {
        StringBuilder sb = new StringBuilder("job ").append(job.getString("id")).append(' ')
                .append(job.getString("state"));
        JsonObject counters = job.getJsonObject("counters", new JsonObject());
        if (!counters.isEmpty()) {
            sb.append(" (");
            counters.forEach(e -> sb.append(e.getKey().replace('_', ' ')).append(' ').append(e.getValue())
                    .append(", "));
            sb.setLength(sb.length() - 2);
            sb.append(')');
        }
        if (job.getString("error") != null) {
            sb.append(": ").append(job.getString("error"));
        }
        if (!finished(job)) {
            sb.append("; still working: call job_status with id '").append(job.getString("id"))
                    .append("' to follow it");
        } else if ("completed".equals(job.getString("state"))) {
            sb.append("; what it indexed is searchable now");
        }
        return sb.toString();
    }
}
