package org.dindex.mcp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tool's input schema (JSON Schema, as MCP clients show it to the model), built property by property. Every
 * property has a description: it is all the model knows about the argument.
 */
final class Schema {
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final List<String> required = new ArrayList<>();

    Schema string(String name, boolean isRequired, String description) {
        return add(name, isRequired, prop("string", description));
    }

    Schema integer(String name, int min, int max, Integer fallback, String description) {
        Map<String, Object> p = prop("integer", description);
        p.put("minimum", min);
        p.put("maximum", max);
        if (fallback != null) {
            p.put("default", fallback);
        }
        return add(name, false, p);
    }

    Schema bool(String name, boolean fallback, String description) {
        Map<String, Object> p = prop("boolean", description);
        p.put("default", fallback);
        return add(name, false, p);
    }

    Schema choice(String name, List<String> values, String fallback, String description) {
        Map<String, Object> p = prop("string", description);
        p.put("enum", values);
        if (fallback != null) {
            p.put("default", fallback);
        }
        return add(name, false, p);
    }

    Schema strings(String name, boolean isRequired, String description) {
        Map<String, Object> p = prop("array", description);
        p.put("items", Map.of("type", "string"));
        if (isRequired) {
            p.put("minItems", 1);
        }
        return add(name, isRequired, p);
    }

    /** A map of string values, such as metadata. */
    Schema stringMap(String name, String description) {
        Map<String, Object> p = prop("object", description);
        p.put("additionalProperties", Map.of("type", "string"));
        return add(name, false, p);
    }

    /** A nested object with its own properties. */
    Schema object(String name, Schema nested, String description) {
        Map<String, Object> p = nested.build();
        p.put("description", description);
        return add(name, false, p);
    }

    Map<String, Object> build() {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", new LinkedHashMap<>(properties));
        if (!required.isEmpty()) {
            schema.put("required", List.copyOf(required));
        }
        schema.put("additionalProperties", false);
        return schema;
    }

    /** The argument names, for {@link ToolArgs}. */
    Set<String> names() {
        return Set.copyOf(properties.keySet());
    }

    private Schema add(String name, boolean isRequired, Map<String, Object> property) {
        properties.put(name, property);
        if (isRequired) {
            required.add(name);
        }
        return this;
    }

    private static Map<String, Object> prop(String type, String description) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", type);
        p.put("description", description);
        return p;
    }
}
