package org.dindex.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.dindex.config.StartupException;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the Hazelcast cluster manager under the Vert.x clustered event bus from {@link ClusterOptions}: Vert.x's
 * own base configuration (the maps it needs), then our network: a fixed member port on the configured address,
 * multicast and auto-detection off (a daemon never joins strangers on the LAN by accident), and members found by an
 * explicit TCP list or, in Kubernetes, by the DNS name of a headless Service.
 */
public final class ClusterManagers {
    private ClusterManagers() {
    }

    /**
     * Fails in one line when Hazelcast is not on the class path: it ships in dindex-cluster.jar, beside dindex.jar
     * (whose manifest names it), and only clustering needs it.
     */
    public static void requireClusterJar() {
        try {
            Class.forName("io.vertx.spi.cluster.hazelcast.HazelcastClusterManager", false,
                    ClusterManagers.class.getClassLoader());
            Class.forName("com.hazelcast.config.Config", false, ClusterManagers.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new StartupException("cluster.enabled is true but dindex-cluster.jar (Hazelcast) "
                    + "is missing: put it beside dindex.jar, or turn clustering off");
        }
    }

    public static HazelcastClusterManager hazelcast(ClusterOptions o) {
        Config config = ConfigUtil.loadConfig();
        config.setClusterName(o.name());
        config.setProperty("hazelcast.logging.type", "jdk");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");  // the daemon stops Vert.x, which leaves
        config.setProperty("hazelcast.local.localAddress", o.host());
        // Members that stop answering are dropped after a few seconds, so searches stop waiting for them.
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "10");
        // Join quickly: members listed but not running yet are simply not there (they join us when they start).
        config.setProperty("hazelcast.wait.seconds.before.join", "1");
        config.setProperty("hazelcast.max.wait.seconds.before.join", "3");
        // The shard table is small and every member needs it: a copy on every member (up to seven, Hazelcast's
        // most), so that losing all members but one loses none of it.
        config.addMapConfig(new MapConfig("dindex.*").setBackupCount(MapConfig.MAX_BACKUP_COUNT)
                .setReadBackupData(false));
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(o.port()).setPortAutoIncrement(false).setPublicAddress(o.host() + ":" + o.port());
        network.getInterfaces().setEnabled(false);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (!o.kubernetesDns().isEmpty()) {
            join.getTcpIpConfig().setEnabled(false);
            join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", o.kubernetesDns());
        } else {
            List<String> members = new ArrayList<>(o.join());
            members.add(o.host() + ":" + o.port());
            join.getTcpIpConfig().setEnabled(true).setMembers(members).setConnectionTimeoutSeconds(2);
        }
        return new HazelcastClusterManager(config);
    }
}
