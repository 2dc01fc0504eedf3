package org.dindex.daemon;

import org.dindex.support.Cli;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An invalid configuration refuses to start, listing every problem, and never falls back to defaults. */
@Timeout(120)
class ConfigRefusalTest {
    Path root;
    Cli cli;
    Path config;

    @BeforeEach
    void setUp() throws Exception {
        root = TestDirs.privateDir("dc");
        cli = new Cli(root);
        config = root.resolve("dindex.yaml");
        Files.writeString(config, """
                daemon:
                  shutdown_timeout_ms: -1
                bridge:
                  max_frame_byte: 1000
                log:
                  level: loud
                """);
    }

    @AfterEach
    void tearDown() {
        cli.killDaemon();
        TestDirs.deleteTree(root);
    }

    private static void assertAllProblems(String err) {
        assertTrue(err.contains("3 problems"), err);
        assertTrue(err.contains("daemon.shutdown_timeout_ms must be between 1000 and 3600000, got -1"), err);
        assertTrue(err.contains("unknown setting 'bridge.max_frame_byte' (did you mean 'bridge.max_frame_bytes'?)"),
                err);
        assertTrue(err.contains("log.level must be one of error, warn, info, debug, trace, got \"loud\""), err);
        assertFalse(err.contains("\tat "), "no stack trace");
    }

    @Test
    void detachedStartRefusesWithEveryProblem() {
        Cli.Result r = cli.run("--config", config.toString(), "daemon", "start");
        assertEquals(1, r.exit(), r.toString());
        assertAllProblems(r.err());
        assertEquals(3, cli.run("status").exit(), "nothing started");
    }

    @Test
    void foregroundStartRefusesWithEveryProblem() throws Exception {
        Process p = cli.startForegroundProcess(null, "--config", config.toString());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(1, p.exitValue(), output);
        assertAllProblems(output);
    }

    @Test
    void environmentOverrideIsValidatedToo() {
        cli.env("DINDEX_BRIDGE_MAX_FRAME_BYTES", "lots");
        Cli.Result r = cli.run("daemon", "start");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("environment DINDEX_BRIDGE_MAX_FRAME_BYTES: bridge.max_frame_bytes must be an"
                + " integer"), r.err());
    }

    @Test
    void missingConfigFileIsAnError() {
        Cli.Result r = cli.run("--config", root.resolve("nope.yaml").toString(), "daemon", "start");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("nope.yaml does not exist"), r.err());
    }
}
