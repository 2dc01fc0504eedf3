package org.dindex.daemon;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory figures for status. RSS comes from {@code /proc/self/statm} (kernel memory, no disk) and is sampled at most
 * once a second, so a burst of status requests costs no file reads.
 */
final class ProcessMemory {
    private static final Path STATM = Path.of("/proc/self/statm");
    private static final long PAGE = 4096;
    private static final long SAMPLE_NANOS = 1_000_000_000L;

    private volatile long rss = -1;
    private volatile long sampledAt = System.nanoTime() - 2 * SAMPLE_NANOS;

    JsonObject snapshot() {
        long now = System.nanoTime();
        if (now - sampledAt > SAMPLE_NANOS) {
            rss = readRss();
            sampledAt = now;
        }
        Runtime rt = Runtime.getRuntime();
        return new JsonObject()
                .put("heap_used_bytes", rt.totalMemory() - rt.freeMemory())
                .put("heap_max_bytes", rt.maxMemory())
                .put("rss_bytes", rss);
    }

    static long readRss() {
        try {
            String[] fields = Files.readString(STATM).trim().split("\\s+");
            return Long.parseLong(fields[1]) * PAGE;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
