package org.dindex.cli;

import org.dindex.config.DaemonConfig;
import org.dindex.config.RuntimePaths;

import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The commands that run daemon code in the calling process: {@code daemon start --foreground}, {@code bench},
 * {@code eval}, {@code mcp} and {@code config check}.
 *
 * <p>Why a service: the thin CLI jar ({@code dindex-cli.jar}) holds only what talks to a daemon, so that every
 * command starts fast; the daemon jar ({@code dindex.jar}) holds the CLI as well plus an implementation of this
 * interface. Found on the class path, these commands run here; absent, the command line is handed over, whole, to a
 * JVM running the daemon jar ({@link Handover}).
 */
public interface InProcessCommands {
    /**
     * The commands by their place in the command tree: "bench", "eval", "mcp", and "config check" for a subcommand of
     * "config". Each is a picocli command object.
     */
    Map<String, Object> commands();

    /**
     * Called first thing in {@code main}, before anything logs: process-wide settings daemon code relies on (the
     * daemon's log manager, which must be chosen before java.util.logging starts).
     */
    void configureJvm();

    /** Runs a daemon in this process until it stops ({@code daemon start --foreground}); returns the exit code. */
    int runDaemon(RuntimePaths paths, DaemonConfig config, boolean logToFiles, PrintStream err);

    /** The implementation on the class path, if this is the daemon jar (or a test). */
    static Optional<InProcessCommands> find() {
        return ServiceLoader.load(InProcessCommands.class).findFirst();
    }
}
