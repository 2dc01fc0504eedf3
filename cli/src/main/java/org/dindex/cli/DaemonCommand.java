package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.config.ConfigLoader;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.client.Dindex;
import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;
import org.dindex.config.RuntimePaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@code dindex daemon start|stop|status|restart}. */
@Command(name = "daemon", footerHeading = Examples.HEADING,
        footer = {
                "  dindex daemon start",
                "  dindex daemon status --json",
                "  dindex daemon restart",
                "  dindex daemon stop"},
        description = "Start, stop, restart or inspect the daemon.",
        subcommands = picocli.CommandLine.HelpCommand.class)
final class DaemonCommand {
    @ParentCommand
    DindexCommand root;

    @Command(name = "start", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex daemon start",
                    "  dindex daemon start --foreground",
                    "  dindex daemon start --cluster --join node1.example.org:5701"},
            description = "Start the daemon (detached unless --foreground).")
    int start(@Option(names = "--foreground", description = "Run in this terminal, logging to stderr.")
              boolean foreground,
              @Option(names = "--log-to-files", hidden = true) boolean logToFiles,
              @Option(names = "--json", description = "Print JSON.") boolean json,
              @Option(names = "--cluster", description = "Join a cluster of daemons (cluster.enabled).")
              boolean cluster,
              @Option(names = "--cluster-host", paramLabel = "ADDR", description = "Address this member binds and"
                      + " announces (cluster.host).") String clusterHost,
              @Option(names = "--cluster-port", paramLabel = "PORT", description = "Hazelcast member port"
                      + " (cluster.port).") Integer clusterPort,
              @Option(names = "--join", paramLabel = "HOST:PORT,...", description = "Members to join"
                      + " (cluster.join).") String join) {
        RuntimePaths paths = root.paths();
        // Flags become settings the way DINDEX_* variables do, so a detached daemon gets them too.
        Map<String, String> env = new HashMap<>(root.env);
        if (cluster || clusterHost != null || join != null || clusterPort != null) {
            env.put(Settings.CLUSTER_ENABLED.envName(), "true");
        }
        if (clusterHost != null) {
            env.put(Settings.CLUSTER_HOST.envName(), clusterHost);
        }
        if (clusterPort != null) {
            env.put(Settings.CLUSTER_PORT.envName(), clusterPort.toString());
        }
        if (join != null) {
            env.put(Settings.CLUSTER_JOIN.envName(), join);
        }
        DaemonConfig config = new ConfigLoader(env).load(paths.configFile(), Map.of());
        if (foreground) {
            return root.inProcess().map(daemon -> daemon.runDaemon(paths, config, logToFiles, root.err))
                    .orElseGet(() -> Handover.run(root));
        }
        JsonObject status = new DaemonLauncher(paths, config, env).startDetached();
        if (json) {
            root.out.println(status.encodePrettily());
        } else {
            root.out.println("dindex daemon started");
            root.out.printf("  %-12s %s%n", "pid", status.getValue("pid"));
            root.out.printf("  %-12s %s%n", "socket", status.getString("socket"));
            root.out.printf("  %-12s %s%n", "data dir", status.getString("data_dir"));
            root.out.printf("  %-12s %s%n", "log", paths.logDir().resolve("daemon.0.log"));
        }
        return Main.OK;
    }

    @Command(name = "stop", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex daemon stop"},
            description = "Stop the daemon gracefully and wait until it has exited.")
    int stop() {
        long pid = stopRunning().orElseThrow(() -> new DindexException(ErrorCode.DAEMON_NOT_RUNNING,
                "the daemon is not running (socket " + root.paths().socket() + ")"));
        root.out.println("dindex daemon stopped (pid " + pid + ")");
        return Main.OK;
    }

    @Command(name = "status", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex daemon status",
                    "  dindex daemon status --json"},
            description = "Show pid, version, uptime, socket, data dir, transport, connections"
            + " and memory (exit 3 when not running).")
    int status(@Option(names = "--json", description = "Print JSON.") boolean json) {
        return StatusCommand.show(root, json);
    }

    @Command(name = "restart", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex daemon restart",
                    "  DINDEX_JAVA_OPTS=-Xmx4g dindex daemon restart"},
            description = "Stop the daemon if it runs, then start it detached.")
    int restart(@Option(names = "--json", description = "Print JSON.") boolean json) {
        stopRunning().ifPresent(pid -> root.err.println("dindex: stopped daemon (pid " + pid + ")"));
        return start(false, false, json, false, null, null, null);
    }

    /** Asks a running daemon to stop and waits for its process to exit; empty when none was running. */
    private Optional<Long> stopRunning() {
        long pid;
        try (Dindex dindex = root.dindexRunning()) {
            pid = dindex.status().pid();
            dindex.shutdown();
        } catch (DindexException e) {
            if (e.code() == ErrorCode.DAEMON_NOT_RUNNING) {
                return Optional.empty();
            }
            throw e;
        }
        Duration limit = root.loadConfig().getMillis(Settings.SHUTDOWN_TIMEOUT_MS).plusSeconds(5);
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive && DaemonLauncher.statusIfRunning(root.paths().socket()) == null) {
                return Optional.of(pid);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new DindexException(ErrorCode.TIMEOUT, "the daemon (pid " + pid + ") did not exit within "
                + limit.toSeconds() + " s");
    }
}
