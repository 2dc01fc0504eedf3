package org.dindex.daemon;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory figures for status. RSS comes from {@code /proc/self/statm}: a procfs read served from kernel memory (no
 * disk), cheap enough to do on the status path.
 */
final class ProcessMemory {
    private static final Path STATM = Path.of("/proc/self/statm");
    private static final long PAGE = 4096;

    private ProcessMemory() {
    }

    static JsonObject snapshot() {
        Runtime rt = Runtime.getRuntime();
        return new JsonObject()
                .put("heap_used_bytes", rt.totalMemory() - rt.freeMemory())
                .put("heap_max_bytes", rt.maxMemory())
                .put("rss_bytes", rss());
    }

    static long rss() {
        try {
            String[] fields = Files.readString(STATM).trim().split("\\s+");
            return Long.parseLong(fields[1]) * PAGE;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
