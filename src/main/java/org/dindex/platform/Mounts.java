package org.dindex.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What the mount table says about a folder. The daemon unpacks native libraries (ONNX Runtime's, the tokenizer's)
 * under its data dir; on a file system mounted {@code noexec} they could be written there but not loaded, so such a
 * folder is not used for them.
 */
public final class Mounts {
    private Mounts() {
    }

    /** Whether {@code dir} lies on a file system mounted {@code noexec}; false where there is no mount table. */
    public static boolean noExec(Path dir) {
        try {
            return noExec(dir, Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return false;
        }
    }

    /**
     * Whether {@code dir} lies on a file system mounted {@code noexec}, by the longest mount point of
     * {@code mountInfo} (lines as in {@code /proc/self/mountinfo}) that contains it.
     */
    static boolean noExec(Path dir, List<String> mountInfo) {
        Path target = dir.toAbsolutePath().normalize();
        String best = null;
        boolean noExec = false;
        for (String line : mountInfo) {
            String[] f = line.split(" ");
            if (f.length < 6) {
                continue;
            }
            String point = f[4].replace("\\040", " ");
            if (target.startsWith(Path.of(point)) && (best == null || point.length() > best.length())) {
                best = point;
                noExec = Arrays.asList(f[5].split(",")).contains("noexec");
            }
        }
        return noExec;
    }
}
