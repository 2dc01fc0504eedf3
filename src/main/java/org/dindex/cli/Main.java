package org.dindex.cli;

import org.dindex.protocol.DindexException;
import org.dindex.config.ConfigException;
import org.dindex.daemon.StartupException;
import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;

/** The {@code dindex} command line: picocli wiring, one-line errors, and the exit-code contract. */
public final class Main {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int NOT_RUNNING = 3;

    private Main() {
    }

    public static void main(String[] args) {
        org.dindex.daemon.Logging.install();
        // CLI processes print their own messages; library chatter (jvector's core probe, Lucene's vector notes)
        // stays out of the user's terminal. A daemon process reconfigures logging when it starts.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
        int code = run(args, System.out, System.err, System.getenv());
        System.exit(code);
    }

    /** Runs one command line with the given streams and environment; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        DindexCommand root = new DindexCommand(env, out, err);
        CommandLine cli = new CommandLine(root);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
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
