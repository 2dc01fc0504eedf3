package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The filters of a search (the {@code filters} object of {@link SearchQuery}), applied inside both retrievers; nulls
 * and empty collections mean "no filter". {@link #parse} holds the rules the daemon checks a request's filters by.
 *
 * @param sourceUrlPrefix   only sources starting with this
 * @param documentIds       only these documents
 * @param metadataEquals    only documents whose metadata has each key with exactly this value
 * @param metadataContains  only documents whose metadata value of each key contains this text
 * @param minTimestamp      only documents at or after this time (epoch milliseconds)
 * @param maxTimestamp      only documents at or before this time (epoch milliseconds)
 * @param metadataOneOf     only documents whose metadata value of each key equals one of these (given on the wire as
 *                          an array under {@code metadata_contains}, as the Rust original's clients send it)
 */
public record SearchFilters(String sourceUrlPrefix, List<String> documentIds, Map<String, String> metadataEquals,
                            Map<String, String> metadataContains, Long minTimestamp, Long maxTimestamp,
                            Map<String, List<String>> metadataOneOf) {
    public static final SearchFilters NONE = new SearchFilters(null, List.of(), Map.of(), Map.of(), null, null,
            Map.of());

    /** The filters a request may give. */
    public static final Set<String> NAMES = Set.of("source_url_prefix", "document_ids", "metadata_equals",
            "metadata_contains", "min_timestamp", "max_timestamp");

    public SearchFilters {
        documentIds = documentIds == null ? List.of() : List.copyOf(documentIds);
        metadataEquals = ordered(metadataEquals);
        metadataContains = ordered(metadataContains);
        metadataOneOf = metadataOneOf == null || metadataOneOf.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(metadataOneOf));
    }

    public SearchFilters(String sourceUrlPrefix, List<String> documentIds, Map<String, String> metadataEquals,
                         Map<String, String> metadataContains, Long minTimestamp, Long maxTimestamp) {
        this(sourceUrlPrefix, documentIds, metadataEquals, metadataContains, minTimestamp, maxTimestamp, Map.of());
    }

    public static SearchFilters of(String sourceUrlPrefix, List<String> documentIds,
                                   Map<String, String> metadataEquals) {
        return new SearchFilters(sourceUrlPrefix, documentIds, metadataEquals, Map.of(), null, null);
    }

    public boolean isEmpty() {
        return toJson().isEmpty();
    }

    public JsonObject toJson() {
        JsonObject f = new JsonObject();
        if (sourceUrlPrefix != null) {
            f.put("source_url_prefix", sourceUrlPrefix);
        }
        if (!documentIds.isEmpty()) {
            f.put("document_ids", new JsonArray(new ArrayList<>(documentIds)));
        }
        if (!metadataEquals.isEmpty()) {
            f.put("metadata_equals", new JsonObject(new LinkedHashMap<>(metadataEquals)));
        }
        if (!metadataContains.isEmpty() || !metadataOneOf.isEmpty()) {
            JsonObject contains = new JsonObject(new LinkedHashMap<>(metadataContains));
            metadataOneOf.forEach((k, values) -> contains.put(k, new JsonArray(new ArrayList<>(values))));
            f.put("metadata_contains", contains);
        }
        if (minTimestamp != null) {
            f.put("min_timestamp", minTimestamp);
        }
        if (maxTimestamp != null) {
            f.put("max_timestamp", maxTimestamp);
        }
        return f;
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static SearchFilters fromJson(JsonObject f) {
        if (f == null) {
            return NONE;
        }
        List<String> ids = new ArrayList<>();
        f.getJsonArray("document_ids", new JsonArray()).forEach(o -> ids.add(String.valueOf(o)));
        Map<String, String> contains = new LinkedHashMap<>();
        Map<String, List<String>> oneOf = new LinkedHashMap<>();
        JsonObject c = f.getJsonObject("metadata_contains", new JsonObject());
        c.forEach(e -> {
            if (e.getValue() instanceof JsonArray values) {
                oneOf.put(e.getKey(), values.stream().map(String::valueOf).toList());
            } else {
                contains.put(e.getKey(), String.valueOf(e.getValue()));
            }
        });
        return new SearchFilters(f.getString("source_url_prefix"), ids, strings(f.getJsonObject("metadata_equals")),
                contains, f.getLong("min_timestamp"), f.getLong("max_timestamp"), oneOf);
    }

    /**
     * Checks a request's {@code filters} object and reads it: the daemon's rules, in one place for the daemon and
     * for callers that pass filters on as a user gave them (the MCP tools). Timestamps may be epoch milliseconds or
     * ISO-8601 instants; metadata values may be strings, numbers or booleans.
     *
     * @throws DindexException {@link ErrorCode#BAD_REQUEST} naming the filter and the rule it breaks
     */
    public static SearchFilters parse(JsonObject f) {
        for (String key : f.fieldNames()) {
            if (!NAMES.contains(key)) {
                throw DindexException.badRequest("unknown filter '" + key + "' (known: " + String.join(", ",
                        NAMES.stream().sorted().toList()) + ")");
            }
        }
        String prefix = null;
        if (f.getValue("source_url_prefix") != null) {
            if (!(f.getValue("source_url_prefix") instanceof String p) || p.isEmpty()) {
                throw DindexException.badRequest("filters.source_url_prefix must be a non-empty string");
            }
            prefix = p;
        }
        List<String> ids = new ArrayList<>();
        if (f.getValue("document_ids") != null) {
            if (!(f.getValue("document_ids") instanceof JsonArray a)) {
                throw DindexException.badRequest("filters.document_ids must be an array of strings");
            }
            for (Object o : a) {
                if (!(o instanceof String s)) {
                    throw DindexException.badRequest("filters.document_ids must be an array of strings");
                }
                ids.add(s);
            }
        }
        Map<String, String> contains = new LinkedHashMap<>();
        Map<String, List<String>> oneOf = new LinkedHashMap<>();
        if (f.getValue("metadata_contains") instanceof JsonObject c) {
            JsonObject texts = new JsonObject();
            c.forEach(e -> {
                if (e.getValue() instanceof JsonArray values) {
                    oneOf.put(e.getKey(), oneOfValues(e.getKey(), values));
                } else {
                    texts.put(e.getKey(), e.getValue());
                }
            });
            contains.putAll(stringMap(new JsonObject().put("metadata_contains", texts), "metadata_contains"));
        } else {
            contains.putAll(stringMap(f, "metadata_contains"));
        }
        return new SearchFilters(prefix, ids, stringMap(f, "metadata_equals"), contains,
                timestamp(f, "min_timestamp"), timestamp(f, "max_timestamp"), oneOf);
    }

    /** The values of {@code metadata_contains.<key>} given as an array: at least one, each a string. */
    private static List<String> oneOfValues(String key, JsonArray values) {
        if (values.isEmpty() || values.stream().anyMatch(v -> !(v instanceof String))) {
            throw DindexException.badRequest("filters.metadata_contains." + key + " must be a string (text the value"
                    + " contains) or a non-empty array of strings (values it may equal), got "
                    + JsonTypes.describe(values));
        }
        return values.stream().map(String.class::cast).toList();
    }

    private static Map<String, String> stringMap(JsonObject f, String key) {
        Object v = f.getValue(key);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof JsonObject o)) {
            throw DindexException.badRequest("filters." + key + " must be an object of key: value strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        o.forEach(e -> {
            if (!(e.getValue() instanceof String) && !(e.getValue() instanceof Number)
                    && !(e.getValue() instanceof Boolean)) {
                throw DindexException.badRequest("filters." + key + "." + e.getKey() + " must be a string");
            }
            map.put(e.getKey(), String.valueOf(e.getValue()));
        });
        return map;
    }

    private static Long timestamp(JsonObject f, String key) {
        Object v = f.getValue(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        if (v instanceof String s) {
            try {
                return Instant.parse(s).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw DindexException.badRequest("filters." + key + " must be epoch milliseconds or an ISO-8601"
                        + " instant, got '" + s + "'");
            }
        }
        throw DindexException.badRequest("filters." + key + " must be epoch milliseconds or an ISO-8601 instant");
    }

    /** An unmodifiable copy in the given order (metadata filters travel in the order a user gave them). */
    private static Map<String, String> ordered(Map<String, String> m) {
        return m == null || m.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    private static Map<String, String> strings(JsonObject o) {
        Map<String, String> m = new LinkedHashMap<>();
        if (o != null) {
            o.forEach(e -> m.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return m;
    }
}
