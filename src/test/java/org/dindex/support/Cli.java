package org.dindex.support;

import io.vertx.core.json.JsonObject;
import org.dindex.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the real CLI (in this JVM) against one data dir and socket; daemons it starts are real processes. */
public final class Cli {
    public record Result(int exit, String out, String err) {
        public JsonObject json() {
            return new JsonObject(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public final Path root;
    public final Path dataDir;
    public final Path socket;
    private final Map<String, String> env = new HashMap<>();

    public Cli(Path root) {
        this(root, root.resolve("data"));
    }

    public Cli(Path root, Path dataDir) {
        this.root = root;
        this.dataDir = dataDir;
        this.socket = root.resolve("run").resolve("d.sock");
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", root.toString());
        // Tests use the quantized MiniLM whatever the default model is: it is the fastest to embed.
        env.put("DINDEX_EMBEDDING_MODEL", "all-minilm-l6-v2-q");
        // Test daemons run side by side: each takes a free HTTP port.
        env.put("DINDEX_HTTP_PORT", "0");
    }

    public Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Runs a command that must succeed; a failure shows the command line and what it printed. */
    public Result ok(String... args) {
        Result r = run(args);
        if (r.exit() != 0) {
            throw new AssertionError("exit " + r.exit() + ": " + String.join(" ", args) + "\n" + r);
        }
        return r;
    }

    /** Runs a command that must fail (any exit but 0). */
    public Result fails(String... args) {
        Result r = run(args);
        if (r.exit() == 0) {
            throw new AssertionError("exit 0: " + String.join(" ", args) + "\n" + r);
        }
        return r;
    }

    public Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--data-dir", dataDir.toString(), "--socket", socket.toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The daemon's pid from status, or -1 when none runs. */
    public long pid() {
        Result r = run("daemon", "status", "--json");
        return r.exit() == 0 ? r.json().getLong("pid") : -1;
    }

    /** Starts {@code dindex ... daemon start --foreground} as a child process (not detached). */
    public Process startForegroundProcess(Path socketOverride, String... extra) throws java.io.IOException {
        return start(foregroundCommand(socketOverride, extra));
    }

    /** The command line of {@code dindex ... daemon start --foreground} in a new JVM, with this CLI's paths. */
    public List<String> foregroundCommand(Path socketOverride, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--data-dir", dataDir.toString(), "--socket",
                (socketOverride == null ? socket : socketOverride).toString()));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("daemon", "start", "--foreground"));
        return cmd;
    }

    /** Starts {@code command} with this CLI's environment, output and errors merged. */
    public Process start(List<String> command) throws java.io.IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits until a daemon answers on this CLI's socket; fails after {@code timeout}. */
    public long awaitDaemon(java.time.Duration timeout) throws InterruptedException {
        return Await.value(timeout, java.time.Duration.ofMillis(100), "a daemon answered on " + socket, this::pid,
                pid -> pid > 0);
    }

    /** Kills any daemon still running for this CLI's paths (test cleanup). */
    public void killDaemon() {
        long pid = org.dindex.daemon.InstanceLock.holderPid(dataDir.resolve("daemon.lock"));
        if (pid > 0 && pid != ProcessHandle.current().pid()) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroyForcibly();
                p.onExit().join();
            });
        }
    }
}
