package org.dindex.index;

import io.vertx.core.json.JsonObject;
import org.dindex.support.Cli;
import org.dindex.support.Europarl;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A real full disk: the data dir on a small tmpfs, filled up while the daemon runs. Needs root (mount). */
@Timeout(300)
class DiskFullTest {
    Path root;
    Path mount;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        root = TestDirs.privateDir("df");
        mount = Files.createDirectories(root.resolve("small"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        assumeTrue(p.waitFor() == 0, "needs permission to mount a tmpfs (root)");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (cli != null) {
            cli.killDaemon();
        }
        new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor();
        TestDirs.deleteTree(root);
    }

    private Cli.Result run(String... args) {
        return cli.run(args);
    }

    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            assertTrue(e.getMessage().contains("No space left"), e.getMessage());
        }
    }

    /**
     * A daemon (in the foreground, so its log reaches the test) whose disk fills: every write fails with the cause
     * while searches, stats and checks keep answering from the last commit, over several reopen attempts and
     * periodic commits with the disk still full; the failure is logged a few times, not at every attempt; and when
     * space returns, writes work again with nothing lost.
     */
    @Test
    void writesFailClearlyIndexStaysReadableAndRecoversWhenSpaceReturns() throws Exception {
        cli = new Cli(root, mount.resolve("data")).env("DJL_CACHE_DIR", root.resolve("djl").toString())
                .env("DINDEX_INDEX_COMMIT_INTERVAL_MS", "60000");
        Process daemon = cli.startForegroundProcess(null);
        StringBuffer log = new StringBuffer();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(daemon.getInputStream()))) {
                String line;
                while ((line = in.readLine()) != null) {
                    log.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the daemon ended
            }
        });
        cli.awaitDaemon(java.time.Duration.ofSeconds(120));
        List<Europarl.Line> lines = Europarl.english(3);
        Path docs = Files.createDirectories(root.resolve("docs"));
        for (int i = 0; i < 3; i++) {
            Files.writeString(docs.resolve("d" + i + ".txt"), lines.get(i).text());
        }
        Cli.Result first = run("index", docs.resolve("d0.txt").toString());
        assertEquals(0, first.exit(), first.toString());
        String query = String.join(" ", java.util.Arrays.stream(lines.get(0).text().split("\\s+")).limit(10)
                .toList());

        // d1 is durable (in the write-ahead log) but not committed when the disk fills: its commit fails, which
        // leaves Lucene's writer unusable and the index to be reopened while the disk is still full.
        Cli.Result durable = run("index", docs.resolve("d1.txt").toString(), "--no-wait");
        assertEquals(0, durable.exit(), durable.toString());
        Path filler = mount.resolve("filler");
        fill(filler);
        int logLinesBefore = log.length();
        Cli.Result commit = run("commit");
        assertEquals(1, commit.exit(), commit.toString());
        assertTrue(commit.err().contains("no space left on device"), commit.err());
        long t0 = System.nanoTime();
        for (int attempt = 0; attempt < 4; attempt++) {
            Cli.Result full = run("index", docs.resolve("d2.txt").toString());
            assertEquals(1, full.exit(), full.toString());
            assertTrue(full.err().contains("no space left on device"), full.err());
            assertTrue(full.err().contains("reads still see the last commit"), full.err());
            assertFalse(full.err().contains("Exception") || full.err().contains("being reopened"), full.err());
            assertEquals(1, full.err().lines().count(), full.err());

            Cli.Result search = run("search", query, "--json");
            assertEquals(0, search.exit(), "searches answer while the disk is full: " + search);
            assertTrue(search.out().contains("d0.txt"), search.out());
            assertEquals(0, run("stats").exit(), "stats answer");
            assertEquals(0, run("check").exit(), "check answers");
            Thread.sleep(3000);  // past a reopen attempt (every 5 s) and several periodic commits
        }
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        Cli.Result export = run("export");
        assertEquals(0, export.exit(), "still readable: " + export);
        assertTrue(export.out().lines().map(JsonObject::new)
                .allMatch(c -> c.getString("source").endsWith("d0.txt")));
        String during = log.substring(logLinesBefore);
        long severe = during.lines().filter(l -> l.contains("SEVERE") || l.contains("WARNING")).count();
        assertTrue(severe <= 4, "the failure is logged a few times in " + seconds + " s, not at every attempt:\n"
                + during);

        Files.delete(filler);
        Thread.sleep(5000);  // the next reopen attempt
        Cli.Result again = run("index", docs.resolve("d1.txt").toString(), docs.resolve("d2.txt").toString());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().startsWith("indexed 1, replaced 0, unchanged 1"), "d1 came back from the log: "
                + again.out());
        Cli.Result check = run("check", "--json");
        assertTrue(check.json().getBoolean("ok"), check.out());
        assertEquals(3, check.json().getInteger("documents"));
        assertEquals(0, run("daemon", "stop").exit());
        daemon.waitFor();
        reader.join(5000);
    }
}
