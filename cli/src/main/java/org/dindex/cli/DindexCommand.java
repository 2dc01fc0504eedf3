package org.dindex.cli;

import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.client.Dindex;
import org.dindex.client.DindexClient;
import org.dindex.config.ConfigLoader;
import org.dindex.config.DaemonConfig;
import org.dindex.config.RuntimePaths;
import org.dindex.cli.CommandSpecs.Field;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ScopeType;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The root command: global options and the ways to reach the daemon. Its picocli model is built in code
 * ({@link #model()}, see {@link CommandSpecs}); the options it declares apply to every command.
 */
public final class DindexCommand implements Runnable {
    final Map<String, String> env;
    final PrintStream out;
    final PrintStream err;

    Path dataDir;
    Path socket;
    Path config;
    boolean verbose;
    boolean noAutoStart;
    Terminal.When color = Terminal.When.auto;

    CommandSpec spec;  // built by model()

    private final List<String> arguments;
    private final InProcessCommands inProcess;
    private final BooleanSupplier stdoutIsTerminal;

    DindexCommand(List<String> arguments, Map<String, String> env, PrintStream out, PrintStream err,
                  InProcessCommands inProcess, BooleanSupplier stdoutIsTerminal) {
        this.arguments = List.copyOf(arguments);
        this.env = env;
        this.out = out;
        this.err = err;
        this.inProcess = inProcess;
        this.stdoutIsTerminal = stdoutIsTerminal;
    }

    /** Whether results printed to {@link #out()} get colour ({@code --color}, {@code NO_COLOR}, a terminal). */
    public boolean colour() {
        return Terminal.colour(color, env, stdoutIsTerminal);
    }

    /** The whole command line, as given (for a hand-over to the daemon jar). */
    List<String> arguments() {
        return arguments;
    }

    /** The commands that run daemon code here; empty in the thin CLI, which hands them over. */
    Optional<InProcessCommands> inProcess() {
        return Optional.ofNullable(inProcess);
    }

    /** This command's picocli model: the root of the tree, with the options every command inherits. */
    CommandSpec model() {
        if (spec == null) {
            spec = CommandSpecs.command(this, "dindex")
                    .description("Semantic search index for LLMs, served by one long-running daemon.")
                    .examples("  dindex index docs README.md", "  dindex search 'what happens when the disk is full'",
                            "  dindex context 'how are chunks cut' --budget 1500", "  dindex daemon stop", "",
                            "Exit codes:", "  0  success", "  1  failure", "  2  usage error",
                            "  3  daemon not running or unreachable",
                            "", "Environment: DINDEX_DATA_DIR, DINDEX_SOCKET, DINDEX_CONFIG, DINDEX_NO_AUTOSTART=1,",
                            "NO_COLOR (no colour unless --color=always),",
                            "and DINDEX_<SECTION>_<KEY> for any setting (see docs/configuration.md).")
                    .version(new VersionProvider())
                    .option(inherited("--data-dir").paramLabel("DIR")
                                    .description("Data folder (default: $XDG_DATA_HOME/dindex or"
                                            + " ~/.local/share/dindex)."),
                            Field.path(() -> dataDir, v -> dataDir = v))
                    .option(inherited("--socket").paramLabel("PATH")
                                    .description("Daemon socket (default: $XDG_RUNTIME_DIR/dindex/dindex.sock, else a"
                                            + " private folder in the temp dir)."),
                            Field.path(() -> socket, v -> socket = v))
                    .option(inherited("--config").paramLabel("FILE")
                                    .description("Configuration file (YAML; default:"
                                            + " $XDG_CONFIG_HOME/dindex/dindex.yaml if present)."),
                            Field.path(() -> config, v -> config = v))
                    .option(inherited("-v", "--verbose").description("Print details of failures."),
                            Field.flag(() -> verbose, v -> verbose = v))
                    .option(inherited("--no-auto-start")
                                    .description("Fail (exit 3) instead of starting the daemon when it is not"
                                            + " running."),
                            Field.flag(() -> noAutoStart, v -> noAutoStart = v))
                    .option(inherited("--color").paramLabel("WHEN").defaultValue("auto")
                                    .description("Colour highlighted terms: auto (on a terminal, unless NO_COLOR is"
                                            + " set), always or never."),
                            Field.choice(Terminal.When.class, () -> color, v -> color = v))
                    // picocli's standard -h and -V, after the others, as @Command(mixinStandardHelpOptions) adds them
                    .option(OptionSpec.builder("-h", "--help").usageHelp(true)
                            .description("Show this help message and exit."))
                    .option(OptionSpec.builder("-V", "--version").versionHelp(true)
                            .description("Print version information and exit."))
                    .build();
        }
        return spec;
    }

    /** An option of the root that every command takes too. */
    private static OptionSpec.Builder inherited(String... names) {
        return OptionSpec.builder(names).scopeType(ScopeType.INHERIT);
    }

    @Override
    public void run() {
        spec.commandLine().usage(out);
    }

    /** The environment the command runs with (DINDEX_* settings, paths). */
    public Map<String, String> env() {
        return env;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    public boolean verbose() {
        return verbose;
    }

    public RuntimePaths paths() {
        return RuntimePaths.resolve(dataDir, socket, config, env);
    }

    public DaemonConfig loadConfig() {
        return new ConfigLoader(env).load(paths().configFile(), Map.of());
    }

    /** Connects to a running daemon; never starts one. */
    public DindexClient connectRunning() {
        return DindexClient.connect(paths().socket());
    }

    /** Connects to the daemon, starting it first (and saying so on stderr) unless auto-start is off. */
    public DindexClient connect() {
        try {
            return connectRunning();
        } catch (DindexException e) {
            if (e.code() != ErrorCode.DAEMON_NOT_RUNNING) {
                throw e;
            }
            if (noAutoStart || "1".equals(env.get("DINDEX_NO_AUTOSTART"))) {
                throw new DindexException(ErrorCode.DAEMON_NOT_RUNNING, "the daemon is not running (socket "
                        + paths().socket() + "); start it with 'dindex daemon start'");
            }
            err.println("dindex: daemon not running; starting it (data dir " + paths().dataDir() + ")");
            new DaemonLauncher(paths(), loadConfig(), env).startDetached();
            return connectRunning();
        }
    }

    /** The typed API over a new connection ({@link #connect()}: the daemon is started when needed). */
    public Dindex dindex() {
        return Dindex.over(connect());
    }

    /**
     * The typed API addressing {@code collection} (null: the default) over a new connection, started when needed;
     * the name is checked before anything is sent.
     */
    public Dindex dindex(String collection) {
        if (collection != null) {
            CollectionNames.check(collection);
        }
        return dindex().inCollection(collection);
    }

    /** The typed API over a new connection to a running daemon; never starts one. */
    public Dindex dindexRunning() {
        return Dindex.over(connectRunning());
    }
}
