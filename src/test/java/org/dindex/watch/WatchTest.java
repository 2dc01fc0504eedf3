package org.dindex.watch;

import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.client.DindexClient;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.WatchRequest;
import org.dindex.support.Await;
import org.dindex.support.Cli;
import org.dindex.support.Europarl;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dindex watch} against a real daemon process with the real model: the index follows files and folders as
 * they are created, changed, renamed and deleted; a burst of saves is one update; a restart catches up on what
 * changed while the daemon was down; a missing folder is a clear error; over the inotify budget the watch scans.
 * Each test cancels its watch, so the daemon-wide budget and a restart see only their own.
 */
@Timeout(600)
class WatchTest {
    static final int DEBOUNCE_MS = 300;
    static final int BUDGET = 40;
    static final int SCAN_MS = 1000;
    static Path root;
    static Cli cli;
    static List<Europarl.Line> lines;

    @BeforeAll
    static void start() throws Exception {
        root = TestDirs.privateDir("wa");
        cli = new Cli(root).env("DINDEX_WATCH_DEBOUNCE_MS", String.valueOf(DEBOUNCE_MS))
                .env("DINDEX_WATCH_MAX_INOTIFY_WATCHES", String.valueOf(BUDGET))
                .env("DINDEX_WATCH_SCAN_INTERVAL_MS", String.valueOf(SCAN_MS));
        Cli.Result started = cli.run("daemon", "start");
        assertEquals(0, started.exit(), started.toString());
        lines = Europarl.english(40);
    }

    @AfterAll
    static void stop() {
        cli.run("daemon", "stop");
        cli.killDaemon();
        TestDirs.deleteTree(root);
    }

    @Test
    void theIndexFollowsFilesAndFoldersCreatedChangedRenamedAndDeleted() throws Exception {
        Path dir = Files.createDirectories(root.resolve("notes"));
        write(dir.resolve("a.txt"), lines.get(0).text());
        write(dir.resolve("b.md"), "# Fisheries\n\n" + lines.get(1).text());
        write(dir.resolve("sub/c.txt"), lines.get(2).text());
        write(dir.resolve(".gitignore"), "*.log\nbuild/\n");
        write(dir.resolve("debug.log"), "a log line that is never indexed");
        write(dir.resolve("build/out.txt"), "build output that is never indexed");
        write(dir.resolve(".private/secret.txt"), "a hidden file that is never indexed");

        String id = startWatch(dir);
        try {
            awaitSources(dir, "a.txt", "b.md", "sub/c.txt");
            JsonObject listed = cli.run("jobs", "--json").json();
            assertTrue(listed.getJsonArray("jobs").stream().map(JsonObject.class::cast).anyMatch(j ->
                    j.getString("id").equals(id) && j.getString("type").equals("watch")
                            && j.getString("state").equals("running")), listed.encodePrettily());

            // A new file, a changed one (searchable by its new words), a renamed one, a deleted one.
            write(dir.resolve("new.txt"), lines.get(3).text());
            awaitSources(dir, "a.txt", "b.md", "new.txt", "sub/c.txt");
            write(dir.resolve("a.txt"), "Tidal power stations turn the rise and fall of the sea into electricity"
                    + " twice a day, as regular as the moon.");
            awaitContent(dir.resolve("a.txt"), "Tidal power stations");
            Cli.Result found = cli.run("search", "electricity from the tides of the sea", "--json", "--top-k", "1",
                    "--source", dir + "/");
            assertEquals(0, found.exit(), found.toString());
            assertEquals(dir.resolve("a.txt").toString(), found.json().getJsonArray("results").getJsonObject(0)
                    .getString("source"), found.out());
            Files.move(dir.resolve("new.txt"), dir.resolve("renamed.txt"));
            awaitSources(dir, "a.txt", "b.md", "renamed.txt", "sub/c.txt");
            Files.delete(dir.resolve("b.md"));
            awaitSources(dir, "a.txt", "renamed.txt", "sub/c.txt");

            // A new folder, and a folder created inside it afterwards: both are watched.
            write(dir.resolve("topic/d.txt"), lines.get(4).text());
            awaitSources(dir, "a.txt", "renamed.txt", "sub/c.txt", "topic/d.txt");
            write(dir.resolve("topic/deeper/e.txt"), lines.get(5).text());
            awaitSources(dir, "a.txt", "renamed.txt", "sub/c.txt", "topic/d.txt", "topic/deeper/e.txt");

            // A renamed folder: its files move in the index, and it is still watched under its new name.
            Files.move(dir.resolve("topic"), dir.resolve("subject"));
            awaitSources(dir, "a.txt", "renamed.txt", "sub/c.txt", "subject/d.txt", "subject/deeper/e.txt");
            write(dir.resolve("subject/deeper/e.txt"), "Glaciers carve deep valleys into the mountains over"
                    + " thousands of years.");
            awaitContent(dir.resolve("subject/deeper/e.txt"), "Glaciers carve");
            write(dir.resolve("subject/deeper/f.txt"), lines.get(6).text());
            awaitSources(dir, "a.txt", "renamed.txt", "sub/c.txt", "subject/d.txt", "subject/deeper/e.txt",
                    "subject/deeper/f.txt");

            // A file moved in from outside and one moved out; a deleted folder; a file newly ignored.
            write(root.resolve("outside.txt"), lines.get(7).text());
            Files.move(root.resolve("outside.txt"), dir.resolve("sub/inside.txt"));
            Files.move(dir.resolve("renamed.txt"), root.resolve("moved-out.txt"));
            TestDirs.deleteTree(dir.resolve("subject"));
            awaitSources(dir, "a.txt", "sub/c.txt", "sub/inside.txt");
            write(dir.resolve(".gitignore"), "*.log\nbuild/\ninside.txt\n");
            awaitSources(dir, "a.txt", "sub/c.txt");

            JsonObject job = job(id);
            assertEquals("running", job.getString("state"));
            assertTrue(job.getString("stage").startsWith("watching "), job.encodePrettily());
            JsonObject counters = job.getJsonObject("counters");
            assertTrue(counters.getLong("removed") >= 6, counters.encode());
            assertTrue(counters.getLong("events") > 0, counters.encode());
        } finally {
            cancel(id);
        }
        // Cancelled: the index keeps what the watch indexed, and changes are no longer followed.
        assertEquals("cancelled", job(id).getString("state"));
        write(dir.resolve("after.txt"), lines.get(8).text());
        // The scenario, not a wait for a condition: give a (wrongly) live watch three debounce periods to index it.
        Thread.sleep(3L * DEBOUNCE_MS + 500);
        assertEquals(Set.of("a.txt", "sub/c.txt"), sources(dir));
        cleanUp(dir);
    }

    @Test
    void aBurstOfSavesToOneFileIsOneUpdate() throws Exception {
        Path dir = Files.createDirectories(root.resolve("burst"));
        Path file = dir.resolve("draft.md");
        write(file, "# Minutes\n\n" + lines.get(10).text());
        write(dir.resolve("other.txt"), lines.get(11).text());
        String id = startWatch(dir);
        try {
            awaitSources(dir, "draft.md", "other.txt");
            // A quiet period, part of the measurement: updates of the first scan settle before counting starts.
            Thread.sleep(2L * DEBOUNCE_MS);
            JsonObject before = job(id).getJsonObject("counters");
            long t0 = System.nanoTime();
            for (int i = 0; i < 1000; i++) {
                Files.writeString(file, "# Minutes\n\nDraft " + i + " of the minutes. " + lines.get(12).text());
            }
            long burstMs = (System.nanoTime() - t0) / 1_000_000;
            awaitContent(file, "Draft 999 of the minutes");
            // A quiet period, part of the measurement: any extra update the burst caused would come within it.
            Thread.sleep(3L * DEBOUNCE_MS);
            JsonObject after = job(id).getJsonObject("counters");
            long updates = updates(after) - updates(before);
            // One update when the saves stop; a burst longer than 20 debounce periods (a loaded machine) may add one
            // per 20 periods: a file that never stops changing is still indexed now and then.
            long bound = 1 + burstMs / (WatchJob.MAX_DELAY_PERIODS * DEBOUNCE_MS) + 1;
            assertTrue(updates >= 1 && updates <= bound, "1,000 saves in " + burstMs + " ms became " + updates
                    + " updates (at most " + bound + "); counters before " + before.encode() + ", after "
                    + after.encode());
            assertEquals(updates(before) + updates, updates(job(id).getJsonObject("counters")), "nothing left over");
        } finally {
            cancel(id);
        }
        cleanUp(dir);
    }

    @Test
    void afterARestartTheWatchResumesAndCatchesUpOnWhatChangedWhileTheDaemonWasDown() throws Exception {
        Path dir = Files.createDirectories(root.resolve("restart"));
        for (int i = 0; i < 6; i++) {
            write(dir.resolve("keep" + i + ".txt"), lines.get(14 + i).text());
        }
        write(dir.resolve("change.txt"), lines.get(20).text());
        write(dir.resolve("gone.txt"), lines.get(21).text());
        write(dir.resolve("old/x.txt"), lines.get(22).text());
        write(dir.resolve("old/y.txt"), lines.get(23).text());
        String id = startWatch(dir);
        try {
            awaitSources(dir, "change.txt", "gone.txt", "keep0.txt", "keep1.txt", "keep2.txt", "keep3.txt",
                    "keep4.txt", "keep5.txt", "old/x.txt", "old/y.txt");
            Cli.Result stopped = cli.run("daemon", "stop");
            assertEquals(0, stopped.exit(), stopped.toString());

            write(dir.resolve("change.txt"), "Beekeepers move their hives to the orchards when the apple trees"
                    + " blossom in spring.");
            Files.delete(dir.resolve("gone.txt"));
            write(dir.resolve("added.txt"), lines.get(24).text());
            Files.move(dir.resolve("old"), dir.resolve("moved"));
            // Touched but not changed: read again, found unchanged, not embedded.
            Files.setLastModifiedTime(dir.resolve("keep0.txt"), FileTime.from(Instant.now().plusSeconds(5)));

            Cli.Result restarted = cli.run("daemon", "start");
            assertEquals(0, restarted.exit(), restarted.toString());
            awaitSources(dir, "added.txt", "change.txt", "keep0.txt", "keep1.txt", "keep2.txt", "keep3.txt",
                    "keep4.txt", "keep5.txt", "moved/x.txt", "moved/y.txt");
            awaitContent(dir.resolve("change.txt"), "Beekeepers move their hives");
            JsonObject job = job(id);
            assertEquals("running", job.getString("state"), "the same job runs again: " + job.encodePrettily());
            await(() -> job(id).getString("stage").startsWith("watching "), "the watch watches again", id);

            // Only what changed was embedded again.
            long changedChunks = 0;
            for (String name : List.of("change.txt", "added.txt", "moved/x.txt", "moved/y.txt")) {
                changedChunks += chunks(dir.resolve(name));
            }
            JsonObject stats = cli.run("stats", "--json").json();
            assertEquals(changedChunks, stats.getJsonObject("embedding").getLong("passages_embedded"),
                    "embedded after the restart: only the changed, added and moved files; " + stats.encode());
            assertTrue(job(id).getJsonObject("counters").getLong("unchanged", 0L) >= 1, "the touched file was"
                    + " read and found unchanged: " + job(id).encode());

            // And it goes on watching.
            write(dir.resolve("later.txt"), lines.get(25).text());
            awaitSources(dir, "added.txt", "change.txt", "keep0.txt", "keep1.txt", "keep2.txt", "keep3.txt",
                    "keep4.txt", "keep5.txt", "later.txt", "moved/x.txt", "moved/y.txt");

            // A crash (SIGKILL) instead of a stop: the job is found cut off and resumed the same way.
            cli.killDaemon();
            Files.delete(dir.resolve("later.txt"));
            write(dir.resolve("keep1.txt"), "Night trains cross the border while the passengers sleep.");
            restarted = cli.run("daemon", "start");
            assertEquals(0, restarted.exit(), restarted.toString());
            awaitContent(dir.resolve("keep1.txt"), "Night trains cross the border");
            awaitSources(dir, "added.txt", "change.txt", "keep0.txt", "keep1.txt", "keep2.txt", "keep3.txt",
                    "keep4.txt", "keep5.txt", "moved/x.txt", "moved/y.txt");
            assertEquals("running", job(id).getString("state"));
            long watches = cli.run("jobs", "--json").json().getJsonArray("jobs").stream()
                    .map(JsonObject.class::cast).filter(j -> j.getString("id").equals(id)).count();
            assertEquals(1, watches, "one job, under its id");
        } finally {
            cancel(id);
        }
        cleanUp(dir);
    }

    @Test
    void aWatchOfAMissingFolderIsAClearError() throws Exception {
        Path missing = root.resolve("no-such-folder");
        Cli.Result r = cli.run("watch", missing.toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals("dindex: no such folder: " + missing + "\n", r.err());
        assertEquals("", r.out());

        // The daemon checks too (other clients than the CLI), with the same words.
        Path file = Files.writeString(root.resolve("a-file.txt"), "text");
        Path dir = Files.createDirectories(root.resolve("watched-once"));
        try (Dindex dindex = Dindex.over(DindexClient.connect(cli.socket))) {
            Map<WatchRequest, String> refused = new java.util.LinkedHashMap<>();
            refused.put(WatchRequest.of(List.of(missing)), "no such folder: " + missing);
            refused.put(WatchRequest.of(List.of(file)), "not a folder: " + file + " (watch keeps folders in sync;"
                    + " index a single file with 'dindex index')");
            refused.put(new WatchRequest(List.of("relative/folder"), null, null, null, null), "paths must be absolute"
                    + " (the daemon's working folder is not yours): relative/folder");
            refused.put(new WatchRequest(List.of(dir.toString()), List.of("[a-"), null, null, null),
                    "invalid --include glob '[a-': ");
            refused.put(WatchRequest.of(List.of(cli.dataDir.resolve("logs"))), cli.dataDir.resolve("logs")
                    + " is the daemon's data folder or inside it: its index and logs cannot be watched");
            refused.forEach((request, message) -> {
                DindexException e = assertThrows(DindexException.class, () -> dindex.watch(request));
                assertTrue(e.getMessage().startsWith(message), e.getMessage());
                assertEquals(request.paths().getFirst().equals(missing.toString()) ? ErrorCode.NOT_FOUND
                        : ErrorCode.BAD_REQUEST, e.code(), e.getMessage());
            });

            String id = dindex.watch(WatchRequest.of(List.of(dir))).id();
            try {
                DindexException twice = assertThrows(DindexException.class,
                        () -> dindex.watch(WatchRequest.of(List.of(dir))));
                assertEquals(ErrorCode.CONFLICT, twice.code());
                assertEquals(dir + " is already watched by " + id + " (cancel it first: dindex cancel " + id + ")",
                        twice.getMessage());
            } finally {
                cancel(id);
            }
        }
        Cli.Result notAFolder = cli.run("watch", file.toString(), "--detach");
        assertEquals(1, notAFolder.exit());
        assertTrue(notAFolder.err().startsWith("dindex: not a folder: "), notAFolder.err());
        assertFalse(notAFolder.err().contains("Exception") || notAFolder.err().contains("\tat "), notAFolder.err());
    }

    @Test
    void overTheInotifyBudgetTheWatchSaysSoAndScansInstead() throws Exception {
        Path dir = Files.createDirectories(root.resolve("huge"));
        for (int i = 0; i < BUDGET + 5; i++) {
            Files.createDirectories(dir.resolve("d" + i));
        }
        write(dir.resolve("d1/one.txt"), lines.get(30).text());
        write(dir.resolve("d2/two.txt"), lines.get(31).text());
        String id = startWatch(dir);
        try {
            awaitSources(dir, "d1/one.txt", "d2/two.txt");
            JsonObject job = job(id);
            assertEquals("running", job.getString("state"));
            assertEquals("scanning every 1 s: the folders to watch need more inotify watches than"
                    + " watch.max_inotify_watches allows " + BUDGET + " (fs.inotify.max_user_watches is "
                    + Files.readAllLines(Path.of("/proc/sys/fs/inotify/max_user_watches")).getFirst().strip() + ")",
                    job.getString("stage"));
            try (Dindex dindex = Dindex.over(DindexClient.connect(cli.socket))) {
                List<JsonObject> fallbacks = dindex.jobEvents(id).events().stream()
                        .map(e -> e.getJsonObject("event", e)).filter(e -> "fallback".equals(e.getString("kind")))
                        .toList();
                assertEquals(1, fallbacks.size(), fallbacks.toString());
                assertTrue(fallbacks.getFirst().getString("reason").endsWith("; scanning the folders every 1 s"
                        + " instead (changes show up within that time)"), fallbacks.toString());
            }

            // Scanning follows changes too, within a scan interval.
            write(dir.resolve("d40/new.txt"), lines.get(32).text());
            Files.delete(dir.resolve("d1/one.txt"));
            write(dir.resolve("d2/two.txt"), "Lighthouses warn ships away from rocks at night.");
            awaitSources(dir, "d2/two.txt", "d40/new.txt");
            awaitContent(dir.resolve("d2/two.txt"), "Lighthouses warn ships");
            assertTrue(job(id).getJsonObject("counters").getLong("scans") >= 2, job(id).encode());
        } finally {
            cancel(id);
        }
        cleanUp(dir);

        // The budget is back: a small tree is watched with inotify again.
        Path small = Files.createDirectories(root.resolve("small"));
        write(small.resolve("s.txt"), lines.get(33).text());
        String again = startWatch(small);
        try {
            awaitSources(small, "s.txt");
            await(() -> job(again).getString("stage").equals("watching 1 folder"), "inotify again", again);
        } finally {
            cancel(again);
        }
        cleanUp(small);
    }

    @Test
    void aWatchedFolderThatDisappearsStopsTheWatchAndKeepsWhatItIndexed() throws Exception {
        Path dir = Files.createDirectories(root.resolve("vanishing"));
        write(dir.resolve("v.txt"), lines.get(35).text());
        write(dir.resolve("w/w.txt"), lines.get(36).text());
        String id = startWatch(dir);
        awaitSources(dir, "v.txt", "w/w.txt");
        TestDirs.deleteTree(dir);
        await(() -> job(id).getString("state").equals("failed"), "the watch fails", id);
        JsonObject job = job(id);
        assertEquals("the watched folder " + dir + " no longer exists; the watch stopped (what it indexed stays:"
                + " 'dindex delete --source " + dir + "/' removes it)", job.getString("error"));
        assertEquals(Set.of("v.txt", "w/w.txt"), sources(dir));
        cleanUp(dir);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static String startWatch(Path dir) {
        Cli.Result r = cli.run("watch", dir.toString(), "--detach", "--json");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("watch", r.json().getString("type"));
        return r.json().getString("id");
    }

    private static void cancel(String id) {
        if (!List.of("cancelled", "failed").contains(job(id).getString("state"))) {
            Cli.Result r = cli.run("cancel", id, "--json");
            assertEquals(0, r.exit(), r.toString());
            assertEquals("cancelled", r.json().getString("state"), r.out());
        }
    }

    private static void cleanUp(Path dir) {
        cli.run("delete", "--source", dir + "/");
        TestDirs.deleteTree(dir);
    }

    private static JsonObject job(String id) {
        Cli.Result r = cli.run("job", id, "--json");
        assertEquals(0, r.exit(), r.toString());
        return r.json();
    }

    /** Files sent to the indexer, whatever came of them: each a re-index operation. */
    private static long updates(JsonObject counters) {
        long n = 0;
        for (String c : List.of("indexed", "replaced", "unchanged", "skipped", "failed")) {
            n += counters.getLong(c, 0L);
        }
        return n;
    }

    /** Every chunk in the index under {@code dir}, by source relative to it. */
    private static Map<String, List<JsonObject>> chunksBySource(Path dir) {
        Cli.Result export = cli.run("export");
        assertEquals(0, export.exit(), export.toString());
        Map<String, List<JsonObject>> out = new TreeMap<>();
        String prefix = dir + "/";
        export.out().lines().map(JsonObject::new).filter(c -> c.getString("source").startsWith(prefix))
                .forEach(c -> out.computeIfAbsent(c.getString("source").substring(prefix.length()),
                        k -> new java.util.ArrayList<>()).add(c));
        return out;
    }

    private static Set<String> sources(Path dir) {
        return new TreeSet<>(chunksBySource(dir).keySet());
    }

    private static long chunks(Path file) {
        return chunksBySource(file.getParent()).getOrDefault(file.getFileName().toString(), List.of()).size();
    }

    private static void awaitSources(Path dir, String... expected) throws InterruptedException {
        Set<String> want = new TreeSet<>(List.of(expected));
        await(() -> sources(dir).equals(want), "the index holds exactly " + want + " under " + dir, null);
    }

    private static void awaitContent(Path file, String text) throws InterruptedException {
        await(() -> chunksBySource(file.getParent()).getOrDefault(file.getFileName().toString(), List.of()).stream()
                .anyMatch(c -> c.getString("content").contains(text)), file + " indexed with '" + text + "'", null);
    }

    private static void await(BooleanSupplier condition, String what, String jobId) throws InterruptedException {
        if (Await.holdsWithin(Duration.ofSeconds(90), Duration.ofMillis(200), condition::getAsBoolean)) {
            return;
        }
        JsonObject jobs = cli.run("jobs", "--json").json();
        throw new AssertionError("timed out waiting until " + what + (jobId == null ? "" : " (job " + jobId + ")")
                + "\njobs: " + jobs.encodePrettily());
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
