package org.dindex.cli;

import org.dindex.support.Cli;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Highlighted query terms in {@code dindex search}: bold red on a terminal, plain text (no {@code **} marks) when
 * piped, {@code NO_COLOR} and {@code --color=auto|always|never} honoured. Against a real daemon, in this JVM (with a
 * stdout said to be a terminal or not) and from the thin CLI jar in a process of its own whose stdout is a file.
 */
@Timeout(300)
class SearchColourTest {
    static final String ESC = "\u001B[";
    static Path root;
    static Cli cli;

    @BeforeAll
    static void start() throws Exception {
        root = TestDirs.privateDir("dsc");
        cli = new Cli(root);
        Path doc = Files.writeString(root.resolve("tides.md"), "# Tides\n\nOcean tides rise and fall twice a day,"
                + " pulled by the moon and the sun.\n");
        Cli.Result indexed = cli.run("index", doc.toString());
        assertEquals(0, indexed.exit(), indexed.toString());
        Cli.Result json = cli.run("search", "tides moon", "--json");
        assertTrue(json.out().contains("**"), "the daemon marks the terms: " + json.out());
    }

    @AfterAll
    static void stop() {
        cli.run("daemon", "stop");
        cli.killDaemon();
        TestDirs.deleteTree(root);
    }

    /** {@code dindex search tides moon} in this JVM, stdout a terminal or not, with extra environment. */
    static String search(boolean terminal, Map<String, String> extraEnv, String... options) {
        Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin"),
                "HOME", root.toString(), "DINDEX_EMBEDDING_MODEL", "all-minilm-l6-v2-q", "DINDEX_HTTP_PORT", "0",
                "TERM", "xterm-256color"));
        env.putAll(extraEnv);
        List<String> args = new ArrayList<>(List.of("--data-dir", cli.dataDir.toString(), "--socket",
                cli.socket.toString()));
        args.addAll(List.of(options));
        args.addAll(List.of("search", "tides moon"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, () -> terminal);
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    static void assertColoured(String out) {
        assertTrue(out.contains(Highlights.ON + "Tides" + Highlights.OFF)
                || out.contains(Highlights.ON + "tides" + Highlights.OFF), "terms in bold red:\n" + out);
        assertTrue(out.contains(Highlights.ON + "moon" + Highlights.OFF), out);
        assertFalse(out.contains("**"), out);
    }

    static void assertPlain(String out) {
        assertFalse(out.contains(ESC), "no escape sequence:\n" + out);
        assertFalse(out.contains("**"), "no Markdown marks:\n" + out);
        assertTrue(out.contains("pulled by the moon"), out);
    }

    @Test
    void aTerminalGetsColourUnlessNoColorOrNever() {
        assertColoured(search(true, Map.of()));
        assertColoured(search(true, Map.of(), "--color=auto"));
        assertPlain(search(true, Map.of("NO_COLOR", "1")));
        assertColoured(search(true, Map.of("NO_COLOR", "")));  // empty: not set, says no-color.org
        assertPlain(search(true, Map.of(), "--color=never"));
        assertPlain(search(true, Map.of(), "--color", "never"));
        assertPlain(search(true, Map.of("TERM", "dumb")));
    }

    @Test
    void aPipeGetsPlainTextUnlessAlways() {
        assertPlain(search(false, Map.of()));
        assertColoured(search(false, Map.of(), "--color=always"));
        assertColoured(search(false, Map.of("NO_COLOR", "1"), "--color=always"));  // the flag wins
    }

    @Test
    void aBadColourValueIsAUsageError() {
        Cli.Result r = cli.run("--color=sometimes", "search", "tides");
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("auto, always, never"), r.err());
    }

    /** The thin CLI jar in a process of its own, stdout to a file: plain; with --color=always: coloured. */
    @Test
    void theThinCliPipedToAFile() throws Exception {
        assertPlain(thin());
        assertColoured(thin("--color=always"));
    }

    static String thin(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-jar",
                ThinCliTest.JAR.toString(), "--data-dir", cli.dataDir.toString(), "--socket", cli.socket.toString()));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("search", "tides moon"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin"), "HOME",
                root.toString(), "TERM", "xterm-256color"));
        Path out = Files.createTempFile(root, "out", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return Files.readString(out);
    }
}
