package org.dindex.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads a {@link DaemonConfig}: defaults, then the YAML file, then {@code DINDEX_*} environment variables, then
 * explicit overrides (CLI flags), each later source winning. Never falls back silently: an unparsable file, an
 * unknown key or an invalid value throws a {@link ConfigException} listing every problem.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, String> env;

    public ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    /** Defaults only: for tests and tools that need a config without a file. */
    public static DaemonConfig defaults() {
        return new ConfigLoader(Map.of()).load(null, Map.of());
    }

    /**
     * @param file      the YAML file, or null for none
     * @param overrides values from CLI flags, by setting key
     */
    public DaemonConfig load(Path file, Map<String, Object> overrides) {
        List<String> problems = new ArrayList<>();
        Map<Setting, Object> values = new LinkedHashMap<>();
        Settings.ALL.forEach(s -> values.put(s, s.defaultValue()));

        if (file != null) {
            readFile(file, problems).forEach((key, raw) -> apply(key, raw, file.getFileName() + ": ", values,
                    problems));
        }
        for (Setting s : Settings.ALL) {
            String raw = env.get(s.envName());
            if (raw != null) {
                apply(s.key(), raw, "environment " + s.envName() + ": ", values, problems);
            }
        }
        overrides.forEach((key, raw) -> apply(key, raw, "option: ", values, problems));

        String source = file == null ? "defaults" : file.toString();
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return new DaemonConfig(Map.copyOf(values), source, file);
    }

    private static void apply(String key, Object raw, String where, Map<Setting, Object> values,
                              List<String> problems) {
        var setting = Settings.byKey(key);
        if (setting.isEmpty()) {
            problems.add(where + "unknown setting '" + key + "'" + suggestion(key));
            return;
        }
        try {
            values.put(setting.get(), setting.get().convert(raw));
        } catch (IllegalArgumentException e) {
            problems.add(where + key + " " + e.getMessage());
        }
    }

    private static Map<String, Object> readFile(Path file, List<String> problems) {
        Map<String, Object> flat = new LinkedHashMap<>();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            problems.add("config file " + file + " does not exist");
            return flat;
        } catch (IOException e) {
            problems.add("cannot read config file " + file + ": " + e.getMessage());
            return flat;
        }
        Object tree;
        try {
            var node = YAML.readTree(text);
            // A file of only comments is valid: every setting keeps its default.
            tree = node == null || node.isMissingNode() || node.isNull() ? null : YAML.convertValue(node, Object.class);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            problems.add(file.getFileName() + (loc != null ? ":" + loc.getLineNr() + ":" + loc.getColumnNr() : "")
                    + ": not valid YAML: " + yamlMessage(e.getOriginalMessage()));
            return flat;
        }
        if (tree == null) {
            return flat;
        }
        if (!(tree instanceof Map<?, ?> root)) {
            problems.add(file.getFileName() + ": the top level must be a mapping of sections (daemon:, bridge:,"
                    + " log:), got a " + (tree instanceof List<?> ? "list" : "value"));
            return flat;
        }
        flatten("", root, flat, file.getFileName() + ": ", problems);
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> flat, String where,
                                List<String> problems) {
        map.forEach((k, v) -> {
            String key = prefix + k;
            if (v instanceof Map<?, ?> child && Settings.byKey(key).isEmpty()) {
                if (prefix.isEmpty() && !Settings.isSection(key)) {
                    problems.add(where + "unknown section '" + key + "'" + suggestion(key));
                } else {
                    flatten(key + ".", child, flat, where, problems);
                }
            } else {
                flat.put(key, v);
            }
        });
    }

    private static String suggestion(String key) {
        return Settings.ALL.stream().map(Setting::key)
                .flatMap(k -> Stream.of(k, k.substring(0, k.indexOf('.'))))
                .distinct()
                .min(Comparator.comparingInt(k -> distance(k, key)))
                .filter(k -> distance(k, key) <= Math.max(2, key.length() / 4))
                .map(k -> " (did you mean '" + k + "'?)")
                .orElse("");
    }

    /** Levenshtein distance, for "did you mean" hints. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** SnakeYAML's message without its source excerpts and caret lines: "while parsing X; expected Y". */
    static String yamlMessage(String message) {
        if (message == null) {
            return "unreadable";
        }
        return Arrays.stream(message.split("\n")).map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("in 'reader'") && !l.equals("^") && !l.startsWith("^"))
                .reduce((a, b) -> a + "; " + b).orElse(message);
    }
}
