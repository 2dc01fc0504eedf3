package org.dindex.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.time.Duration;

/** Human-readable daemon status. */
final class StatusPrinter {
    private StatusPrinter() {
    }

    static void print(JsonObject s, PrintStream out) {
        out.println("dindex daemon " + s.getString("state", "running"));
        row(out, "pid", s.getValue("pid"));
        row(out, "version", s.getString("version"));
        row(out, "uptime", human(Duration.ofMillis(s.getLong("uptime_ms", 0L))));
        row(out, "socket", s.getString("socket"));
        row(out, "data dir", s.getString("data_dir"));
        row(out, "config", s.getString("config"));
        row(out, "transport", s.getString("transport"));
        row(out, "connections", s.getValue("connections"));
        JsonObject mem = s.getJsonObject("memory", new JsonObject());
        row(out, "memory", "rss " + mb(mem.getLong("rss_bytes", -1L)) + ", heap " + mb(mem.getLong("heap_used_bytes",
                -1L)) + " of " + mb(mem.getLong("heap_max_bytes", -1L)));
        row(out, "http", s.getJsonObject("http") == null ? "off" : s.getJsonObject("http").getString("url"));
        JsonObject cluster = s.getJsonObject("cluster");
        if (cluster != null) {
            row(out, "cluster", cluster.getString("name") + ", this node " + cluster.getString("node_id"));
            for (Object o : cluster.getJsonArray("members", new JsonArray())) {
                JsonObject m = (JsonObject) o;
                out.printf("  %-12s %s %s%s%n", "", m.getString("node_id"), m.getBoolean("reachable", false)
                        ? m.getString("host") + ", " + m.getValue("documents") + " documents, " + m.getValue("chunks")
                        + " chunks" : "unreachable", m.getBoolean("self", false) ? " (this node)" : "");
            }
            if (cluster.getString("health") != null) {
                row(out, "health", cluster.getString("health"));
            }
            // Each collection's shards: the member holding each one's primary, and the shards with no live copy.
            for (Object o : cluster.getJsonArray("shards", new JsonArray())) {
                JsonObject c = (JsonObject) o;
                StringBuilder owners = new StringBuilder();
                for (Object a : c.getJsonArray("allocation", new JsonArray())) {
                    JsonObject shard = (JsonObject) a;
                    String owner = shard.getString("owner") == null ? "" : shard.getString("owner");
                    owners.append(owners.isEmpty() ? "" : ", ").append(shard.getValue("shard")).append(':')
                            .append(owner, 0, Math.min(8, owner.length()))
                            .append("started".equals(shard.getString("state")) ? "" : " (" + shard.getString("state")
                                    + ")");
                }
                row(out, "shards", c.getString("collection") + " (" + c.getValue("shards") + ", " + c.getString(
                        "health") + "): " + owners);
            }
        }
    }

    private static void row(PrintStream out, String name, Object value) {
        out.printf("  %-12s %s%n", name, value == null ? "-" : value);
    }

    static String mb(long bytes) {
        return bytes < 0 ? "?" : String.format("%.0f MB", bytes / 1048576.0);
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m " + (s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h " + (s % 3600 / 60) + "m";
        }
        return (s / 86400) + "d " + (s % 86400 / 3600) + "h";
    }
}
