package org.dindex.daemon;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How long each stage of the daemon's start took, in the order they began; shown by {@code daemon status --json} as
 * {@code startup}. Stages may run side by side (the model loads while the index opens), so they need not add up to
 * the total. Thread-safe.
 */
final class StartupTimes {
    private final Map<String, Long> millis = new LinkedHashMap<>();
    private final long t0 = System.nanoTime();
    private long totalMillis = -1;

    /**
     * Begins with what came before the daemon: from the process's start to the daemon's first line of code (the JVM,
     * the command line, the configuration, logging).
     */
    StartupTimes() {
        ProcessHandle.current().info().startInstant().ifPresent(start ->
                record("jvm_and_command_line", Math.max(0, Duration.between(start, Instant.now()).toMillis())));
    }

    /** Runs {@code stage} and records how long it took. */
    <T> T time(String name, Supplier<T> stage) {
        long start = System.nanoTime();
        try {
            return stage.get();
        } finally {
            record(name, (System.nanoTime() - start) / 1_000_000);
        }
    }

    void time(String name, Runnable stage) {
        time(name, () -> {
            stage.run();
            return null;
        });
    }

    synchronized void record(String name, long ms) {
        millis.put(name, ms);
    }

    /** Marks the daemon as serving: the total is taken from the daemon's first line of code. */
    synchronized void finished() {
        totalMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    synchronized JsonObject toJson() {
        JsonObject stages = new JsonObject();
        millis.forEach(stages::put);
        return new JsonObject().put("total_ms", totalMillis).put("stages_ms", stages);
    }
}
