package org.dindex.cli;

import org.dindex.config.Version;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The man page, dindex(1), in roff, written from the command tree itself: every command with its description,
 * synopsis, options and examples, then exit status, environment and files. Run on the daemon jar it documents the
 * commands that run daemon code too (bench, eval, mcp, config check) in full; bin/release does that:
 *
 * <pre>java -cp lib/dindex.jar org.dindex.cli.ManPage &gt; share/man/man1/dindex.1</pre>
 *
 * Why not picocli-codegen's ManPageGenerator: it writes AsciiDoc, which needs Asciidoctor (Ruby) to become a man
 * page; this writes the roff that {@code man} reads, with the JDK only.
 */
public final class ManPage {
    private ManPage() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(roff(Map.of()));
        out.flush();
    }

    /** The whole page. */
    static String roff(Map<String, String> env) {
        DindexCommand root = new DindexCommand(List.of(), env, System.out, System.err,
                InProcessCommands.find().orElse(null), () -> false);
        CommandLine cli = Main.tree(root, new String[0]);
        CommandSpec spec = cli.getCommandSpec();
        StringBuilder r = new StringBuilder();
        r.append(".\\\" dindex(1), written by org.dindex.cli.ManPage from the command tree (bin/release).\n");
        r.append(".TH DINDEX 1 \"\" \"dindex ").append(text(Version.get())).append("\" \"dindex manual\"\n");
        r.append(".SH NAME\ndindex \\- semantic search index for LLMs, served by one long-running daemon\n");
        r.append(".SH SYNOPSIS\n.B dindex\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGUMENTS\\fR]\n");
        r.append(".SH DESCRIPTION\n");
        paragraphs(r, spec.usageMessage().description());
        r.append(".PP\nCommands that need the daemon start it when it is not running (and say so on stderr), unless"
                + " \\fB\\-\\-no\\-auto\\-start\\fR or \\fBDINDEX_NO_AUTOSTART=1\\fR. Results go to stdout, progress"
                + " and errors to stderr; \\fB\\-\\-json\\fR prints what programs read.\n");
        r.append(".SH OPTIONS\n");
        options(r, spec, false);
        r.append(".SH COMMANDS\n");
        for (CommandLine sub : cli.getSubcommands().values()) {
            command(r, sub);
        }
        r.append(".SH EXAMPLES\n.nf\n.RS\n");
        for (String line : spec.usageMessage().footer()) {
            if (line.isBlank()) {
                break;  // the root's footer: examples, then exit codes and environment, written below
            }
            r.append(line(line.strip())).append('\n');
        }
        r.append(".RE\n.fi\n");
        r.append("""
                .SH EXIT STATUS
                .TP
                .B 0
                success
                .TP
                .B 1
                failure
                .TP
                .B 2
                usage error
                .TP
                .B 3
                the daemon is not running or cannot be reached
                .SH ENVIRONMENT
                .TP
                .B DINDEX_DATA_DIR
                data folder (indexes, lock, logs); as \\fB\\-\\-data\\-dir\\fR
                .TP
                .B DINDEX_SOCKET
                the daemon's socket; as \\fB\\-\\-socket\\fR
                .TP
                .B DINDEX_CONFIG
                configuration file; as \\fB\\-\\-config\\fR
                .TP
                .B DINDEX_NO_AUTOSTART
                with 1, commands never start a daemon (exit 3 instead)
                .TP
                .B DINDEX_JAVA_OPTS
                JVM options of a detached daemon, e.g. \\-Xmx4g
                .TP
                .B DINDEX_<SECTION>_<KEY>
                any setting of the configuration file, e.g. DINDEX_HTTP_PORT=10151
                .TP
                .B NO_COLOR
                set and not empty: no colour unless \\fB\\-\\-color=always\\fR
                .SH FILES
                .TP
                .I $XDG_DATA_HOME/dindex
                data: indexes, write\\-ahead log, jobs, logs of a detached daemon (else ~/.local/share/dindex)
                .TP
                .I $XDG_RUNTIME_DIR/dindex/dindex.sock
                the daemon's socket (else a private folder in the temp dir)
                .TP
                .I $XDG_CONFIG_HOME/dindex/dindex.yaml
                configuration, when present (\\fBdindex init\\fR writes a commented one)
                .SH LICENCE
                Apache License 2.0. The release's NOTICE file lists the third-party software the jars bundle.
                """);
        return r.toString();
    }

    private static void command(StringBuilder r, CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        if (spec.usageMessage().hidden() || spec.userObject() instanceof CommandLine.HelpCommand) {
            return;
        }
        StringBuilder synopsis = new StringBuilder(spec.qualifiedName());
        boolean hasOptions = spec.options().stream().anyMatch(o -> !o.hidden() && !o.inherited());
        if (!cl.getSubcommands().isEmpty()) {
            synopsis.append(" COMMAND");
        }
        if (hasOptions) {
            synopsis.append(" [OPTIONS]");
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden()) {
                continue;
            }
            String label = p.paramLabel() + (p.arity().max() > 1 ? "..." : "");
            synopsis.append(' ').append(p.arity().min() == 0 ? "[" + label + "]" : label);
        }
        if (spec.userObject() instanceof Handover.HandedOver) {
            synopsis.append(" ...");
        }
        r.append(".SS \"").append(text(synopsis.toString()).replace("\"", "\\(dq")).append("\"\n");
        paragraphs(r, spec.usageMessage().description());
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden() && p.description().length > 0) {
                r.append(".TP\n\\fI").append(text(p.paramLabel())).append("\\fR\n")
                        .append(line(String.join(" ", p.description()))).append('\n');
            }
        }
        options(r, spec, true);
        String[] footer = spec.usageMessage().footer();
        if (footer.length > 0) {
            r.append(".PP\nExamples:\n.nf\n.RS\n");
            for (String line : footer) {
                r.append(line(line.strip())).append('\n');
            }
            r.append(".RE\n.fi\n");
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            command(r, sub);
        }
    }

    private static void options(StringBuilder r, CommandSpec spec, boolean skipInherited) {
        for (OptionSpec o : spec.options()) {
            if (o.hidden() || skipInherited && o.inherited()) {
                continue;
            }
            List<String> names = new ArrayList<>();
            for (String name : o.names()) {
                names.add("\\fB" + text(name) + "\\fR");
            }
            r.append(".TP\n").append(String.join(", ", names));
            if (o.arity().max() > 0 && !o.typeInfo().isBoolean()) {
                r.append("=\\fI").append(text(o.paramLabel())).append("\\fR");
            }
            r.append('\n').append(line(String.join(" ", o.description()))).append('\n');
        }
    }

    private static void paragraphs(StringBuilder r, String[] description) {
        for (String d : description) {
            r.append(".PP\n").append(line(d.replace("%n", " ").replace("%%", "%").strip())).append('\n');
        }
    }

    /** Text on a line of its own: escaped, and never read as a request. */
    private static String line(String s) {
        String t = text(s);
        return t.startsWith(".") || t.startsWith("'") ? "\\&" + t : t;
    }

    /** Backslashes and hyphens escaped for roff. */
    private static String text(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }
}
