package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.client.Dindex;
import org.dindex.client.DindexClient;
import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;
import org.dindex.config.AlreadyRunningException;
import org.dindex.config.RuntimePaths;
import org.dindex.config.StartupException;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a detached daemon: a new JVM in its own session ({@code setsid}, so closing the terminal or Ctrl-C in it
 * does not reach the daemon) with output appended to {@code logs/daemon.out}, then waits until it answers
 * {@code dindex.status} on its socket. If the child exits first, its own error line is the error reported.
 */
public final class DaemonLauncher {
    /**
     * JVM flags of every daemon process (the launcher script uses the same). An {@code OutOfMemoryError} ends the
     * process at once: a daemon whose event loops failed to allocate is half alive (answering status, not commits), and
     * a supervisor restarting it, with the write-ahead log replayed, is the cleaner way back.
     */
    static final List<String> JVM_FLAGS = List.of("--add-modules", "jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");

    private final RuntimePaths paths;
    private final DaemonConfig config;
    private final Map<String, String> env;

    public DaemonLauncher(RuntimePaths paths, DaemonConfig config, Map<String, String> env) {
        this.paths = paths;
        this.config = config;
        this.env = env;
    }

    /** @return the new daemon's status */
    public JsonObject startDetached() {
        JsonObject running = statusIfRunning(paths.socket());
        if (running != null) {
            throw new AlreadyRunningException(running.getLong("pid", -1L), "socket " + paths.socket());
        }
        Path out = paths.logDir().resolve("daemon.out");
        long offset;
        Process process;
        try {
            Files.createDirectories(paths.logDir(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            if (!Files.exists(out)) {
                Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            offset = Files.size(out);
            ProcessBuilder pb = new ProcessBuilder(command())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectErrorStream(true);
            pb.environment().putAll(env);
            process = pb.start();
        } catch (IOException e) {
            throw new StartupException("cannot start the daemon process: " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + config.getMillis(Settings.START_TIMEOUT_MS).toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject status = statusIfRunning(paths.socket());
            if (status != null && status.getLong("pid", -1L) != -1L) {
                return status;
            }
            if (!process.isAlive() && statusIfRunning(paths.socket()) == null) {
                throw new StartupException(childError(out, offset, process.exitValue()));
            }
            sleep(50);
        }
        throw new StartupException("the daemon did not answer on " + paths.socket() + " within "
                + config.getLong(Settings.START_TIMEOUT_MS) / 1000 + " s; see " + paths.logDir().resolve("daemon.0.log"));
    }

    private List<String> command() {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM_FLAGS);
        String javaOpts = env.get("DINDEX_JAVA_OPTS");  // heap size and the like, as for the systemd unit
        if (javaOpts != null && !javaOpts.isBlank()) {
            cmd.addAll(List.of(javaOpts.strip().split("\\s+")));
        }
        String classPath = Handover.daemonClassPath(env);
        cmd.addAll(aotCache(classPath));
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(Main.class.getName());
        cmd.add("--data-dir");
        cmd.add(paths.dataDir().toString());
        cmd.add("--socket");
        cmd.add(paths.socket().toString());
        if (paths.configFile() != null) {
            cmd.add("--config");
            cmd.add(paths.configFile().toString());
        }
        cmd.addAll(List.of("daemon", "start", "--foreground", "--log-to-files"));
        return cmd;
    }

    /**
     * The JVM's ahead-of-time cache of the daemon (JDK 25+, a daemon run from one jar): used when this jar and JVM
     * made one, else recorded by this run and written when the daemon stops.
     *
     * <p>Why: a daemon JVM spends much of its start loading and linking the classes of Vert.x, Lucene, the model
     * runtime and the rest from its jar before its first line of dindex code (docs/benchmarks.md, {@code bench cli}),
     * at every start. The cache holds
     * them loaded and linked. It lives in the data dir's cache folder, named for the jar (size and time) and the JVM
     * version, so a new build or JVM records a new one; the JVM also checks it and ignores one that does not fit.
     */
    private List<String> aotCache(String classPath) {
        Path jar = Path.of(classPath);
        if (Runtime.version().feature() < 25 || classPath.contains(File.pathSeparator)
                || !classPath.endsWith(".jar") || !Files.isRegularFile(jar)) {
            return List.of();
        }
        try {
            Path dir = paths.dataDir().resolve("cache").resolve("aot");
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
            String name = "daemon-" + Files.size(jar) + "-" + Files.getLastModifiedTime(jar).toMillis() + "-java"
                    + Runtime.version().toString().replaceAll("[^A-Za-z0-9.]", "_") + ".aot";
            Path cache = dir.resolve(name);
            return List.of(Files.isRegularFile(cache) ? "-XX:AOTCache=" + cache : "-XX:AOTCacheOutput=" + cache,
                    "-Xlog:aot=off", "-Xlog:aot+codecache=off");
        } catch (IOException e) {
            return List.of();  // no cache folder: start without one
        }
    }

    /** The status of the daemon on {@code socket}, or null when none answers. */
    static JsonObject statusIfRunning(Path socket) {
        try (Dindex dindex = Dindex.over(DindexClient.connect(socket))) {
            return dindex.status(Duration.ofSeconds(5)).raw();
        } catch (DindexException e) {
            if (e.code() == ErrorCode.DAEMON_NOT_RUNNING) {
                return null;
            }
            throw e;
        }
    }

    private static String childError(Path out, long offset, int exitCode) {
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "r")) {
            f.seek(offset);
            byte[] bytes = new byte[(int) Math.min(64 * 1024, f.length() - offset)];
            f.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8).strip();
            if (text.startsWith("dindex: ")) {
                return text.substring("dindex: ".length());
            }
            if (!text.isEmpty()) {
                return "the daemon exited with code " + exitCode + ": " + text.lines().reduce((a, b) -> b).orElse("");
            }
        } catch (IOException ignored) {
            // fall through to the generic message
        }
        return "the daemon exited with code " + exitCode + " before answering; see " + out;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while waiting for the daemon");
        }
    }
}
