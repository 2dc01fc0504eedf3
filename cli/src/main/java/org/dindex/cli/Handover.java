package org.dindex.cli;

import org.dindex.config.StartupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs a command line that needs daemon code ({@link InProcessCommands}) in a JVM on the daemon jar, from the thin
 * CLI: the same arguments, the same terminal, its exit code. {@code bin/dindex} sends such command lines to the
 * daemon jar directly; this is the way for {@code java -jar dindex-cli.jar}.
 */
final class Handover {
    /** What the thin CLI's help says of the commands it hands over. */
    private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        DESCRIPTIONS.put("eval", "Retrieval quality on a BEIR dataset (runs in the daemon jar).");
        DESCRIPTIONS.put("bench", "Benchmarks: table on stdout, JSON to a file (runs in the daemon jar).");
        DESCRIPTIONS.put("mcp", "Model Context Protocol server on stdin/stdout (runs in the daemon jar).");
        DESCRIPTIONS.put("config check", "Validate a configuration file (runs in the daemon jar).");
    }

    private Handover() {
    }

    /** Placeholders for the in-process commands, each handing the command line over when run. */
    static Map<String, Object> stubs(DindexCommand root) {
        Map<String, Object> stubs = new LinkedHashMap<>();
        DESCRIPTIONS.forEach((name, description) -> stubs.put(name, new HandedOver(root)));
        return stubs;
    }

    static String description(String name) {
        return DESCRIPTIONS.get(name);
    }

    /** A command whose options the daemon jar parses: it only passes the whole command line on. */
    @Command(description = "Runs in the daemon jar.")
    static final class HandedOver implements Callable<Integer> {
        private final DindexCommand root;

        @Unmatched
        List<String> arguments = new ArrayList<>();

        HandedOver(DindexCommand root) {
            this.root = root;
        }

        @Override
        public Integer call() {
            return run(root);
        }
    }

    /** Runs {@code root}'s whole command line in a JVM on the daemon jar and returns its exit code. */
    static int run(DindexCommand root) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(DaemonLauncher.JVM_FLAGS);
        command.add("-cp");
        command.add(daemonClassPath(root.env()));
        command.add(Main.class.getName());
        command.addAll(root.arguments());
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().putAll(root.env());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new StartupException("cannot run the daemon jar: " + e.getMessage(), e);
        }
        // A SIGTERM to this process reaches the child too (Ctrl-C reaches both as a process group).
        Thread forward = new Thread(() -> {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "dindex-handover-stop");
        Runtime.getRuntime().addShutdownHook(forward);
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
            return Main.FAILURE;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(forward);
            } catch (IllegalStateException stopping) {
                // the JVM is already stopping: the hook runs
            }
        }
    }

    /**
     * The class path of a JVM running daemon code: this one's when it holds the daemon (the daemon jar itself, tests),
     * else {@code DINDEX_DAEMON_JAR}, else {@code dindex.jar} beside the thin CLI jar.
     */
    static String daemonClassPath(Map<String, String> env) {
        if (InProcessCommands.find().isPresent()) {
            return System.getProperty("java.class.path");
        }
        String configured = env.get("DINDEX_DAEMON_JAR");
        if (configured != null && !configured.isBlank()) {
            for (String entry : configured.split(File.pathSeparator)) {
                existing(Path.of(entry), "DINDEX_DAEMON_JAR");  // the jar, or a class path holding the daemon
            }
            return configured;
        }
        Path thin;
        try {
            thin = Path.of(Handover.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new StartupException("cannot tell where the CLI jar is; set DINDEX_DAEMON_JAR to the daemon jar");
        }
        return existing(thin.resolveSibling("dindex.jar"), "the daemon jar beside " + thin.getFileName());
    }

    private static String existing(Path jar, String what) {
        if (!Files.exists(jar)) {
            throw new StartupException(what + " (" + jar + ") does not exist; build it (mvn package) or set"
                    + " DINDEX_DAEMON_JAR");
        }
        return jar.toString();
    }
}
