package org.dindex.protocol;

import io.vertx.core.json.JsonObject;

/**
 * The reply of {@link Addresses#STATUS}: the fields callers act on, typed; {@code raw} keeps the whole status (memory,
 * connections, index summary, start-up times...), which {@code dindex status --json} prints as it is.
 *
 * @param pid     the daemon's process id; -1 when the reply had none
 * @param version the daemon's version
 * @param state   starting, running or stopping
 * @param socket  the socket it listens on
 * @param dataDir its data dir
 */
public record DaemonStatus(long pid, String version, String state, String socket, String dataDir, JsonObject raw) {
    public DaemonStatus {
        raw = raw == null ? wire(pid, version, state, socket, dataDir) : raw;
    }

    /** A status of just these fields (its {@code raw} is its wire form). */
    public DaemonStatus(long pid, String version, String state, String socket, String dataDir) {
        this(pid, version, state, socket, dataDir, null);
    }

    /** The fields this record names (the daemon's reply holds more; see {@code raw}). */
    public JsonObject toJson() {
        return wire(pid, version, state, socket, dataDir);
    }

    public static DaemonStatus fromJson(JsonObject s) {
        return new DaemonStatus(s.getLong("pid", -1L), s.getString("version"), s.getString("state"),
                s.getString("socket"), s.getString("data_dir"), s);
    }

    private static JsonObject wire(long pid, String version, String state, String socket, String dataDir) {
        return new JsonObject().put("pid", pid).put("version", version).put("state", state).put("socket", socket)
                .put("data_dir", dataDir);
    }
}
