package org.dindex.cli;

import org.dindex.protocol.DindexException;
import org.dindex.config.ConfigException;
import org.dindex.config.StartupException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The {@code dindex} command line: picocli wiring, one-line errors, and the exit-code contract. */
public final class Main {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int NOT_RUNNING = 3;

    /**
     * The commands, by name, in the order help lists them: an annotated command's class, or for the commands that
     * must start fastest, the function that builds the command's model in code for a root ({@link CommandSpecs}).
     * Only the one a command line names is built: picocli reads every option of every annotated command it is given
     * through reflection, which in a fresh JVM costs more than the whole round trip to the daemon, so
     * {@code dindex status} builds the root and {@code status}, not the whole tree.
     */
    private static final Map<String, Object> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("daemon", DaemonCommand.class);
        COMMANDS.put("status", (Modelled) StatusCommand::model);
        COMMANDS.put("ping", (Modelled) PingCommand::model);
        COMMANDS.put("index", IndexCommand.class);
        COMMANDS.put("search", (Modelled) SearchCommand::model);
        COMMANDS.put("context", (Modelled) ContextCommand::model);
        COMMANDS.put("stats", IndexAdminCommands.Stats.class);
        COMMANDS.put("commit", IndexAdminCommands.Commit.class);
        COMMANDS.put("delete", IndexAdminCommands.Delete.class);
        COMMANDS.put("clear", IndexAdminCommands.Clear.class);
        COMMANDS.put("export", IndexAdminCommands.Export.class);
        COMMANDS.put("check", IndexAdminCommands.Check.class);
        COMMANDS.put("collections", CollectionCommands.ListCollections.class);
        COMMANDS.put("collection", CollectionCommands.Collection.class);
        COMMANDS.put("snapshot", CollectionCommands.Snapshot.class);
        COMMANDS.put("import", ImportCommand.class);
        COMMANDS.put("scrape", ScrapeCommand.class);
        COMMANDS.put("watch", WatchCommand.class);
        COMMANDS.put("jobs", JobCommands.ListJobs.class);
        COMMANDS.put("job", JobCommands.ShowJob.class);
        COMMANDS.put("cancel", JobCommands.Cancel.class);
        COMMANDS.put("init", ConfigCommands.Init.class);
        COMMANDS.put("config", ConfigCommands.Config.class);
        COMMANDS.put("cluster", ClusterCommand.class);
        COMMANDS.put("completion", CompletionCommand.class);
        COMMANDS.put("help", CommandLine.HelpCommand.class);
    }

    /** A command whose model is built in code, for the root it runs under. */
    @FunctionalInterface
    private interface Modelled {
        CommandSpec model(DindexCommand root);
    }

    /**
     * Whether stdout is a terminal, made when the class is initialised: a method reference made in {@code main} alone
     * is one the ahead-of-time cache's training ({@link StartupTraining}, which calls {@link #run}) never makes, so
     * every command generated its class; made here, the training makes it and the cache keeps it.
     */
    private static final BooleanSupplier STDOUT_IS_TERMINAL = Terminal::stdoutIsTerminal;

    /** The root's options that take a value, which the search for the command's name must step over. */
    private static final Set<String> VALUED_OPTIONS = Set.of("--data-dir", "--socket", "--config", "--color");

    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // Scripts ask for the version often; picocli's set-up would be most of its cost, and the answer is
            // the one its version provider gives.
            for (String line : new VersionProvider().getVersion()) {
                System.out.println(line);
            }
            exit(OK, false);
        }
        InProcessCommands inProcess = InProcessCommands.find().orElse(null);
        if (inProcess != null) {
            inProcess.configureJvm();
            quietLibraries();
        }
        int code = run(args, System.out, System.err, System.getenv(), STDOUT_IS_TERMINAL);
        exit(code, inProcess != null);
    }

    /**
     * CLI processes print their own messages; library chatter (jvector's core probe, Lucene's vector notes, PDFBox on
     * a malformed file) stays out of the user's terminal. A daemon process reconfigures logging when it starts. The
     * thin client does this only when it extracts files: setting up java.util.logging is a cost every command would
     * pay.
     */
    static void quietLibraries() {
        Logger.getLogger("").setLevel(Level.SEVERE);
    }

    /**
     * Ends the process. The thin client halts once its output is flushed: {@code System.exit} asks the platform's
     * logger whether to log the exit, which sets up the whole logging framework in a process that never logged (a
     * cost every command would pay), and the thin client has no shutdown hook that must still run by then. A
     * process running daemon code exits normally, hooks and all.
     */
    private static void exit(int code, boolean daemonCode) {
        System.out.flush();
        System.err.flush();
        if (!daemonCode) {
            Runtime.getRuntime().halt(code);
        }
        System.exit(code);
    }

    /**
     * Runs one command line with the given streams and environment; returns the exit code. {@code out} counts as no
     * terminal: results get colour only with {@code --color=always}.
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, out, err, env, () -> false);
    }

    /** As {@link #run(String[], PrintStream, PrintStream, Map)}, with {@code out} a terminal when the test says so. */
    static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env,
                   BooleanSupplier stdoutIsTerminal) {
        DindexCommand root = new DindexCommand(List.of(args), env, out, err, InProcessCommands.find().orElse(null),
                stdoutIsTerminal);
        CommandLine cli = tree(root, args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        // Help follows --color and NO_COLOR too (picocli's own detection when neither says).
        Terminal.When when = colorOption(args);
        String noColor = env.get("NO_COLOR");
        CommandLine.Help.Ansi ansi = when == Terminal.When.always ? CommandLine.Help.Ansi.ON
                : when == Terminal.When.never || noColor != null && !noColor.isEmpty() ? CommandLine.Help.Ansi.OFF
                : CommandLine.Help.Ansi.AUTO;
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(ansi));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (root.verbose) {
                e.printStackTrace(err);
            }
            return report(e, err);
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            err.println("dindex: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            return USAGE;
        });
        return cli.execute(args);
    }

    /**
     * The command tree for one command line: the root, and the command it names (or every command, for help, an
     * unknown name and {@code completion}, which describes them all).
     */
    static CommandLine tree(DindexCommand root, String[] args) {
        CommandLine cli = new CommandLine(root.model());
        String named = commandName(args);
        boolean versionOnly = named == null && List.of(args).stream().anyMatch(a -> a.equals("-V")
                || a.equals("--version"));
        boolean all = !versionOnly && (named == null || named.equals("help") || named.equals("completion")
                || !COMMANDS.containsKey(named) && !isDaemonSide(named));
        InProcessCommands inProcess = root.inProcess().orElse(null);
        COMMANDS.forEach((name, command) -> {
            if (all || name.equals(named)) {
                cli.addSubcommand(name, command instanceof Modelled m ? m.model(root) : command);
            }
        });
        if (all || named != null && isDaemonSide(named)) {
            Map<String, Object> daemonSide = inProcess != null ? inProcess.commands() : Handover.stubs(root);
            daemonSide.forEach((place, command) -> {
                if (all || place.split(" ")[0].equals(named)) {
                    addSubcommand(cli, place, command);
                }
            });
        }
        for (CommandLine sub : cli.getSubcommands().values()) {
            addHelpOption(sub);
        }
        return cli;
    }

    /**
     * {@code -h}/{@code --help} on a command and its subcommands ({@code dindex search --help}, as well as
     * {@code dindex help search}); not on the commands the thin CLI hands over, whose help the daemon jar prints.
     */
    private static void addHelpOption(CommandLine cl) {
        var spec = cl.getCommandSpec();
        if (spec.userObject() instanceof Handover.HandedOver || spec.userObject() instanceof CommandLine.HelpCommand
                || spec.options().stream().anyMatch(o -> o.usageHelp())) {
            return;
        }
        spec.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help and exit.").build());
        for (CommandLine sub : cl.getSubcommands().values()) {
            addHelpOption(sub);
        }
    }

    /** The value of {@code --color} on the command line, or null. */
    static Terminal.When colorOption(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String value = args[i].startsWith("--color=") ? args[i].substring("--color=".length())
                    : args[i].equals("--color") && i + 1 < args.length ? args[i + 1] : null;
            if (value != null) {
                try {
                    return Terminal.When.valueOf(value);
                } catch (IllegalArgumentException e) {
                    return null;  // picocli reports it
                }
            }
        }
        return null;
    }

    /** The first word of the command line that is not a root option or its value: the command's name, or null. */
    static String commandName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (VALUED_OPTIONS.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return null;
    }

    private static boolean isDaemonSide(String name) {
        return name.equals("bench") || name.equals("eval") || name.equals("mcp") || name.equals("config");
    }

    /** Adds {@code command} at {@code place}: a name, or "parent name" for a subcommand of a subcommand. */
    private static void addSubcommand(CommandLine root, String place, Object command) {
        String[] path = place.split(" ");
        CommandLine parent = root;
        for (int i = 0; i < path.length - 1; i++) {
            parent = parent.getSubcommands().get(path[i]);
        }
        CommandLine added = new CommandLine(command);
        String description = Handover.description(place);
        if (command instanceof Handover.HandedOver && description != null) {
            added.getCommandSpec().usageMessage().description(description);
        }
        parent.addSubcommand(path[path.length - 1], added);
    }

    static int report(Throwable e, PrintStream err) {
        if (e instanceof DindexException de) {
            err.println("dindex: " + de.getMessage());
            return de.code().exitCode();
        }
        if (e instanceof ConfigException || e instanceof StartupException) {
            err.println("dindex: " + e.getMessage());
            return FAILURE;
        }
        err.println("dindex: unexpected error: " + e + " (run with -v for details)");
        return FAILURE;
    }
}
