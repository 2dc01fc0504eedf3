package org.dindex.daemon;

import io.vertx.core.json.JsonObject;
import org.dindex.support.Await;
import org.dindex.support.Cli;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon as a real separate process, driven through the real CLI. */
@Timeout(180)
class LifecycleTest {
    Path root;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        root = TestDirs.privateDir("dl");
        cli = new Cli(root);
    }

    @AfterEach
    void tearDown() {
        cli.killDaemon();
        TestDirs.deleteTree(root);
    }

    private static ProcessHandle process(long pid) {
        return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void startStatusSecondStartStop() {
        Cli.Result started = cli.run("daemon", "start", "--json");
        assertEquals(0, started.exit(), started.toString());
        long pid = started.json().getLong("pid");
        assertTrue(alive(pid));
        assertNotEquals(ProcessHandle.current().pid(), pid, "a separate process");
        assertTrue(Files.exists(cli.socket));
        try (var cached = Files.list(cli.dataDir.resolve("cache"))) {
            assertTrue(cached.anyMatch(d -> d.getFileName().toString().startsWith("onnxruntime-")),
                    "ONNX Runtime's libraries are unpacked under the data dir, not into a new temp dir per start");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }

        Cli.Result status = cli.run("daemon", "status", "--json");
        assertEquals(0, status.exit(), status.toString());
        JsonObject s = status.json();
        assertEquals(pid, s.getLong("pid"));
        assertEquals("running", s.getString("state"));
        assertEquals(cli.socket.toString(), s.getString("socket"));
        assertEquals(cli.dataDir.toString(), s.getString("data_dir"));
        assertEquals("epoll", s.getString("transport"));
        assertTrue(s.getJsonObject("memory").getLong("rss_bytes") > 0);
        assertTrue(s.getLong("uptime_ms") >= 0);

        Cli.Result text = cli.run("status");
        assertEquals(0, text.exit());
        assertTrue(text.out().contains("pid          " + pid), text.out());

        Cli.Result second = cli.run("daemon", "start");
        assertEquals(1, second.exit(), second.toString());
        assertTrue(second.err().contains("already running (pid " + pid + ")"), second.err());
        assertEquals(1, second.err().lines().count(), "one line: " + second.err());

        Cli.Result stopped = cli.run("daemon", "stop");
        assertEquals(0, stopped.exit(), stopped.toString());
        assertTrue(stopped.out().contains("stopped (pid " + pid + ")"));
        assertFalse(alive(pid));
        assertFalse(Files.exists(cli.socket), "socket removed on stop");

        Cli.Result after = cli.run("daemon", "status");
        assertEquals(3, after.exit(), after.toString());
        assertEquals(3, cli.run("daemon", "stop").exit(), "stop when not running is exit 3");
    }

    @Test
    void secondDaemonOnTheSameDataDirIsRefusedAndLeavesTheLiveSocketAlone() throws Exception {
        long pid = cli.run("daemon", "start", "--json").json().getLong("pid");
        // Same data dir, another socket: the data-dir lock refuses it.
        Process other = cli.startForegroundProcess(root.resolve("run").resolve("other.sock"));
        assertTrue(other.waitFor(60, TimeUnit.SECONDS));
        String output = new String(other.getInputStream().readAllBytes());
        assertEquals(1, other.exitValue(), output);
        assertTrue(output.contains("already running (pid " + pid + ") on data dir"), output);
        // Same socket, another data dir: the socket lock refuses it, and the live socket is not unlinked.
        Cli otherData = new Cli(root.resolve("second"));
        Process third = otherData.startForegroundProcess(cli.socket);
        assertTrue(third.waitFor(60, TimeUnit.SECONDS));
        String output3 = new String(third.getInputStream().readAllBytes());
        assertEquals(1, third.exitValue(), output3);
        assertTrue(output3.contains("already running (pid " + pid + ") on socket"), output3);
        assertEquals(pid, cli.pid(), "the first daemon still answers on its socket");
    }

    @Test
    void sigkillLeavesNothingThatBlocksTheNextStart() throws Exception {
        long pid = cli.run("daemon", "start", "--json").json().getLong("pid");
        ProcessHandle p = process(pid);
        p.destroyForcibly();
        p.onExit().get(30, TimeUnit.SECONDS);
        assertTrue(Files.exists(cli.socket), "a killed daemon leaves its socket file behind");
        assertEquals(3, cli.run("status").exit(), "stale socket: not running");

        Cli.Result restarted = cli.run("daemon", "start", "--json");
        assertEquals(0, restarted.exit(), restarted.toString());
        long newPid = restarted.json().getLong("pid");
        assertNotEquals(pid, newPid);
        assertEquals(newPid, cli.pid());
    }

    @Test
    void sigtermStopsGracefully() throws Exception {
        long pid = cli.run("daemon", "start", "--json").json().getLong("pid");
        ProcessHandle p = process(pid);
        assertTrue(p.destroy(), "SIGTERM sent");
        p.onExit().get(60, TimeUnit.SECONDS);
        assertFalse(Files.exists(cli.socket), "graceful stop removes the socket");
        String log = Files.readString(cli.dataDir.resolve("logs/daemon.0.log"));
        assertTrue(log.contains("stopping (signal)"), log);
        assertTrue(log.contains("INFO  daemon.Daemon: stopped"), log);
        assertEquals(0, cli.run("daemon", "start").exit(), "lock released");
    }

    @Test
    void restartReplacesTheDaemonAndStaysDetached() {
        long first = cli.run("daemon", "start", "--json").json().getLong("pid");
        Cli.Result restarted = cli.run("daemon", "restart", "--json");
        assertEquals(0, restarted.exit(), restarted.toString());
        long second = restarted.json().getLong("pid");
        assertNotEquals(first, second);
        assertFalse(alive(first));
        assertEquals(second, cli.pid());
        // restart when nothing runs just starts
        assertEquals(0, cli.run("daemon", "stop").exit());
        Cli.Result fresh = cli.run("daemon", "restart", "--json");
        assertEquals(0, fresh.exit(), fresh.toString());
    }

    @Test
    void commandsAutoStartTheDaemonUnlessToldNotTo() {
        Cli.Result refused = cli.run("--no-auto-start", "ping");
        assertEquals(3, refused.exit(), refused.toString());
        assertTrue(refused.err().contains("the daemon is not running"), refused.err());
        cli.env("DINDEX_NO_AUTOSTART", "1");
        assertEquals(3, cli.run("ping").exit());
        cli.env("DINDEX_NO_AUTOSTART", "0");

        Cli.Result ping = cli.run("ping");
        assertEquals(0, ping.exit(), ping.toString());
        assertTrue(ping.err().contains("daemon not running; starting it"), ping.err());
        assertTrue(ping.out().startsWith("pong from dindex daemon (pid "), ping.out());
        assertTrue(cli.pid() > 0);
        Cli.Result again = cli.run("ping");
        assertEquals("", again.err(), "no start message when it already runs");
    }

    /**
     * Whether this process ignores SIGINT, as everything started in the background by a non-interactive shell does;
     * its children then inherit that, and the JVM leaves an ignored SIGINT ignored.
     */
    static boolean sigintIgnored() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 1L << (2 - 1)) != 0;
            }
        }
        return false;
    }

    @Test
    void sigintStopsAForegroundDaemonGracefully() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(sigintIgnored(),
                "SIGINT is ignored in this environment (a background job), so the daemon would inherit that");
        Process p = cli.startForegroundProcess(null);
        awaitRunning(p);
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(output.contains("stopping (signal)"), output);
        assertTrue(output.contains("INFO  daemon.Daemon: stopped"), output);
        assertFalse(Files.exists(cli.socket));
    }

    private void awaitRunning(Process p) throws InterruptedException {
        // Stops early when the process died: the assertion then says which pid answered (none).
        Await.holdsWithin(Duration.ofSeconds(60), Duration.ofMillis(100), () -> cli.pid() >= 0 || !p.isAlive());
        assertEquals(p.pid(), cli.pid());
    }

    @Test
    void foregroundDaemonStopsOnShutdownRequest() throws Exception {
        Process p = cli.startForegroundProcess(null);
        awaitRunning(p);
        assertEquals(0, cli.run("daemon", "stop").exit());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(output.contains("dindex daemon running (pid " + p.pid()), output);
    }

    /**
     * An OutOfMemoryError ends a daemon at once instead of leaving it half alive: a detached daemon started with a
     * heap too small for the model exits, and the start reports the JVM's own line saying why.
     */
    @Test
    void anOutOfMemoryErrorEndsTheDaemonAtOnce() {
        Cli.Result started = cli.env("DINDEX_JAVA_OPTS", "-Xmx16m").run("daemon", "start");
        assertEquals(1, started.exit(), started.toString());
        assertTrue(started.err().contains("java.lang.OutOfMemoryError"), started.err());
        assertTrue(started.err().contains("Terminating due to"), "ended by -XX:+ExitOnOutOfMemoryError: "
                + started.err());
        assertEquals(-1, cli.pid(), "no daemon is left running");
    }
}
