package org.dindex.daemon;

import org.dindex.config.StartupException;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SocketDirectoryTest {
    Path root;

    @BeforeEach
    void setUp() throws Exception {
        root = TestDirs.privateDir("ds");
    }

    @AfterEach
    void tearDown() {
        TestDirs.deleteTree(root);
    }

    @Test
    void missingFolderIsCreatedPrivate() throws Exception {
        Path socket = root.resolve("a/b/d.sock");
        SocketDirectory.prepare(socket);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
    }

    @Test
    void folderOpenToOthersIsRefused() throws Exception {
        Path dir = Files.createDirectory(root.resolve("open"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        StartupException e = assertThrows(StartupException.class, () -> SocketDirectory.prepare(dir.resolve("d.sock")));
        assertTrue(e.getMessage().contains("is open to group or others (mode rwxr-xr-x); run 'chmod 700"),
                e.getMessage());
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx-w----"));
        assertThrows(StartupException.class, () -> SocketDirectory.prepare(dir.resolve("d.sock")));
    }

    @Test
    void folderOfAnotherUserIsRefused() throws Exception {
        assumeTrue(SocketDirectory.currentUid() == 0, "needs root to give a folder to another user");
        Path dir = Files.createDirectory(root.resolve("theirs"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(dir, "unix:uid", 65534);
        StartupException e = assertThrows(StartupException.class, () -> SocketDirectory.prepare(dir.resolve("d.sock")));
        assertTrue(e.getMessage().contains("belongs to uid 65534, not to you (uid 0)"), e.getMessage());
    }

    @Test
    void symlinkedFolderIsRefused() throws Exception {
        Path real = Files.createDirectory(root.resolve("real"));
        Path link = Files.createSymbolicLink(root.resolve("link"), real);
        StartupException e = assertThrows(StartupException.class, () -> SocketDirectory.prepare(link.resolve("d.sock")));
        assertTrue(e.getMessage().contains("is a symbolic link"), e.getMessage());
    }

    @Test
    void overlongSocketPathIsRefusedClearly() {
        Path socket = root.resolve("x".repeat(120) + ".sock");
        StartupException e = assertThrows(StartupException.class, () -> SocketDirectory.prepare(socket));
        assertTrue(e.getMessage().contains("over the system limit of 107"), e.getMessage());
    }
}
