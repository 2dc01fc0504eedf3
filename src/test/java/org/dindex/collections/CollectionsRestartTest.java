package org.dindex.collections;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Collections across daemon processes (started detached by the CLI, stopped, killed): a data dir from before
 * collections opens as the {@code default} collection without anything moved or rebuilt; collections and their
 * content persist across restarts; a snapshot cut off by {@code kill -9} is never listed.
 */
@Timeout(600)
class CollectionsRestartTest {
    Path root;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        root = TestDirs.privateDir("dc");
        cli = new Cli(root);
    }

    @AfterEach
    void tearDown() {
        cli.killDaemon();
        TestDirs.deleteTree(root);
    }

    Cli.Result ok(String... args) {
        Cli.Result r = cli.run(args);
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r);
        return r;
    }

    JsonObject collections() {
        return ok("collections", "--json").json();
    }

    /** Every file under {@code dir} with its file key (device and inode): what a move or rebuild would change. */
    static Map<String, Object> fileKeys(Path dir) throws Exception {
        Map<String, Object> keys = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                keys.put(dir.relativize(p).toString(), Files.readAttributes(p,
                        java.nio.file.attribute.BasicFileAttributes.class).fileKey());
            }
        }
        return keys;
    }

    @Test
    void aDataDirFromBeforeCollectionsOpensAsDefaultAndCollectionsPersist() throws Exception {
        Path files = Files.createDirectories(root.resolve("files"));
        Files.writeString(files.resolve("lighthouse.md"), "# Lighthouses\n\nThe lighthouse on the cape flashes white"
                + " every ten seconds and can be seen twenty nautical miles away.\n");
        Files.writeString(files.resolve("bread.md"), "# Sourdough\n\nSourdough rises slowly: wild yeast and lactic"
                + " bacteria ferment the dough overnight before it is baked.\n");
        ok("index", files.toString());
        ok("daemon", "stop");
        // A daemon from before collections left exactly this: index/ (lucene/ and wal/) and no collections.json.
        Path registry = cli.dataDir.resolve("collections.json");
        assertTrue(Files.deleteIfExists(registry));
        assertTrue(Files.isDirectory(cli.dataDir.resolve("index").resolve("lucene")));
        Map<String, Object> before = fileKeys(cli.dataDir.resolve("index").resolve("lucene"));

        ok("daemon", "start");
        JsonObject list = collections();
        assertEquals(1, list.getJsonArray("collections").size(), list.encodePrettily());
        JsonObject def = list.getJsonArray("collections").getJsonObject(0);
        assertEquals("default", def.getString("name"));
        assertEquals("index", def.getString("dir"));
        assertEquals(2, def.getInteger("documents"));
        JsonObject hit = ok("search", "how far can the light be seen", "--json").json();
        assertEquals(files.resolve("lighthouse.md").toString(), hit.getJsonArray("results").getJsonObject(0)
                .getString("source"));
        assertTrue(Files.exists(registry), "the registry file is written");
        assertTrue(Files.readString(registry).contains("\"dir\" : \"index\""), Files.readString(registry));
        Map<String, Object> after = fileKeys(cli.dataDir.resolve("index").resolve("lucene"));
        for (var e : before.entrySet()) {
            if (!e.getKey().startsWith("segments_") && !e.getKey().equals("write.lock")) {
                assertEquals(e.getValue(), after.get(e.getKey()), "not moved or rebuilt: " + e.getKey());
            }
        }
        assertFalse(Files.exists(cli.dataDir.resolve("collections")), "nothing was created beside it");

        // Collections and their content persist across a stop and across kill -9.
        ok("collection", "create", "kitchen");
        ok("index", "--collection", "kitchen", files.resolve("bread.md").toString());
        ok("daemon", "stop");
        ok("daemon", "start");
        List<String> names = new ArrayList<>();
        collections().getJsonArray("collections").forEach(o -> names.add(((JsonObject) o).getString("name")));
        assertEquals(List.of("default", "kitchen"), names);
        assertEquals(files.resolve("bread.md").toString(), ok("search", "--collection", "kitchen", "bread",
                "--json").json().getJsonArray("results").getJsonObject(0).getString("source"));
        assertEquals(1, ok("stats", "--collection", "kitchen", "--json").json().getInteger("documents"));
        long pid = cli.pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        ok("daemon", "start");
        assertEquals(1, ok("stats", "--collection", "kitchen", "--json").json().getInteger("documents"));
        assertEquals(2, ok("stats", "--json").json().getInteger("documents"));
    }

    @Test
    void killDuringSnapshotCreationLeavesNoHalfSnapshot() throws Exception {
        Path files = Files.createDirectories(root.resolve("files"));
        for (int i = 0; i < 3; i++) {
            Files.writeString(files.resolve("note" + i + ".md"), "# Note " + i + "\n\nHarbour note number " + i
                    + " about tides, knots and the lighthouse keeper's logbook.\n");
        }
        // Testing only: the daemon pauses after each file it copies into a snapshot, so the kill lands mid-way.
        cli.env("DINDEX_JAVA_OPTS", "-D" + Snapshots.PAUSE_PROPERTY + "=1500");
        ok("index", files.toString());
        long pid = cli.pid();
        Path snapshots = cli.dataDir.resolve("snapshots");
        Cli.Result[] creation = new Cli.Result[1];
        Thread create = Thread.ofPlatform().start(() -> creation[0] = cli.run("snapshot", "create"));
        Path partial = Await.value(Duration.ofSeconds(60), Duration.ofMillis(20), "a snapshot folder appeared", () -> {
            if (!Files.isDirectory(snapshots)) {
                return null;
            }
            try (Stream<Path> list = Files.list(snapshots)) {
                return list.filter(p -> p.getFileName().toString().startsWith(".partial-"))
                        .filter(p -> Files.isDirectory(p.resolve("lucene"))).findFirst().orElse(null);
            }
        }, Objects::nonNull);
        // At least one file copied, the manifest not yet written (bounded by the class's timeout before: 600 s).
        Await.until(Duration.ofSeconds(600), Duration.ofMillis(20), "the snapshot copied its first file", () -> {
            try (Stream<Path> copied = Files.list(partial.resolve("lucene"))) {
                return copied.findAny().isPresent();
            }
        });
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        create.join(60_000);
        assertNotEquals(0, creation[0].exit(), creation[0].toString());
        assertTrue(Files.isDirectory(partial), "the kill left a partial folder behind");
        assertFalse(Files.exists(partial.resolve(Snapshots.MANIFEST)));

        cli.env("DINDEX_JAVA_OPTS", "");
        ok("daemon", "start");
        assertTrue(ok("snapshot", "list", "--json").json().getJsonArray("snapshots").isEmpty(),
                "a snapshot cut off is never listed");
        try (Stream<Path> list = Files.list(snapshots)) {
            assertEquals(List.of(), list.toList(), "the partial folder was removed at start");
        }
        assertTrue(ok("check", "--json").json().getBoolean("ok"));
        JsonObject made = ok("snapshot", "create", "--json").json();
        assertEquals(3, made.getInteger("documents"));
        assertEquals(1, ok("snapshot", "list", "--json").json().getJsonArray("snapshots").size());
    }
}
