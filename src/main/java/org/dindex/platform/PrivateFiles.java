package org.dindex.platform;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Keeps what the daemon writes readable by its own user only.
 *
 * <p>Why at the process level: the index, the write-ahead log, job records and logs hold whatever users indexed, and
 * they are written by many hands (Lucene, the logging framework, ONNX Runtime's and DJL's native-library caches),
 * each creating files with the process's umask. Setting the umask to {@code 077} once at start makes every one of
 * them private, including files a library adds later, where per-call permissions would miss some. A data dir made
 * by an earlier version (or copied in) is tightened once when opened, with a log line saying how many entries
 * changed.
 */
public final class PrivateFiles {
    private static final Logger LOG = Logger.getLogger(PrivateFiles.class.getName());
    private static final Set<PosixFilePermission> OPEN_TO_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final MethodHandle UMASK;

    static {
        MethodHandle umask = null;
        try {
            umask = NativeCalls.intFunction("umask", 1);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("cannot set the file creation mask (no foreign function access: " + e + ");"
                    + " new files keep the inherited one");
        }
        UMASK = umask;
    }

    private PrivateFiles() {
    }

    /**
     * Sets this process's file creation mask to {@code 077}: files the process creates from now on are 0600 and
     * folders 0700, whoever creates them. Returns whether it could.
     */
    public static boolean restrictNewFiles() {
        if (UMASK == null) {
            return false;
        }
        try {
            int ignored = (int) UMASK.invokeExact(0077);
            return true;
        } catch (Throwable e) {
            LOG.info("cannot set the file creation mask: " + e);
            return false;
        }
    }

    /**
     * Removes group and other permissions from {@code root} and everything below it (symbolic links are not
     * followed). Returns how many entries changed, and logs it when any did.
     */
    public static int tighten(Path root) throws IOException {
        if (!Files.exists(root)) {
            return 0;
        }
        int[] changed = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                changed[0] += restrict(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() || attrs.isOther()) {
                    changed[0] += restrict(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;  // vanished while walking (a merge, a rotation): nothing to tighten
            }
        });
        if (changed[0] > 0) {
            LOG.info("made " + changed[0] + " entries under " + root + " private to this user (they were open to"
                    + " group or others)");
        }
        return changed[0];
    }

    private static int restrict(Path path) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(path);
        } catch (NoSuchFileException e) {
            return 0;
        }
        if (perms.stream().noneMatch(OPEN_TO_OTHERS::contains)) {
            return 0;
        }
        perms.removeAll(OPEN_TO_OTHERS);
        Files.setPosixFilePermissions(path, perms);
        return 1;
    }

    /** {@code rwx------}, for folders made explicitly private. */
    public static FileAttribute<Set<PosixFilePermission>> privateFolder() {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    }
}
