package org.dindex.cluster;

import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * How this daemon joins a cluster.
 *
 * @param join          host:port of members to contact (TCP join); empty to start alone or with DNS discovery
 * @param kubernetesDns DNS name of a headless Service whose addresses are the members, or empty
 */
public record ClusterOptions(boolean enabled, String name, String host, int port, int busPort, List<String> join,
                             String kubernetesDns, Duration memberTimeout) {

    public static ClusterOptions from(DaemonConfig c) {
        return new ClusterOptions(c.getBoolean(Settings.CLUSTER_ENABLED), c.getString(Settings.CLUSTER_NAME),
                c.getString(Settings.CLUSTER_HOST), c.getInt(Settings.CLUSTER_PORT),
                c.getInt(Settings.CLUSTER_BUS_PORT),
                Arrays.stream(c.getString(Settings.CLUSTER_JOIN).split(",")).map(String::strip)
                        .filter(s -> !s.isEmpty()).toList(),
                c.getString(Settings.CLUSTER_KUBERNETES_DNS).strip(),
                c.getMillis(Settings.CLUSTER_MEMBER_TIMEOUT_MS));
    }
}
