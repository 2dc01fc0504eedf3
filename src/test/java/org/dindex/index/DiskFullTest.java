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

    @Test
    void writesFailClearlyIndexStaysReadableAndRecoversWhenSpaceReturns() throws Exception {
        cli = new Cli(root, mount.resolve("data")).env("DJL_CACHE_DIR", root.resolve("djl").toString());
        List<Europarl.Line> lines = Europarl.english(3);
        Path docs = Files.createDirectories(root.resolve("docs"));
        for (int i = 0; i < 3; i++) {
            Files.writeString(docs.resolve("d" + i + ".txt"), lines.get(i).text());
        }
        Cli.Result first = run("index", docs.resolve("d0.txt").toString());
        assertEquals(0, first.exit(), first.toString());

        Path filler = mount.resolve("filler");
        fill(filler);
        Cli.Result full = run("index", docs.resolve("d1.txt").toString());
        assertEquals(1, full.exit(), full.toString());
        assertTrue(full.err().contains("no space left on device"), full.err());
        assertFalse(full.err().contains("Exception"), full.err());
        assertEquals(1, full.err().lines().count(), full.err());

        Cli.Result export = run("export");
        assertEquals(0, export.exit(), "still readable: " + export);
        assertTrue(export.out().lines().map(JsonObject::new)
                .allMatch(c -> c.getString("source").endsWith("d0.txt")));
        assertEquals(0, run("check").exit());

        Files.delete(filler);
        Cli.Result again = run("index", docs.resolve("d1.txt").toString(), docs.resolve("d2.txt").toString());
        assertEquals(0, again.exit(), again.toString());
        assertTrue(again.out().startsWith("indexed 2"), again.out());
        Cli.Result check = run("check", "--json");
        assertTrue(check.json().getBoolean("ok"), check.out());
        assertEquals(3, check.json().getInteger("documents"));
    }
}
