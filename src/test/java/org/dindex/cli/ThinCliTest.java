package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The thin CLI as users run it: {@code cli/target/dindex-cli.jar} in a JVM of its own for every command, against a
 * real daemon it starts itself (from the daemon's class path, as DINDEX_DAEMON_JAR says), and the jar's content.
 */
@Timeout(300)
class ThinCliTest {
    static final Path JAR = Path.of("cli/target/dindex-cli.jar");
    static Path root;

    record Run(int exit, String out, String err) {
        JsonObject json() {
            return new JsonObject(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built before the daemon's tests run (module order)");
        root = TestDirs.privateDir("dt");
    }

    @AfterAll
    static void stop() throws Exception {
        thin("daemon", "stop");
        TestDirs.deleteTree(root);
    }

    /** Runs {@code java -jar dindex-cli.jar --data-dir ... --socket ... ARGS} and waits for it. */
    static Run thin(String... args) throws IOException, InterruptedException {
        return thin(List.of(), args);
    }

    /** As {@link #thin(String...)}, with options for the JVM. */
    static Run thin(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", JAR.toString(), "--data-dir", root.resolve("data").toString(), "--socket",
                root.resolve("run/d.sock").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                "/dev/null")));
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("HOME", root.toString());
        pb.environment().put("DINDEX_EMBEDDING_MODEL", "all-minilm-l6-v2-q");
        pb.environment().put("DINDEX_HTTP_PORT", "0");
        pb.environment().put("DINDEX_DAEMON_JAR", System.getProperty("java.class.path"));
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "dindex " + String.join(" ", args) + " finished");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theJarHoldsNoDaemonCode() throws IOException {
        List<String> forbidden = List.of("org/dindex/daemon/", "org/dindex/index/", "org/dindex/search/",
                "org/dindex/embed/", "org/dindex/tools/", "org/dindex/bus/", "org/dindex/http/",
                "org/apache/lucene/", "ai/onnxruntime/", "ai/djl/", "io/github/jbellis/", "com/hazelcast/",
                "io/vertx/core/http/", "io/vertx/core/net/impl/", "io/vertx/ext/", "io/netty/channel/",
                "io/netty/handler/", "io/modelcontextprotocol/");
        List<String> found = new ArrayList<>();
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            jar.stream().map(e -> e.getName()).filter(n -> forbidden.stream().anyMatch(n::startsWith)
                    || n.endsWith(".onnx") || n.endsWith(".so")).limit(20).forEach(found::add);
            assertTrue(jar.getEntry("org/dindex/cli/Main.class") != null, "the CLI is in it");
        }
        assertTrue(found.isEmpty(), "daemon code in the thin jar: " + found);
        assertTrue(Files.size(JAR) < 16L * 1024 * 1024, "a thin jar: " + Files.size(JAR) + " bytes");
    }

    /**
     * The commands that must start fastest build their picocli model in code ({@link CommandSpecs}): picocli reads no
     * annotation, each of which is an instance of a proxy class the JVM would generate in the process (and the
     * ahead-of-time cache cannot keep). The JVM's class-loading log names every generated proxy class. Nor do they
     * set up Jackson's databind ({@link CoreJsonFactory}): its initialisation log names no databind class, while
     * {@code status --json} encodes JSON either way (the daemon's answer, or "not running").
     */
    @Test
    void theHotCommandsMakeNoProxyClassesNorSetUpDatabind() throws Exception {
        for (List<String> command : List.of(List.of("status"), List.of("status", "--json"),
                List.of("search", "tides", "--top-k", "3"), List.of("context", "tides"), List.of("ping"),
                List.of("search", "--help"))) {
            Path log = Files.createTempFile(root, "classes", ".txt");
            Path init = Files.createTempFile(root, "init", ".txt");
            List<String> args = new ArrayList<>(command);
            args.add("--no-auto-start");
            Run run = thin(List.of("-Xlog:class+load=info:file=" + log, "-Xlog:class+init=info:file=" + init),
                    args.toArray(String[]::new));
            assertTrue(run.exit() == 0 || run.exit() == 3, command + ": " + run);
            List<String> loaded = Files.readAllLines(log);
            assertTrue(loaded.stream().anyMatch(l -> l.contains(" org.dindex.cli.Main ")), "the log: " + loaded.size());
            assertEquals(List.of(), loaded.stream().filter(l -> l.contains("__dynamic_proxy__")).toList(),
                    "proxy classes made for " + command);
            List<String> initialised = Files.readAllLines(init);
            assertTrue(initialised.stream().anyMatch(l -> l.contains("org/dindex/cli/Main")), "the init log");
            assertEquals(List.of(), initialised.stream().filter(l -> l.contains("jackson/databind")).limit(3).toList(),
                    "databind set up for " + command);
        }
    }

    @Test
    void everyCommandRunsFromTheThinJarAgainstARealDaemon() throws Exception {
        Run version = thin("--version");
        assertEquals(0, version.exit(), version.toString());
        assertTrue(version.out().matches("dindex \\S+ \\(commit ([0-9a-f]{12}(-dirty)?|unknown), Java \\S+\\)\\R"),
                "version, commit and Java: " + version.out());
        Run help = thin("--help");
        for (String command : List.of("daemon", "search", "index", "bench", "eval", "mcp")) {
            assertTrue(help.out().contains("  " + command + " "), command + " in:\n" + help.out());
        }
        Run notRunning = thin("status");
        assertEquals(3, notRunning.exit(), notRunning.toString());

        Run started = thin("daemon", "start", "--json");
        assertEquals(0, started.exit(), started.toString());
        long pid = started.json().getLong("pid");
        assertTrue(ProcessHandle.of(pid).isPresent(), "a daemon process of its own");

        Path docs = Files.createDirectories(root.resolve("docs"));
        Files.writeString(docs.resolve("tides.md"), "# Tides\n\nOcean tides rise and fall twice a day, pulled by the"
                + " moon.\n");
        Files.writeString(docs.resolve("bees.txt"), "Honey bees dance to tell the hive where flowers are.");
        Run indexed = thin("index", docs.toString(), "--json");
        assertEquals(0, indexed.exit(), indexed.toString());
        assertEquals(2, indexed.json().getInteger("indexed"), indexed.out());

        Run search = thin("search", "what pulls the tides", "--json", "--top-k", "1");
        assertEquals(0, search.exit(), search.toString());
        assertTrue(search.json().getJsonArray("results").getJsonObject(0).getString("source").endsWith("tides.md"));
        Run text = thin("search", "bees dance");
        assertTrue(text.out().startsWith("[1] "), text.out());
        Run context = thin("context", "how do bees show the way", "--budget", "200");
        assertTrue(context.exit() == 0 && context.out().contains("[1]"), context.toString());
        Run status = thin("status", "--json");
        assertEquals(pid, status.json().getLong("pid"), status.out());
        assertEquals(2, thin("stats", "--json").json().getInteger("documents"));
        assertEquals(0, thin("commit").exit());
        assertEquals(2, thin("export").out().lines().count());
        assertEquals(0, thin("check").exit());
        assertEquals(0, thin("jobs").exit());
        Run lone = thin("cluster", "status");
        assertEquals(0, lone.exit(), lone.toString());
        assertEquals("not in a cluster (cluster.enabled is false)", lone.out().strip(), lone.toString());
        assertFalse(thin("cluster", "status", "--json").json().getBoolean("enabled"));
        Path jsonl = Files.writeString(root.resolve("notes.jsonl"), "{\"id\":\"n1\",\"title\":\"Owls\",\"text\":\"Owls"
                + " hunt at night and hear a mouse under the snow.\"}\n", StandardCharsets.UTF_8);
        Run imported = thin("import", jsonl.toString(), "--json");
        assertEquals("completed", imported.json().getString("state"), imported.toString());
        assertEquals(0, thin("job", imported.json().getString("id")).exit());
        Run deleted = thin("delete", "--source", docs.resolve("bees.txt").toString());
        assertEquals(0, deleted.exit(), deleted.toString());

        // Handed over to a JVM on the daemon's class path, with the same arguments.
        Run check = thin("config", "check");
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().startsWith("ok: "), check.out());
        Run mcp = thin("mcp");
        assertEquals(0, mcp.exit(), "the MCP server ends when its stdin closes: " + mcp);

        Run stopped = thin("daemon", "stop");
        assertEquals(0, stopped.exit(), stopped.toString());
        assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    }
}
