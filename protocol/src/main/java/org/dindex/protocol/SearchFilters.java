package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The filters of a search (the {@code filters} object of {@link SearchQuery}), applied inside both retrievers; nulls
 * and empty collections mean "no filter".
 *
 * @param sourceUrlPrefix   only sources starting with this
 * @param documentIds       only these documents
 * @param metadataEquals    only documents whose metadata has each key with exactly this value
 * @param metadataContains  only documents whose metadata value of each key contains this text
 * @param minTimestamp      only documents at or after this time (epoch milliseconds)
 * @param maxTimestamp      only documents at or before this time (epoch milliseconds)
 */
public record SearchFilters(String sourceUrlPrefix, List<String> documentIds, Map<String, String> metadataEquals,
                            Map<String, String> metadataContains, Long minTimestamp, Long maxTimestamp) {
    public static final SearchFilters NONE = new SearchFilters(null, List.of(), Map.of(), Map.of(), null, null);

    public SearchFilters {
        documentIds = documentIds == null ? List.of() : List.copyOf(documentIds);
        metadataEquals = metadataEquals == null ? Map.of() : Map.copyOf(metadataEquals);
        metadataContains = metadataContains == null ? Map.of() : Map.copyOf(metadataContains);
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
        if (!metadataContains.isEmpty()) {
            f.put("metadata_contains", new JsonObject(new LinkedHashMap<>(metadataContains)));
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
        return new SearchFilters(f.getString("source_url_prefix"), ids, strings(f.getJsonObject("metadata_equals")),
                strings(f.getJsonObject("metadata_contains")), f.getLong("min_timestamp"), f.getLong("max_timestamp"));
    }

    private static Map<String, String> strings(JsonObject o) {
        Map<String, String> m = new LinkedHashMap<>();
        if (o != null) {
            o.forEach(e -> m.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return m;
    }
}
