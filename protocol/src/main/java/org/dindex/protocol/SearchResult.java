package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reply of {@link Addresses#SEARCH}: documents with their matching chunks, ranked, each with its citation number.
 * {@code raw} keeps the whole reply (scores, positions, the daemon's extra fields).
 *
 * @param degraded true when the query could not be embedded and BM25 alone answered
 */
public record SearchResult(List<Hit> results, List<Citation> citations, int totalDocuments, int totalChunks,
                           double queryTimeMs, boolean degraded, JsonObject raw) {

    /** One chunk of a hit: its text, the snippet with query terms in {@code **bold**}, where it sits. */
    public record ChunkHit(String chunkId, String content, String snippet, List<String> section, double score,
                           List<String> matchedBy) {
        JsonObject toJson() {
            return new JsonObject().put("chunk_id", chunkId).put("content", content).put("snippet", snippet)
                    .put("section_hierarchy", new JsonArray(new ArrayList<>(section)))
                    .put("score", new JsonObject().put("fused", score))
                    .put("matched_by", new JsonArray(new ArrayList<>(matchedBy)));
        }

        static ChunkHit fromJson(JsonObject c) {
            return new ChunkHit(c.getString("chunk_id"), c.getString("content"), c.getString("snippet"),
                    strings(c.getJsonArray("section_hierarchy")),
                    c.getJsonObject("score", new JsonObject()).getDouble("fused", 0.0),
                    strings(c.getJsonArray("matched_by")));
        }
    }

    /** A document with its matching chunks and its citation number. */
    public record Hit(String documentId, String title, String url, String source, int citation, double score,
                      Map<String, Object> metadata, List<ChunkHit> chunks) {
        JsonObject toJson() {
            JsonArray cs = new JsonArray();
            chunks.forEach(c -> cs.add(c.toJson()));
            return new JsonObject().put("document_id", documentId).put("title", title).put("url", url)
                    .put("source", source).put("citation", citation).put("score", score)
                    .put("metadata", new JsonObject(new LinkedHashMap<>(metadata))).put("chunks", cs);
        }

        static Hit fromJson(JsonObject d) {
            List<ChunkHit> chunks = new ArrayList<>();
            d.getJsonArray("chunks", new JsonArray()).forEach(c -> chunks.add(ChunkHit.fromJson((JsonObject) c)));
            return new Hit(d.getString("document_id"), d.getString("title"), d.getString("url"),
                    d.getString("source"), d.getInteger("citation", 0), d.getDouble("score", 0.0),
                    d.getJsonObject("metadata", new JsonObject()).getMap(), chunks);
        }
    }

    /** The reply's fields this record names (the daemon's reply holds more; see {@code raw}). */
    public JsonObject toJson() {
        JsonArray hits = new JsonArray();
        results.forEach(h -> hits.add(h.toJson()));
        JsonArray cites = new JsonArray();
        citations.forEach(c -> cites.add(c.toJson()));
        return new JsonObject().put("results", hits).put("citations", cites).put("total_documents", totalDocuments)
                .put("total_chunks", totalChunks).put("query_time_ms", queryTimeMs).put("degraded", degraded);
    }

    public static SearchResult fromJson(JsonObject r) {
        List<Hit> hits = new ArrayList<>();
        r.getJsonArray("results", new JsonArray()).forEach(o -> hits.add(Hit.fromJson((JsonObject) o)));
        return new SearchResult(hits, Citation.listFromJson(r.getJsonArray("citations")),
                r.getInteger("total_documents", hits.size()), r.getInteger("total_chunks", 0),
                r.getDouble("query_time_ms", 0.0), r.getBoolean("degraded", false), r);
    }

    static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        if (a != null) {
            a.forEach(x -> out.add(String.valueOf(x)));
        }
        return out;
    }
}
