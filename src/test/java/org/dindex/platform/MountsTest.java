package org.dindex.platform;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MountsTest {
    /** Native libraries are not unpacked on a noexec mount: they could be written there but not loaded. */
    @Test
    void aNoexecMountIsRecognisedByTheLongestMountPoint() {
        List<String> mounts = List.of(
                "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
                "30 26 0:40 / /data rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw",
                "31 30 0:41 / /data/exec rw,relatime - tmpfs tmpfs rw",
                "32 26 0:42 / /my\\040disk rw,noexec - tmpfs tmpfs rw");
        assertTrue(Mounts.noExec(Path.of("/data/dindex/cache"), mounts));
        assertFalse(Mounts.noExec(Path.of("/data/exec/cache"), mounts), "a nested exec mount");
        assertFalse(Mounts.noExec(Path.of("/database/cache"), mounts), "a longer name, not a child");
        assertFalse(Mounts.noExec(Path.of("/home/u/.cache/dindex"), mounts));
        assertTrue(Mounts.noExec(Path.of("/my disk/cache"), mounts), "escaped spaces");
        assertFalse(Mounts.noExec(Path.of("/x"), List.of()), "no mount table: try the cache");
    }

    /** The real mount table: a tmpfs mounted noexec here is seen as such, its parent folder is not. */
    @Test
    void aRealNoexecMountIsSeen(@org.junit.jupiter.api.io.TempDir Path root) throws Exception {
        Path mount = java.nio.file.Files.createDirectories(root.resolve("noexec"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m,noexec", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "needs permission to mount a tmpfs (root)");
        try {
            assertTrue(Mounts.noExec(mount.resolve("cache")));
            assertFalse(Mounts.noExec(root));
        } finally {
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor();
        }
    }
}
