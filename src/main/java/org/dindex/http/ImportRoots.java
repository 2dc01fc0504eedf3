package org.dindex.http;

import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * The folders HTTP clients may make the daemon read ({@code http.import_roots}): for {@code POST /api/v1/import} and
 * for the MCP {@code index} tool over {@code /mcp}. Why: such clients are elsewhere, the daemon's files are not theirs
 * to read, and indexing a file makes its text searchable by them. Blocking (file system): call from a worker.
 */
final class ImportRoots {
    private final List<Path> roots;

    ImportRoots(List<Path> roots) {
        this.roots = roots;
    }

    boolean isEmpty() {
        return roots.isEmpty();
    }

    /**
     * The real path of the regular file {@code given} names, when it lies inside a root. Order matters: the path as
     * given must lie inside a root (403 otherwise, whether or not it exists, so a client cannot probe the file system
     * outside the roots); only then is it resolved (404 when missing), and the real path checked again (403 for links
     * leading out). A relative path is taken from the first root.
     */
    Path permittedFile(String given) {
        Path real = permitted(given);
        if (!Files.isRegularFile(real)) {
            throw new DindexException(ErrorCode.ACCESS_DENIED, "'" + given + "' is outside the import roots");
        }
        return real;
    }

    /** As {@link #permittedFile}, for a file or a folder. */
    Path permitted(String given) {
        Path path;
        try {
            path = Path.of(given);
        } catch (InvalidPathException e) {
            throw DindexException.badRequest("'path' is not a valid path");
        }
        if (roots.isEmpty()) {
            throw new DindexException(ErrorCode.ACCESS_DENIED, "reading files over HTTP is disabled: set"
                    + " http.import_roots to the folders it may read");
        }
        if (!path.isAbsolute()) {
            path = roots.getFirst().resolve(path);
        }
        Path normalized = path.normalize();
        if (roots.stream().noneMatch(normalized::startsWith)) {
            throw new DindexException(ErrorCode.ACCESS_DENIED, "'" + given + "' is outside the import roots");
        }
        Path real;
        try {
            real = normalized.toRealPath();
        } catch (IOException e) {
            throw new DindexException(ErrorCode.NOT_FOUND, "no such file under the import roots: " + given);
        }
        if (!insideRealRoot(real)) {
            throw new DindexException(ErrorCode.ACCESS_DENIED, "'" + given + "' is outside the import roots");
        }
        return real;
    }

    private boolean insideRealRoot(Path real) {
        for (Path root : roots) {
            try {
                if (real.startsWith(root.toRealPath())) {
                    return true;
                }
            } catch (IOException ignored) {
                // a configured root that does not exist permits nothing
            }
        }
        return false;
    }
}
