package org.dindex.daemon;

import org.dindex.config.StartupException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Makes sure the socket's folder is private to the current user: created 0700 when missing; refused when it belongs
 * to another user or is open to group or others. Anyone who can reach the socket can drive the daemon, so this
 * folder is the access control of the local API.
 */
public final class SocketDirectory {
    /** sun_path is 108 bytes on Linux, including the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;

    private SocketDirectory() {
    }

    public static void prepare(Path socket) {
        int length = socket.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH_BYTES) {
            throw new StartupException("socket path is " + length + " bytes long, over the system limit of "
                    + MAX_SOCKET_PATH_BYTES + ": choose a shorter --socket (" + socket + ")");
        }
        Path dir = socket.getParent();
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            check(dir);
        } catch (IOException e) {
            throw new StartupException("cannot prepare socket folder " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Throws a {@link StartupException} unless {@code dir} is a folder owned by us and closed to group/others. */
    public static void check(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new StartupException("socket folder " + dir + " is a symbolic link; refusing to use it");
        }
        if (!Files.isDirectory(dir)) {
            throw new StartupException("socket folder " + dir + " is not a folder");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int me = currentUid();
        if (owner != me) {
            throw new StartupException("socket folder " + dir + " belongs to uid " + owner + ", not to you (uid " + me
                    + "); choose a folder of your own with --socket or DINDEX_SOCKET");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> open = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_EXECUTE);
        if (perms.stream().anyMatch(open::contains)) {
            throw new StartupException("socket folder " + dir + " is open to group or others (mode "
                    + PosixFilePermissions.toString(perms) + "); run 'chmod 700 " + dir
                    + "' or choose another folder with --socket");
        }
    }

    static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
