package org.dindex.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code cluster status}: the cluster this daemon is a member of, its members and who holds each shard. */
@Command(name = "cluster", footerHeading = Examples.HEADING,
        footer = {
                "  dindex cluster status",
                "  dindex cluster status --json"},
        description = "The cluster this daemon is a member of.")
final class ClusterCommand {
    @ParentCommand
    DindexCommand root;

    @Command(name = "status", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex cluster status",
                    "  dindex cluster status --json"},
            description = "Members with their index sizes, every collection's shards with each copy's member, role"
                    + " (primary or replica), state (started; initializing while it is filled from another copy;"
                    + " unassigned while its member is gone) and documents, and the cluster's health: green, yellow"
                    + " while a shard lacks a replica, red while a shard has no live copy. A daemon outside a cluster"
                    + " says so.")
    int status(@Mixin JsonOption output) {
        return Replies.ask(root, null, output.json, ClusterCommand::statusOf, status -> print(root, status));
    }

    /** The member's cluster status, or {@code {"enabled": false}} from a daemon that is not in a cluster. */
    private static JsonObject statusOf(Dindex dindex) {
        if (dindex.status().raw().getJsonObject("cluster") == null) {
            return new JsonObject().put("enabled", false);
        }
        return dindex.clusterStatus();
    }

    private static void print(DindexCommand root, JsonObject status) {
        if (!status.getBoolean("enabled", false)) {
            root.out.println("not in a cluster (cluster.enabled is false)");
            return;
        }
        root.out.printf("cluster %s: health %s; this member %s%n", status.getString("name"),
                status.getString("health"), status.getString("member_id"));
        root.out.println("members:");
        for (Object o : status.getJsonArray("members", new JsonArray())) {
            JsonObject m = (JsonObject) o;
            String size = m.containsKey("documents") ? m.getValue("documents") + " documents, "
                    + m.getValue("chunks") + " chunks" : "unreachable";
            root.out.printf("  %-36s %-15s %s%s%n", m.getString("member_id", m.getString("node_id")),
                    m.getString("host", ""), size, m.getBoolean("self", false) ? " (this member)" : "");
        }
        for (Object o : status.getJsonArray("shards", new JsonArray())) {
            JsonObject c = (JsonObject) o;
            root.out.printf("collection %s: %d shards, %d replicas, health %s (allocation version %d)%n",
                    c.getString("collection"), c.getInteger("shards"), c.getInteger("replicas", 0),
                    c.getString("health"), c.getLong("version"));
            for (Object s : c.getJsonArray("allocation", new JsonArray())) {
                JsonObject shard = (JsonObject) s;
                root.out.printf("  shard %-3d %s%n", shard.getInteger("shard"), shard.getString("state"));
                for (Object co : shard.getJsonArray("copies", new JsonArray())) {
                    JsonObject copy = (JsonObject) co;
                    Object docs = copy.getValue("documents");
                    root.out.printf("    %-7s %-12s %-36s %s%s%n", copy.getString("role"), copy.getString("state"),
                            copy.getString("member"), docs == null ? "" : docs + " documents",
                            copy.getBoolean("self", false) ? " (this member)" : "");
                }
            }
        }
    }
}
