package org.dindex.ops;

import io.vertx.core.json.JsonObject;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The release as a user gets it: {@code bin/release} packs the jars this build just made into
 * {@code dindex-VERSION-linux-ARCH.tar.gz} (ARCH this machine's, which the build's jar is for); the tarball is
 * unpacked in a temporary folder and run from there with a Java runtime and nothing else: PATH holds only a few shell tools (no Maven, no git), HOME is empty, the working folder
 * is not the source tree. {@code bin/dindex index} starts a daemon from the release's jar and indexes with the model
 * it bundles, {@code search} finds the text, the Dockerfile's health check says healthy, {@code daemon stop} ends it.
 */
@Timeout(420)
class ReleaseTest {
    static Path root;
    static Path tree;
    static String version;
    static Path javaHome = Path.of(System.getProperty("java.home"));

    @BeforeAll
    static void release() throws Exception {
        root = TestDirs.privateDir("drl");
        Path dist = root.resolve("dist");
        Run made = run(List.of("bash", "bin/release", "--no-build", "--out", dist.toString()), Path.of(""),
                Map.of("JAVA_HOME", javaHome.toString(), "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")),
                300);
        assertEquals(0, made.exit(), made.toString());
        version = Files.readString(Path.of("pom.xml")).replaceFirst("(?s).*?<artifactId>dindex-parent</artifactId>\\s*"
                + "<version>([^<]+)</version>.*", "$1");
        String arch = System.getProperty("os.arch").equals("aarch64") ? "aarch64" : "x86_64";
        Path tarball = dist.resolve("dindex-" + version + "-linux-" + arch + ".tar.gz");
        assertEquals(tarball.toString(), made.out().strip(), "bin/release prints the tarball's path");
        assertTrue(Files.isRegularFile(tarball), tarball + " exists");
        String sum = Files.readString(dist.resolve(tarball.getFileName() + ".sha256"));
        assertTrue(sum.matches("[0-9a-f]{64}  " + tarball.getFileName() + "\\n"), sum);

        Path unpacked = Files.createDirectories(root.resolve("unpacked"));
        Run untar = run(List.of("tar", "-xzf", tarball.toString(), "-C", unpacked.toString()), root, Map.of(
                "PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")), 120);
        assertEquals(0, untar.exit(), untar.toString());
        tree = unpacked.resolve("dindex-" + version);
        unpackedFiles = files();
    }

    static List<Path> unpackedFiles;

    @AfterAll
    static void clean() throws Exception {
        if (tree != null && Files.isDirectory(tree)) {
            user("daemon", "stop");
        }
        TestDirs.deleteTree(root);
    }

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Run run(List<String> command, Path dir, Map<String, String> env, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toAbsolutePath().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), command + " finished within " + seconds + " s");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A folder of links to the few tools bin/dindex and bin/find-java use, and nothing else: the user's PATH. */
    static Path minimalPath() throws IOException {
        Path bin = root.resolve("minbin");
        if (Files.isDirectory(bin)) {
            return bin;
        }
        Files.createDirectories(bin);
        for (String tool : List.of("bash", "env", "readlink", "dirname", "mkdir", "touch", "rm", "sed", "head")) {
            Path found = Stream.of("/usr/bin/", "/bin/").map(d -> Path.of(d + tool)).filter(Files::isExecutable)
                    .findFirst().orElseThrow(() -> new AssertionError(tool + " is installed"));
            Files.createSymbolicLink(bin.resolve(tool), found);
        }
        return bin;
    }

    static int httpPort;

    /** {@code bin/dindex ARGS} from the unpacked release, as a user with only a Java runtime. */
    static Run user(String... args) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", minimalPath().toString());
        env.put("HOME", Files.createDirectories(root.resolve("home")).toString());
        env.put("JAVA_HOME", javaHome.toString());
        env.put("DINDEX_HTTP_PORT", Integer.toString(httpPort));
        List<String> command = new ArrayList<>(List.of(tree.resolve("bin/dindex").toString(), "--data-dir",
                root.resolve("data").toString(), "--socket", root.resolve("run/d.sock").toString()));
        command.addAll(List.of(args));
        return run(command, root, env, 240);
    }

    static List<Path> files() throws IOException {
        try (Stream<Path> walk = Files.walk(tree)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void theTarballHoldsTheLaunchersJarsConfigUnitCompletionManPageAndLicences() throws Exception {
        for (String f : List.of("bin/dindex", "bin/find-java", "lib/dindex.jar", "lib/dindex-cli.jar",
                "lib/dindex-cluster.jar", "conf/dindex.yaml", "deploy/systemd/dindex.service", "deploy/systemd/install.sh",
                "share/bash-completion/completions/dindex", "share/zsh/dindex.zsh", "share/man/man1/dindex.1",
                "LICENSE", "NOTICE", "README")) {
            assertTrue(Files.isRegularFile(tree.resolve(f)), f + " in the release");
        }
        for (String f : List.of("bin/dindex", "bin/find-java", "deploy/systemd/install.sh")) {
            assertTrue(Files.isExecutable(tree.resolve(f)), f + " is executable");
        }
        assertEquals(-1, Files.mismatch(tree.resolve("lib/dindex.jar"), Path.of("target/dindex.jar")),
                "the daemon jar is the build's");
        assertEquals(-1, Files.mismatch(tree.resolve("lib/dindex-cli.jar"), Path.of("cli/target/dindex-cli.jar")));
        assertEquals(-1, Files.mismatch(tree.resolve("lib/dindex-cluster.jar"), Path.of("target/dindex-cluster.jar")),
                "the cluster jar beside the daemon jar, which its manifest names");
        for (String f : List.of("LICENSE", "NOTICE", "conf/dindex.yaml", "deploy/systemd/dindex.service",
                "deploy/systemd/install.sh", "bin/dindex", "bin/find-java")) {
            assertEquals(-1, Files.mismatch(tree.resolve(f), Path.of(f)), f + " as in the repository");
        }
        assertFalse(files().stream().anyMatch(p -> p.toString().endsWith(".java") || p.getFileName().toString()
                .equals("pom.xml")), "no sources in the release");
        String readme = Files.readString(tree.resolve("README"));
        assertTrue(readme.startsWith("dindex " + version + " (commit "), readme);
        String man = Files.readString(tree.resolve("share/man/man1/dindex.1"));
        assertTrue(man.contains(".TH DINDEX 1 \"\" \"dindex " + version.replace("-", "\\-") + "\""), "man page");
        assertTrue(man.contains(".SS \"dindex config check"), "the man page documents the daemon jar's commands too");
    }

    @Test
    void aJavaRuntimeAloneIndexesAndSearches() throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            httpPort = free.getLocalPort();
        }
        // Nothing but the JVM and a few shell tools: no Maven, no git.
        Run noMaven = run(List.of("bash", "-c", "command -v mvn git || echo none"), root,
                Map.of("PATH", minimalPath().toString()), 30);
        assertEquals("none", noMaven.out().strip(), noMaven.toString());

        Run version = user("--version");
        assertEquals(0, version.exit(), version.toString());
        Run head = run(List.of("git", "rev-parse", "--short=12", "HEAD"), Path.of(""),
                Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")), 30);
        assertTrue(version.out().startsWith("dindex " + ReleaseTest.version + " (commit " + head.out().strip()),
                "the version and the commit the jars were built from: " + version.out() + " vs " + head.out());

        Run completion = user("completion", "bash");
        assertEquals(Files.readString(tree.resolve("share/bash-completion/completions/dindex")), completion.out(),
                "the installed completion is what `dindex completion bash` prints");

        Path docs = Files.createDirectories(root.resolve("docs"));
        Files.writeString(docs.resolve("tides.md"), "# Tides\n\nOcean tides rise and fall twice a day, pulled by the"
                + " moon and, less strongly, by the sun.\n");
        Files.writeString(docs.resolve("bees.txt"), "Honey bees dance to tell the hive where the flowers are.");
        Run indexed = user("index", docs.toString());
        assertEquals(0, indexed.exit(), indexed.toString());
        assertTrue(indexed.err().contains("daemon not running; starting it"), "index starts the daemon: " + indexed);

        Run status = user("status", "--json");
        assertEquals(0, status.exit(), status.toString());
        long pid = new JsonObject(status.out()).getLong("pid");
        List<String> daemonArgs = ProcessHandle.of(pid).orElseThrow().info().arguments().map(List::of).orElseThrow();
        assertTrue(daemonArgs.contains(tree.resolve("lib/dindex.jar").toString()),
                "the daemon runs the release's jar: " + daemonArgs);

        Run search = user("search", "what pulls the tides");
        assertEquals(0, search.exit(), search.toString());
        assertTrue(search.out().startsWith("[1] Tides"), search.out());
        assertFalse(search.out().contains("**") || search.out().contains("\u001B["), "plain text into a file");
        Run json = user("search", "where are the flowers", "--json", "--top-k", "1");
        assertEquals(0, json.exit(), json.toString());
        assertTrue(new JsonObject(json.out()).getJsonArray("results").getJsonObject(0).getString("source")
                .endsWith("bees.txt"), json.out());

        // The Dockerfile's HEALTHCHECK, run as written against this daemon: healthy while it serves.
        List<String> check = DeploymentManifestsTest.dockerHealthCheck();
        Map<String, String> checkEnv = Map.of("PATH", minimalPath().toString(), "DINDEX_HTTP_PORT",
                Integer.toString(httpPort));
        Run healthy = run(check, root, checkEnv, 30);
        assertEquals(0, healthy.exit(), "healthy: " + healthy);

        Run stopped = user("daemon", "stop");
        assertEquals(0, stopped.exit(), stopped.toString());
        assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the daemon has exited");
        Run down = run(check, root, checkEnv, 30);
        assertNotEquals(0, down.exit(), "unhealthy once stopped: " + down);
        assertEquals(unpackedFiles, files(), "running writes nothing into the release tree (caches go to HOME)");
    }
}
