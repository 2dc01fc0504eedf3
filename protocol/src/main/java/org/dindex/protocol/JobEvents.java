package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The reply of {@link Addresses#JOBS_GET} asked with {@code "events": true}: the job and its latest item events, each
 * {@code {type, job_id, seq, event}} where the event says what happened to one item (a scrape's URL).
 */
public record JobEvents(JobInfo job, List<JsonObject> events) {
    public JobEvents {
        events = List.copyOf(events);
    }

    public JsonObject toJson() {
        return new JsonObject().put("job", job.raw() != null ? job.raw() : job.toJson()).put("events", new JsonArray(new ArrayList<>(events)));
    }

    public static JobEvents fromJson(JsonObject reply) {
        List<JsonObject> events = new ArrayList<>();
        reply.getJsonArray("events", new JsonArray()).forEach(o -> events.add((JsonObject) o));
        return new JobEvents(JobInfo.fromJson(reply.getJsonObject("job")), events);
    }
}
