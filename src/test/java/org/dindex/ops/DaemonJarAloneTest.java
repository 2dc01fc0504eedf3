package org.dindex.ops;

import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code target/dindex.jar} alone, without {@code dindex-cluster.jar} beside it: a single daemon starts from it,
 * indexes and searches, and never loads a Hazelcast class (every JVM's class loading is logged through
 * JAVA_TOOL_OPTIONS, the daemon's too); with clustering on, the daemon refuses to start in one line that names the
 * missing jar.
 */
@Timeout(300)
class DaemonJarAloneTest {
    static Path root;
    static Path jar;
    static Path classLogs;
    static int httpPort;

    @BeforeAll
    static void copy() throws Exception {
        root = TestDirs.privateDir("dja");
        jar = Files.createDirectories(root.resolve("lib")).resolve("dindex.jar");
        Files.copy(Path.of("target/dindex.jar"), jar);
        classLogs = Files.createDirectories(root.resolve("classes"));
        try (ServerSocket free = new ServerSocket(0)) {
            httpPort = free.getLocalPort();
        }
    }

    @AfterAll
    static void clean() throws Exception {
        if (root != null) {
            dindex(Map.of(), "daemon", "stop");
            TestDirs.deleteTree(root);
        }
    }

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** {@code java -jar lib/dindex.jar ARGS}, class loading logged to classes/PID.txt. */
    static Run dindex(Map<String, String> extraEnv, String... args) throws Exception {
        return dindexIn("data", extraEnv, args);
    }

    static Run dindexIn(String data, Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar.toString(), "--data-dir", root.resolve(data).toString(), "--socket",
                root.resolve("run-" + data + "/d.sock").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = new HashMap<>(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
                "HOME", Files.createDirectories(root.resolve("home")).toString(),
                "DINDEX_HTTP_PORT", Integer.toString(httpPort),
                "JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + classLogs + "/%p.txt"));
        env.putAll(extraEnv);
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), command + " finished");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void aSingleDaemonRunsWithoutTheClusterJarAndLoadsNoHazelcastClass() throws Exception {
        Path docs = Files.createDirectories(root.resolve("docs"));
        Files.writeString(docs.resolve("tides.md"), "# Tides\n\nOcean tides rise and fall twice a day, pulled by the"
                + " moon and, less strongly, by the sun.\n");
        Run indexed = dindex(Map.of(), "index", docs.toString());
        assertEquals(0, indexed.exit(), indexed.toString());
        assertTrue(indexed.err().contains("daemon not running; starting it"), "index starts the daemon: " + indexed);
        Run search = dindex(Map.of(), "search", "what pulls the tides");
        assertEquals(0, search.exit(), search.toString());
        assertTrue(search.out().startsWith("[1] Tides"), search.out());
        Run stopped = dindex(Map.of(), "daemon", "stop");
        assertEquals(0, stopped.exit(), stopped.toString());

        List<Path> logs;
        try (Stream<Path> files = Files.list(classLogs)) {
            logs = files.toList();
        }
        boolean sawDaemon = false;
        for (Path log : logs) {
            String text = Files.readString(log);
            sawDaemon |= text.contains("org.dindex.daemon.Daemon ");
            List<String> hazelcast = text.lines().filter(l -> l.contains("com.hazelcast.")
                    || l.contains("io.vertx.spi.cluster.hazelcast.")).limit(5).toList();
            assertEquals(List.of(), hazelcast, "Hazelcast classes loaded (" + log.getFileName() + ")");
        }
        assertTrue(sawDaemon, "the class loading of the daemon's JVM was logged: " + logs);
    }

    @Test
    void clusteringWithoutTheClusterJarFailsInOneLineNamingIt() throws Exception {
        Run started = dindexIn("data2", Map.of("DINDEX_CLUSTER_ENABLED", "true"), "daemon", "start",
                "--foreground");
        assertNotEquals(0, started.exit(), started.toString());
        List<String> lines = started.err().lines().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList();
        assertEquals(1, lines.size(), "one line: " + started);
        assertTrue(lines.get(0).contains("dindex-cluster.jar"), started.toString());
    }
}
