package org.dindex.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One configuration setting: its dotted key (as in {@code conf/dindex.yaml}), type, default, valid range and the
 * sentence that documents it. {@link Settings#ALL} is the single list from which loading, validation, environment
 * overrides and {@code docs/configuration.md} all derive.
 */
public record Setting(String key, Type type, Object defaultValue, long min, long max, List<String> choices,
                      String description) {

    public enum Type { INT, DECIMAL, BOOLEAN, STRING, CHOICE }

    /** A decimal setting; {@code min} and {@code max} are thousandths (the range check is exact enough for weights). */
    public static Setting decimal(String key, double defaultValue, double min, double max, String description) {
        return new Setting(key, Type.DECIMAL, defaultValue, Math.round(min * 1000), Math.round(max * 1000),
                List.of(), description);
    }

    public static Setting integer(String key, long defaultValue, long min, long max, String description) {
        return new Setting(key, Type.INT, defaultValue, min, max, List.of(), description);
    }

    public static Setting bool(String key, boolean defaultValue, String description) {
        return new Setting(key, Type.BOOLEAN, defaultValue, 0, 0, List.of(), description);
    }

    public static Setting string(String key, String defaultValue, String description) {
        return new Setting(key, Type.STRING, defaultValue, 0, 0, List.of(), description);
    }

    public static Setting choice(String key, String defaultValue, List<String> choices, String description) {
        return new Setting(key, Type.CHOICE, defaultValue, 0, 0, List.copyOf(choices), description);
    }

    /** The environment variable that overrides this setting: {@code DINDEX_} + key upper-cased, dots as underscores. */
    public String envName() {
        return "DINDEX_" + key.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Checks and converts a raw value (from YAML or from an environment string).
     *
     * @return the typed value
     * @throws IllegalArgumentException with a message naming the rule, e.g. "must be an integer between 1 and 10"
     */
    public Object convert(Object raw) {
        return switch (type) {
            case INT -> {
                long value;
                if (raw instanceof Number n && (n instanceof Integer || n instanceof Long || n instanceof Short)) {
                    value = n.longValue();
                } else if (raw instanceof String s && s.trim().matches("-?\\d+")) {
                    value = Long.parseLong(s.trim());
                } else {
                    throw new IllegalArgumentException("must be an integer between " + min + " and " + max
                            + ", got " + describe(raw));
                }
                if (value < min || value > max) {
                    throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + value);
                }
                yield value;
            }
            case DECIMAL -> {
                double value;
                if (raw instanceof Number n) {
                    value = n.doubleValue();
                } else if (raw instanceof String s && s.trim().matches("-?\\d+(\\.\\d+)?")) {
                    value = Double.parseDouble(s.trim());
                } else {
                    throw new IllegalArgumentException("must be a number between " + min / 1000.0 + " and "
                            + max / 1000.0 + ", got " + describe(raw));
                }
                if (value * 1000 < min || value * 1000 > max) {
                    throw new IllegalArgumentException("must be between " + min / 1000.0 + " and " + max / 1000.0
                            + ", got " + value);
                }
                yield value;
            }
            case BOOLEAN -> {
                if (raw instanceof Boolean b) {
                    yield b;
                }
                if (raw instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                    yield Boolean.parseBoolean(s);
                }
                throw new IllegalArgumentException("must be true or false, got " + describe(raw));
            }
            case STRING -> {
                if (raw instanceof String s) {
                    yield s;
                }
                throw new IllegalArgumentException("must be a string, got " + describe(raw));
            }
            case CHOICE -> {
                if (raw instanceof String s && choices.contains(s.toLowerCase(Locale.ROOT))) {
                    yield s.toLowerCase(Locale.ROOT);
                }
                throw new IllegalArgumentException("must be one of " + String.join(", ", choices) + ", got "
                        + describe(raw));
            }
        };
    }

    private static String describe(Object raw) {
        if (raw == null) {
            return "nothing";
        }
        if (raw instanceof String s) {
            return "\"" + s + "\"";
        }
        if (raw instanceof Map<?, ?>) {
            return "a section";
        }
        if (raw instanceof List<?>) {
            return "a list";
        }
        return String.valueOf(raw);
    }
}
