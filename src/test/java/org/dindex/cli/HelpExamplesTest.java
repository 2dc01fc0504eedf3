package org.dindex.cli;

import org.dindex.support.Cli;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's help ends with examples of itself, and takes {@code --help}; the man page is made from the same
 * tree.
 */
class HelpExamplesTest {
    static Path root;
    static Cli cli;

    @BeforeAll
    static void setUp() throws Exception {
        root = TestDirs.privateDir("dhe");
        cli = new Cli(root);
    }

    @AfterAll
    static void tearDown() {
        TestDirs.deleteTree(root);
    }

    /** Every command of the whole tree (the daemon jar's, as tests have it), depth first, without help. */
    static List<CommandLine> commands() {
        DindexCommand command = new DindexCommand(List.of(), Map.of(), new PrintStream(PrintStream.nullOutputStream()),
                new PrintStream(PrintStream.nullOutputStream()), InProcessCommands.find().orElseThrow(), () -> false);
        List<CommandLine> all = new ArrayList<>();
        collect(Main.tree(command, new String[0]), all);
        return all;
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        if (cl.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
            return;
        }
        into.add(cl);
        cl.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    @Test
    void everyCommandHasExamplesOfItself() {
        List<String> missing = new ArrayList<>();
        List<CommandLine> commands = commands();
        assertTrue(commands.size() > 30, "the whole tree: " + commands.size());
        for (CommandLine cl : commands) {
            String name = cl.getCommandSpec().qualifiedName();
            String[] footer = cl.getCommandSpec().usageMessage().footer();
            boolean hasHeading = Examples.HEADING.equals(cl.getCommandSpec().usageMessage().footerHeading());
            boolean ofItself = List.of(footer).stream().anyMatch(l -> l.startsWith("  " + name + " ")
                    || l.equals("  " + name) || name.equals("dindex") && l.startsWith("  dindex "));
            if (!hasHeading || !ofItself) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "commands without an Examples section showing them");
    }

    @Test
    void helpShowsTheExamplesWithHelpOrHelpCommand() {
        for (List<String> args : List.of(List.of("search", "--help"), List.of("help", "search"),
                List.of("daemon", "start", "-h"), List.of("jobs", "--help"), List.of("--help"))) {
            Cli.Result help = cli.run(args.toArray(String[]::new));
            assertEquals(0, help.exit(), args + ": " + help);
            assertTrue(help.out().contains("\nExamples:\n  dindex "), args + ":\n" + help.out());
        }
        assertTrue(cli.run("--help").out().contains("Exit codes:"), "the root keeps its exit codes");
    }

    @Test
    void theManPageDocumentsEveryCommand() throws Exception {
        String page = ManPage.roff(Map.of());
        assertTrue(page.startsWith(".\\\" dindex(1)"), page.substring(0, 100));
        assertTrue(page.contains("\n.TH DINDEX 1 "), "title");
        for (String section : List.of("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "EXAMPLES",
                "EXIT STATUS", "ENVIRONMENT", "FILES")) {
            assertTrue(page.contains("\n.SH " + section + "\n"), section);
        }
        for (CommandLine cl : commands()) {
            String name = cl.getCommandSpec().qualifiedName();
            if (!name.equals("dindex")) {
                assertTrue(page.contains("\n.SS \"" + name.replace("-", "\\-")), name + " has a section");
            }
        }
        assertTrue(page.contains("\\fB\\-\\-top\\-k\\fR=\\fI"), "options with their values");
        // groff reads it without a warning (all warnings on).
        Path file = java.nio.file.Files.writeString(root.resolve("dindex.1"), page);
        Process groff = new ProcessBuilder("groff", "-man", "-Tutf8", "-ww", "-z", file.toString())
                .redirectErrorStream(true).start();
        String warnings = new String(groff.getInputStream().readAllBytes());
        assertEquals(0, groff.waitFor(), warnings);
        assertEquals("", warnings, "groff's warnings");
    }
}
