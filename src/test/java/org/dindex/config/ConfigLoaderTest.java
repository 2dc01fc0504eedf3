package org.dindex.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void shippedConfigFileIsValidAndEqualsTheDefaults() {
        DaemonConfig shipped = new ConfigLoader(Map.of()).load(Path.of("conf/dindex.yaml"), Map.of());
        DaemonConfig defaults = ConfigLoader.defaults();
        for (Setting s : Settings.ALL) {
            assertEquals(defaults.values().get(s), shipped.values().get(s), s.key());
        }
        String text = readQuietly(Path.of("conf/dindex.yaml"));
        for (Setting s : Settings.ALL) {
            String leaf = s.key().substring(s.key().lastIndexOf('.') + 1);
            assertTrue(text.contains(leaf + ":"), "conf/dindex.yaml documents " + s.key());
        }
    }

    @Test
    void precedenceIsFileThenEnvironmentThenFlags() throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "bridge:\n  request_timeout_ms: 100\n  max_connections: 7\nlog:\n  level: debug\n");
        DaemonConfig fileOnly = new ConfigLoader(Map.of()).load(file, Map.of());
        assertEquals(100, fileOnly.getLong(Settings.REQUEST_TIMEOUT_MS));
        assertEquals("debug", fileOnly.getString(Settings.LOG_LEVEL));

        ConfigLoader withEnv = new ConfigLoader(Map.of("DINDEX_BRIDGE_REQUEST_TIMEOUT_MS", "200"));
        DaemonConfig env = withEnv.load(file, Map.of());
        assertEquals(200, env.getLong(Settings.REQUEST_TIMEOUT_MS));
        assertEquals(7, env.getInt(Settings.MAX_CONNECTIONS));

        DaemonConfig flags = withEnv.load(file, Map.of("bridge.request_timeout_ms", 300));
        assertEquals(300, flags.getLong(Settings.REQUEST_TIMEOUT_MS));
    }

    @Test
    void everyProblemIsListedNotJustTheFirst() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                daemon:
                  prefer_native_transport: maybe
                  shutdown_timeout_ms: 1.5
                brigde:
                  max_connections: 4
                bridge:
                  max_connections: 0
                """);
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(file, Map.of()));
        assertEquals(4, e.problems().size(), e.getMessage());
        assertTrue(e.problems().contains("bad.yaml: daemon.prefer_native_transport must be true or false, got"
                + " \"maybe\""), e.getMessage());
        assertTrue(e.getMessage().contains("daemon.shutdown_timeout_ms must be an integer between 1000 and 3600000,"
                + " got 1.5"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown section 'brigde' (did you mean 'bridge'?)"), e.getMessage());
        assertTrue(e.getMessage().contains("bridge.max_connections must be between 1 and 1000000, got 0"),
                e.getMessage());
    }

    @Test
    void unparsableYamlNamesTheLine() throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "bridge:\n  max_connections: 3\n   bad: [unclosed\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(file, Map.of()));
        assertTrue(e.getMessage().matches("(?s).*broken\\.yaml:3:\\d+: not valid YAML.*"), e.getMessage());
    }

    @Test
    void emptyFileMeansDefaultsAndTopLevelListIsRefused() throws Exception {
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "# nothing set\n");
        assertEquals(ConfigLoader.defaults().values(), new ConfigLoader(Map.of()).load(empty, Map.of()).values());
        Path list = dir.resolve("list.yaml");
        Files.writeString(list, "- a\n- b\n");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(list, Map.of()));
        assertTrue(e.getMessage().contains("the top level must be a mapping of sections"), e.getMessage());
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
