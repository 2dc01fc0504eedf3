package org.dindex.bench;

import org.dindex.cli.DaemonLauncher;

import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.client.DindexClient;
import org.dindex.config.DaemonConfig;
import org.dindex.config.RuntimePaths;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.HashMap;

/**
 * A daemon of its own on a private temporary data dir and socket, for benchmarks and evaluations that must not touch
 * the user's index. Closing it stops the daemon, waits for its process, and deletes everything.
 */
final class TemporaryDaemon implements AutoCloseable {
    private final Path root;
    private final RuntimePaths paths;
    private final DaemonConfig config;
    private final Map<String, String> env;
    private JsonObject status;

    /** Prepares the folders; {@link #start()} launches the daemon (callers may fill the data dir first). */
    TemporaryDaemon(DaemonConfig config, Map<String, String> env, String prefix) throws IOException {
        this.root = Files.createTempDirectory(Path.of("/tmp"), prefix,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        this.paths = new RuntimePaths(root.resolve("data"), root.resolve("run/d.sock"), null);
        this.config = config;
        // A temporary daemon must not take (or fail on) the user's HTTP port.
        Map<String, String> withPort = new HashMap<>(env);
        withPort.put("DINDEX_HTTP_PORT", "0");
        this.env = withPort;
        Files.createDirectories(paths.dataDir());
    }

    /** Starts the daemon and returns its status once it answers. */
    JsonObject start() {
        status = new DaemonLauncher(paths, config, env).startDetached();
        return status;
    }

    RuntimePaths paths() {
        return paths;
    }

    Path socket() {
        return paths.socket();
    }

    long pid() {
        return status.getLong("pid");
    }

    @Override
    public void close() throws IOException {
        if (status != null) {
            try (Dindex dindex = Dindex.over(DindexClient.connect(paths.socket()))) {
                dindex.shutdown();
            } catch (RuntimeException ignored) {
                // already gone
            }
            ProcessHandle.of(pid()).ifPresent(p -> p.onExit().join());
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
