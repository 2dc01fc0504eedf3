package org.dindex.bench;

import org.dindex.cli.Main;
import org.dindex.tools.DaemonTools;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmarks live in their own jar and the daemon jar's commands find them: with this module on the class path
 * (as dindex.jar's manifest puts dindex-bench.jar), {@code bench} and {@code eval} are the real commands, parsed and
 * checked by the real CLI, not the placeholder a daemon jar alone shows.
 */
class BenchJarTest {
    @Test
    void theDaemonJarsCommandsIncludeTheBenchmarks() {
        Map<String, Object> commands = new DaemonTools().commands();
        assertInstanceOf(BenchCommand.class, commands.get("bench"));
        assertInstanceOf(EvalCommand.class, commands.get("eval"));
        assertTrue(commands.containsKey("mcp"), "the daemon jar's own commands stay: " + commands.keySet());
    }

    @Test
    void benchCommandsParseTheirOptions() {
        Run help = run("bench", "--help");
        assertEquals(0, help.exit(), help.err());
        for (String bench : new String[]{"ipc", "ingest", "search", "scale", "cli", "import", "snapshot", "cluster"}) {
            assertTrue(help.out().contains("  " + bench + " "), bench + " in:\n" + help.out());
        }
        Run badNumber = run("bench", "ipc", "--clients", "many");
        assertEquals(2, badNumber.exit(), badNumber.err());
        assertTrue(badNumber.err().contains("--clients"), badNumber.err());
        Run tooSmall = run("bench", "import", "--pages", "3");
        assertEquals(2, tooSmall.exit(), tooSmall.err());
        assertTrue(tooSmall.err().contains("--pages must be >= 20"), tooSmall.err());
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("HOME", "/nonexistent"));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
