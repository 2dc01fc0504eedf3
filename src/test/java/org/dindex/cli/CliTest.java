package org.dindex.cli;

import org.dindex.support.Cli;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's contract that needs no daemon: exit codes, one-line errors, help. */
class CliTest {
    Path root;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        root = TestDirs.privateDir("dcl");
        cli = new Cli(root);
    }

    @AfterEach
    void tearDown() {
        TestDirs.deleteTree(root);
    }

    @Test
    void usageErrorsExitTwo() {
        Cli.Result unknown = cli.run("--frobnicate");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().startsWith("dindex: Unknown option: '--frobnicate'"), unknown.err());
        assertEquals(2, cli.run("daemon", "launch").exit());
        // The daemon module's tests run without dindex-bench.jar: bench says where it comes from.
        Cli.Result noBench = cli.run("bench", "ipc", "--clients", "4");
        assertEquals(1, noBench.exit(), noBench.toString());
        assertTrue(noBench.err().startsWith("dindex: 'bench' comes with dindex-bench.jar"), noBench.err());
        Cli.Result badNumber = cli.run("search", "tides", "--top-k", "many");
        assertEquals(2, badNumber.exit());
        assertTrue(badNumber.err().contains("--top-k"), badNumber.err());
    }

    @Test
    void helpListsCommandsAndExitCodes() {
        Cli.Result help = cli.run("--help");
        assertEquals(0, help.exit());
        for (String s : new String[]{"daemon", "status", "ping", "bench", "Exit codes:", "3  daemon not running"}) {
            assertTrue(help.out().contains(s), s + " in\n" + help.out());
        }
    }

    @Test
    void statusWithoutDaemonIsExitThreeWithOneLine() {
        Cli.Result r = cli.run("status");
        assertEquals(3, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("dindex: the daemon is not running (socket " + cli.socket + ")"), r.err());
        Cli.Result json = cli.run("status", "--json");
        assertEquals(3, json.exit());
        assertEquals("not running", json.json().getString("state"));
    }

    @Test
    void socketFolderOpenToOthersRefusesStartWithOneLine() throws Exception {
        java.nio.file.Files.createDirectories(cli.socket.getParent());
        java.nio.file.Files.setPosixFilePermissions(cli.socket.getParent(),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Cli.Result r = cli.run("daemon", "start");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("is open to group or others"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
    }
}
