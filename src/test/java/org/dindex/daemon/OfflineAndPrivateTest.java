package org.dindex.daemon;

import org.dindex.support.Cli;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real daemon process started, fed and searched like a user does, watched from outside: every connection it opens
 * (traced by {@code strace}) stays on this machine, and everything it writes in its data dir is private to its user.
 */
@Timeout(300)
class OfflineAndPrivateTest {
    Path root;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        root = TestDirs.privateDir("dn");
        cli = new Cli(root);
    }

    @AfterEach
    void tearDown() {
        cli.killDaemon();
        TestDirs.deleteTree(root);
    }

    /**
     * No connection leaves loopback during start, index, search and stop: DJL's tokenizer used to ask the cloud
     * metadata service (169.254.169.254) at every start and report usage to a telemetry host. Unix sockets, netlink
     * and loopback addresses are the only destinations allowed.
     */
    @Test
    void startIndexSearchAndStopNeverLeaveThisMachine() throws Exception {
        Path strace = Stream.of("/usr/bin/strace", "/bin/strace").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElseThrow(() -> new AssertionError("strace is needed (apt-get install strace;"
                        + " .ci/run installs it)"));
        Path trace = root.resolve("connect.trace");
        List<String> cmd = new ArrayList<>(List.of(strace.toString(), "-f", "-qq", "-e",
                "trace=connect,sendto,sendmsg", "-o", trace.toString()));
        cmd.addAll(cli.foregroundCommand(null));
        Process daemon = cli.start(cmd);
        cli.awaitDaemon(Duration.ofSeconds(180));
        Path docs = Files.createDirectories(root.resolve("docs"));
        Files.writeString(docs.resolve("tides.md"), "# Tides\n\nTides follow the moon and the sun.\n");
        Cli.Result indexed = cli.run("index", docs.toString());
        assertEquals(0, indexed.exit(), indexed.toString());
        Cli.Result found = cli.run("search", "what moves the tides", "--json");
        assertEquals(0, found.exit(), found.toString());
        assertEquals(1, found.json().getJsonArray("results").size(), found.out());
        assertEquals(0, cli.run("daemon", "stop").exit());
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon stopped");

        List<String> lines = Files.readAllLines(trace);
        assertTrue(lines.stream().anyMatch(l -> l.contains("AF_UNIX")), "the trace saw the daemon's connections");
        List<String> outside = lines.stream().filter(OfflineAndPrivateTest::leavesThisMachine).toList();
        assertTrue(outside.isEmpty(), "connections that leave this machine:\n" + String.join("\n", outside));

        assertPrivate(cli.dataDir);
    }

    /** A connect or send whose address is neither a Unix socket, netlink nor loopback. */
    static boolean leavesThisMachine(String line) {
        if (!line.matches(".*\\b(connect|sendto|sendmsg)\\(.*") || !line.contains("sa_family=")) {
            return false;
        }
        Matcher family = Pattern.compile("sa_family=(AF_[A-Z0-9]+)").matcher(line);
        while (family.find()) {
            String f = family.group(1);
            if (f.equals("AF_UNIX") || f.equals("AF_NETLINK") || f.equals("AF_UNSPEC")) {
                continue;
            }
            if (f.equals("AF_INET") && line.matches(".*inet_addr\\(\"127\\.[0-9.]+\"\\).*")) {
                continue;
            }
            if (f.equals("AF_INET6") && line.matches(".*inet_pton\\(AF_INET6, \"(::1|::ffff:127\\.[0-9.]+)\".*")) {
                continue;
            }
            return true;
        }
        return false;
    }

    /**
     * A data dir made open by an earlier version (0755 folders, 0644 files, as seen on fresh installs) is made
     * private when a daemon opens it, and what the daemon writes afterwards (index, logs, jobs, caches) is private
     * too.
     */
    @Test
    void anOpenDataDirIsMadePrivateOnOpen() throws Exception {
        Path jobs = Files.createDirectories(cli.dataDir.resolve("jobs"));
        Path oldLog = Files.writeString(Files.createDirectories(cli.dataDir.resolve("logs")).resolve("old.log"), "x");
        for (Path p : List.of(cli.dataDir, jobs, oldLog.getParent())) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.setPosixFilePermissions(oldLog, PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result started = cli.run("daemon", "start");
        assertEquals(0, started.exit(), started.toString());
        Files.writeString(root.resolve("a.txt"), "Private notes about the harbour.");
        assertEquals(0, cli.run("index", root.resolve("a.txt").toString()).exit());
        assertEquals(0, cli.run("daemon", "stop").exit());
        assertPrivate(cli.dataDir);
        String log = Files.readString(cli.dataDir.resolve("logs").resolve("daemon.0.log"));
        assertTrue(log.contains("entries under " + cli.dataDir + " private to this user"), log);
    }

    static void assertPrivate(Path dir) throws IOException {
        Set<PosixFilePermission> open = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE);
        List<String> exposed = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(p -> !Files.isSymbolicLink(p)).toList()) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (perms.stream().anyMatch(open::contains)) {
                    exposed.add(PosixFilePermissions.toString(perms) + " " + p);
                }
            }
        }
        assertTrue(exposed.isEmpty(), "open to group or others:\n" + String.join("\n", exposed));
        assertTrue(exposed.isEmpty() && Files.exists(dir.resolve("index")), "the daemon wrote its index");
    }
}
