package org.dindex.bench;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A description of the machine a benchmark ran on, written into its JSON. */
public final class Machine {
    private Machine() {
    }

    public static JsonObject describe() {
        return new JsonObject()
                .put("cpus", Runtime.getRuntime().availableProcessors())
                .put("cpu", cpuModel())
                .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
                .put("java", Runtime.version().toString());
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
