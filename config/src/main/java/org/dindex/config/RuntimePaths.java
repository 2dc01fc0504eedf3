package org.dindex.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a daemon keeps its data, listens, and reads its configuration. Resolved once from CLI options, then
 * environment ({@code DINDEX_DATA_DIR}, {@code DINDEX_SOCKET}, {@code DINDEX_CONFIG}), then XDG defaults.
 *
 * @param configFile the YAML config file, or null when none is given and no default file exists
 */
public record RuntimePaths(Path dataDir, Path socket, Path configFile) {

    public static RuntimePaths resolve(Path dataDirOption, Path socketOption, Path configOption,
                                       Map<String, String> env) {
        Path home = Path.of(System.getProperty("user.home"));
        Path dataDir = first(dataDirOption, env.get("DINDEX_DATA_DIR"),
                xdg(env, "XDG_DATA_HOME", home.resolve(".local/share")).resolve("dindex"));
        Path socket = first(socketOption, env.get("DINDEX_SOCKET"), defaultSocket(env));
        Path config = configOption != null ? configOption
                : nonEmpty(env.get("DINDEX_CONFIG")) ? Path.of(env.get("DINDEX_CONFIG")) : defaultConfig(env, home);
        return new RuntimePaths(dataDir.toAbsolutePath().normalize(), socket.toAbsolutePath().normalize(),
                config == null ? null : config.toAbsolutePath().normalize());
    }

    /** Where the config file is looked for when none is given: {@code $XDG_CONFIG_HOME/dindex/dindex.yaml}. */
    public static Path defaultConfigLocation(Map<String, String> env) {
        return xdg(env, "XDG_CONFIG_HOME", Path.of(System.getProperty("user.home")).resolve(".config"))
                .resolve("dindex").resolve("dindex.yaml").toAbsolutePath().normalize();
    }

    /** The lock file proving a live daemon owns the data dir. */
    public Path dataLock() {
        return dataDir.resolve("daemon.lock");
    }

    /** The lock file proving a live daemon owns the socket path. */
    public Path socketLock() {
        return socket.resolveSibling(socket.getFileName() + ".lock");
    }

    public Path logDir() {
        return dataDir.resolve("logs");
    }

    private static Path defaultSocket(Map<String, String> env) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (nonEmpty(runtime)) {
            return Path.of(runtime, "dindex", "dindex.sock");
        }
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "dindex-" + user, "dindex.sock");
    }

    private static Path defaultConfig(Map<String, String> env, Path home) {
        Path candidate = xdg(env, "XDG_CONFIG_HOME", home.resolve(".config")).resolve("dindex").resolve("dindex.yaml");
        return Files.isRegularFile(candidate) ? candidate : null;
    }

    private static Path xdg(Map<String, String> env, String name, Path fallback) {
        String value = env.get(name);
        return nonEmpty(value) ? Path.of(value) : fallback;
    }

    private static Path first(Path option, String envValue, Path fallback) {
        if (option != null) {
            return option;
        }
        return nonEmpty(envValue) ? Path.of(envValue) : fallback;
    }

    private static boolean nonEmpty(String s) {
        return s != null && !s.isBlank();
    }
}
