package org.dindex.collections;

import io.vertx.core.json.JsonObject;
import org.dindex.support.Await;
import org.dindex.support.Cli;
import org.dindex.support.EmbeddedDaemon;
import org.dindex.support.Europarl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots on a real daemon: one taken while an import writes holds exactly that commit and restores into a
 * collection that passes its check; a damaged, partial or tampered snapshot is refused before anything changes.
 */
@Timeout(900)
class SnapshotTest extends OneDaemonCli {

    @BeforeAll
    static void start() throws Exception {
        // Small batches and frequent commits, so the import's commits and the snapshot's interleave.
        daemon = EmbeddedDaemon.start(Map.of("jobs.batch_documents", 8, "index.commit_every_chunks", 40,
                "index.commit_interval_ms", 300), List.of());
        cli = new Cli(daemon.root);
    }

    /** chunk id -> content of every chunk of a collection. */
    static Map<String, String> chunks(String collection) {
        Map<String, String> out = new HashMap<>();
        for (String line : ok("export", "--collection", collection).out().lines().toList()) {
            JsonObject c = new JsonObject(line);
            out.put(c.getString("chunk_id"), c.getString("content"));
        }
        return out;
    }

    @Test
    void aSnapshotDuringAnImportHoldsExactlyWhatWasCommittedBeforeIt() throws Exception {
        ok("collection", "create", "live");
        List<Europarl.Line> lines = Europarl.english(1500);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(new JsonObject().put("id", "e" + i).put("title", lines.get(i).title())
                    .put("text", lines.get(i).text()).encode()).append('\n');
        }
        Path jsonl = daemon.root.resolve("europarl.jsonl");
        Files.writeString(jsonl, sb);
        String job = ok("import", jsonl.toString(), "--collection", "live", "--detach", "--json").json()
                .getString("id");
        Await.until(Duration.ofMinutes(5), Duration.ofMillis(200), "the import got going (60 documents imported)",
                () -> ok("job", job, "--json").json().getJsonObject("counters").getInteger("imported", 0) >= 60);
        JsonObject snapshot = ok("snapshot", "create", "--collection", "live", "--json").json();
        JsonObject during = ok("job", job, "--json").json();
        assertEquals("running", during.getString("state"), "the import was still writing: "
                + during.encodePrettily());
        long documents = snapshot.getLong("documents");
        assertTrue(documents >= 60 && documents < lines.size(), "documents in the snapshot: " + documents);
        assertEquals("live", snapshot.getString("collection"));
        assertTrue(snapshot.getInteger("linked_files") > 0, "same file system: files are hard-linked");
        // A search during the snapshot's life is not disturbed.
        ok("search", "--collection", "live", "fisheries policy");

        ok("snapshot", "restore", snapshot.getString("id"), "--as", "copy");
        JsonObject check = ok("check", "--collection", "copy", "--json").json();
        assertTrue(check.getBoolean("ok"), check.encodePrettily());
        assertEquals(documents, check.getLong("documents"));
        assertEquals(snapshot.getLong("chunks"), check.getLong("chunks"));

        // The import goes on and completes; the restored copy keeps exactly the snapshot's documents.
        Await.until(Duration.ofMinutes(5), Duration.ofMillis(500), "the import completed",
                () -> "completed".equals(ok("job", job, "--json").json().getString("state")));
        assertEquals(lines.size(), stats("live").getInteger("documents"));
        assertEquals(documents, stats("copy").getLong("documents"));
        Map<String, String> live = chunks("live");
        Map<String, String> copy = chunks("copy");
        assertEquals(snapshot.getLong("chunks"), (long) copy.size());
        copy.forEach((id, content) -> assertEquals(content, live.get(id), "the same chunk as in the live collection: "
                + id));
        assertFalse(ok("search", "--collection", "copy", "fisheries policy", "--json").json()
                .getJsonArray("results").isEmpty());
    }

    /** A copy of a snapshot folder with copied (not linked) files, to damage without touching the original. */
    static Path copyOf(Path snapshot, String name) throws Exception {
        Path target = daemon.root.resolve("damaged").resolve(name);
        try (Stream<Path> walk = Files.walk(snapshot)) {
            for (Path p : walk.toList()) {
                Path to = target.resolve(snapshot.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return target;
    }

    static Path largestLuceneFile(Path snapshot) throws Exception {
        try (Stream<Path> list = Files.list(snapshot.resolve("lucene"))) {
            return list.max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
    }

    @Test
    void aDamagedOrPartialSnapshotIsRefusedAndNothingChanges() throws Exception {
        ok("collection", "create", "small");
        Path files = Files.createDirectories(daemon.root.resolve("small-files"));
        Files.writeString(files.resolve("a.md"), "# Knots\n\nA bowline makes a fixed loop that will not slip.\n");
        Files.writeString(files.resolve("b.md"), "# Tides\n\nSpring tides follow the full and the new moon.\n");
        ok("index", "--collection", "small", files.toString());
        JsonObject snapshot = ok("snapshot", "create", "--collection", "small", "--json").json();
        Path original = Path.of(snapshot.getString("path"));
        List<String> collectionsBefore = names();

        // One byte changed in a Lucene file.
        Path flipped = copyOf(original, "flipped");
        Path victim = largestLuceneFile(flipped);
        byte[] bytes = Files.readAllBytes(victim);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(victim, bytes);
        Cli.Result r = fails("snapshot", "restore", flipped.toString(), "--as", "broken");
        assertTrue(r.err().contains("is damaged: the SHA-256 of lucene/" + victim.getFileName()
                + " does not match its manifest; nothing was restored"), r.err());
        r = fails("snapshot", "restore", flipped.toString(), "--as", "small", "--yes");
        assertTrue(r.err().contains("damaged"), r.err());

        // A file missing: a partial copy.
        Path partial = copyOf(original, "partial");
        Files.delete(largestLuceneFile(partial));
        r = fails("snapshot", "restore", partial.toString(), "--as", "broken");
        assertTrue(r.err().contains("is incomplete: lucene/") && r.err().contains("is missing"), r.err());

        // No manifest: cut off before it was written.
        Path unfinished = copyOf(original, "unfinished");
        Files.delete(unfinished.resolve("manifest.json"));
        r = fails("snapshot", "restore", unfinished.toString(), "--as", "broken");
        assertTrue(r.err().contains("not a complete snapshot: it has no manifest.json"), r.err());

        // The manifest edited (a count changed): its own checksum no longer matches.
        Path edited = copyOf(original, "edited");
        Path manifest = edited.resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"documents\" : 2", "\"documents\" : 3"));
        r = fails("snapshot", "restore", edited.toString(), "--as", "broken");
        assertTrue(r.err().contains("does not match its own checksum"), r.err());

        // Nothing changed: the same collections, the live one intact, no folder left behind.
        assertEquals(collectionsBefore, names());
        assertEquals(2, stats("small").getInteger("documents"));
        assertTrue(ok("check", "--collection", "small", "--json").json().getBoolean("ok"));
        try (Stream<Path> dirs = Files.list(cli.dataDir.resolve("collections"))) {
            assertTrue(dirs.noneMatch(p -> p.getFileName().toString().startsWith("broken")));
        }

        // The intact snapshot restores in place of the live collection (with --yes, not without).
        assertTrue(fails("snapshot", "restore", snapshot.getString("id")).err().contains("exists"));
        ok("index", "--collection", "small", daemon.root.resolve("small-files").toString());
        Files.writeString(files.resolve("c.md"), "# Sails\n\nA reef knot joins two ends of a rope around a sail.\n");
        ok("index", "--collection", "small", files.toString());
        assertEquals(3, stats("small").getInteger("documents"));
        ok("snapshot", "restore", snapshot.getString("id"), "--yes");
        assertEquals(2, stats("small").getInteger("documents"), "back to the snapshot's content");
        assertTrue(ok("check", "--collection", "small", "--json").json().getBoolean("ok"));
        ok("snapshot", "delete", snapshot.getString("id"));
        assertTrue(ok("snapshot", "list", "--json").json().getJsonArray("snapshots").stream()
                .noneMatch(s -> snapshot.getString("id").equals(((JsonObject) s).getString("id"))));
    }

    static List<String> names() {
        List<String> names = new java.util.ArrayList<>();
        ok("collections", "--json").json().getJsonArray("collections")
                .forEach(o -> names.add(((JsonObject) o).getString("name")));
        return names;
    }
}
