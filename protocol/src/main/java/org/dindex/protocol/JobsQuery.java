package org.dindex.protocol;

import io.vertx.core.json.JsonObject;

/**
 * A request to {@link Addresses#JOBS_LIST}: every job, or those in one state and/or of one type.
 *
 * @param state queued, running, completed, failed, cancelled or interrupted; null for any
 * @param type  import or scrape; null for any
 */
public record JobsQuery(String state, String type) {
    public static final JobsQuery ALL = new JobsQuery(null, null);

    /** Jobs in {@code state}; every job when it is null. */
    public static JobsQuery inState(String state) {
        return new JobsQuery(state, null);
    }

    public JsonObject toJson() {
        JsonObject body = new JsonObject();
        if (state != null) {
            body.put("state", state);
        }
        if (type != null) {
            body.put("type", type);
        }
        return body;
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static JobsQuery fromJson(JsonObject body) {
        return new JobsQuery(body.getString("state"), body.getString("type"));
    }
}
