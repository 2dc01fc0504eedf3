package org.dindex.mcp;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.JsonTypes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A tool call's arguments, read with messages a model can act on: each names the argument, what was expected and
 * what came (with its JSON type). Types are strict, as the tools' schemas declare them: a number sent as a string or
 * one string where an array is expected is a {@link ToolException} whose message tells the model what to send.
 */
final class ToolArgs {
    private final Map<String, Object> values;

    /** @throws ToolException naming an argument the tool does not know */
    ToolArgs(Map<String, Object> raw, Set<String> known) {
        this.values = raw == null ? Map.of() : raw;
        for (String name : values.keySet()) {
            if (!known.contains(name)) {
                throw new ToolException("unknown argument '" + name + "' (known: " + String.join(", ",
                        new TreeSet<>(known)) + ")");
            }
        }
    }

    boolean has(String name) {
        return values.get(name) != null;
    }

    String requiredString(String name) {
        String s = string(name);
        if (s == null || s.isBlank()) {
            throw new ToolException("'" + name + "' is required: a non-empty string");
        }
        return s;
    }

    /** The string, or null when absent. */
    String string(String name) {
        Object v = values.get(name);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new ToolException("'" + name + "' must be a string, got " + describe(v));
    }

    /** The integer within [min, max], or {@code fallback} when absent. */
    int integer(String name, int fallback, int min, int max) {
        Object v = values.get(name);
        if (v == null) {
            return fallback;
        }
        long n;
        if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
            n = num.longValue();
        } else {
            throw new ToolException("'" + name + "' must be an integer, got " + describe(v));
        }
        if (n < min || n > max) {
            throw new ToolException("'" + name + "' must be between " + min + " and " + max + ", got " + n);
        }
        return (int) n;
    }

    /** The boolean, or null when absent. */
    Boolean bool(String name) {
        Object v = values.get(name);
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        throw new ToolException("'" + name + "' must be true or false, got " + describe(v));
    }

    /** A list of non-empty strings; empty when absent. */
    List<String> strings(String name) {
        Object v = values.get(name);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            throw new ToolException("'" + name + "' must be an array of strings, got " + describe(v));
        }
        List<String> out = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String s) || s.isBlank()) {
                throw new ToolException("'" + name + "' must contain only non-empty strings, got " + describe(item));
            }
            out.add(s);
        }
        return out;
    }

    /** An object whose values are all strings (metadata); empty when absent. */
    Map<String, String> stringMap(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        object(name).forEach(e -> {
            if (!(e.getValue() instanceof String s)) {
                throw new ToolException("'" + name + "." + e.getKey() + "' must be a string, got "
                        + describe(e.getValue()));
            }
            out.put(e.getKey(), s);
        });
        return out;
    }

    /** The object, or an empty one when absent. */
    JsonObject object(String name) {
        Object v = values.get(name);
        if (v == null) {
            return new JsonObject();
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, val) -> copy.put(String.valueOf(k), val));
            return new JsonObject(copy);
        }
        throw new ToolException("'" + name + "' must be an object, got " + describe(v));
    }

    /** One of {@code allowed}, or {@code fallback} when absent. */
    String choice(String name, String fallback, List<String> allowed) {
        String s = string(name);
        if (s == null) {
            return fallback;
        }
        if (!allowed.contains(s)) {
            throw new ToolException("'" + name + "' must be one of " + String.join(", ", allowed) + ", got '" + s
                    + "'");
        }
        return s;
    }

    private static String describe(Object v) {
        return JsonTypes.describe(v);
    }
}
