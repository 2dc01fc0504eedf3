package org.dindex.protocol;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A job's state and progress as the daemon reports it ({@code total} below 0: unknown). {@code raw} keeps the whole
 * job object (timestamps, parameters, checkpoint).
 */
public record JobInfo(String id, String type, String state, String stage, long current, long total, String unit,
                      Map<String, Object> counters, String error, JsonObject raw) {
    public boolean finished() {
        return !state.equals("queued") && !state.equals("running");
    }

    public JsonObject toJson() {
        return new JsonObject().put("id", id).put("type", type).put("state", state).put("stage", stage)
                .put("current", current).put("total", total < 0 ? null : total).put("unit", unit)
                .put("counters", new JsonObject(new LinkedHashMap<>(counters))).put("error", error);
    }

    public static JobInfo fromJson(JsonObject j) {
        return new JobInfo(j.getString("id"), j.getString("type"), j.getString("state"), j.getString("stage"),
                j.getLong("current", 0L), j.getValue("total") == null ? -1 : j.getLong("total"), j.getString("unit"),
                j.getJsonObject("counters", new JsonObject()).getMap(), j.getString("error"), j);
    }
}
