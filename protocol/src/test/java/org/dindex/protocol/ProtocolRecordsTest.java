package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every typed record of the protocol survives its own wire form: toJson, then fromJson, gives it back. */
class ProtocolRecordsTest {
    static final SearchFilters FILTERS = new SearchFilters("/docs/", List.of("d1", "d2"), Map.of("lang", "en"),
            Map.of("tags", "sea"), 1_700_000_000_000L, 1_800_000_000_000L);

    @Test
    void searchQueryAndFilters() {
        for (SearchQuery q : List.of(SearchQuery.of("tides"), new SearchQuery("what moves the tides", 5, "bm25",
                FILTERS, "local", true), SearchQuery.of("x").withFilters(SearchFilters.of(null, List.of(),
                Map.of("k", "v"))))) {
            assertEquals(q, SearchQuery.fromJson(q.toJson()));
            assertEquals(q.toJson(), new JsonObject(q.toJson().encode()), "the wire form is plain JSON");
        }
        assertEquals(FILTERS, SearchFilters.fromJson(FILTERS.toJson()));
        assertEquals(new JsonObject().put("query", "tides").put("top_k", 10).put("mode", "hybrid"),
                SearchQuery.of("tides").toJson(), "no empty filters, scope or explain on the wire");
    }

    @Test
    void contextQueryAndBlock() {
        ContextQuery q = new ContextQuery("how do bees dance", FILTERS, "cluster", 30, 1500);
        assertEquals(q, ContextQuery.fromJson(q.toJson()));
        assertEquals(ContextQuery.of("q", 200), ContextQuery.fromJson(ContextQuery.of("q", 200).toJson()));
        ContextBlock b = new ContextBlock("[1] Bees dance.\n\nSources:\n[1] Bees", 12, 200,
                List.of(new Citation(1, "d1", "Bees", "https://example.org/bees", "/docs/bees.md")));
        assertEquals(b, ContextBlock.fromJson(b.toJson()));
    }

    @Test
    void searchResult() {
        SearchResult.ChunkHit chunk = new SearchResult.ChunkHit("d1-0", "Tides follow the moon.",
                "**Tides** follow the moon.", List.of("Sea", "Tides"), 0.83, List.of("dense", "bm25"));
        SearchResult.Hit hit = new SearchResult.Hit("d1", "Tides", null, "/docs/tides.md", 1, 0.83,
                Map.of("lang", "en"), List.of(chunk));
        SearchResult r = new SearchResult(List.of(hit), List.of(new Citation(1, "d1", "Tides", null,
                "/docs/tides.md")), 1, 1, 12.5, false, new JsonObject());
        SearchResult back = SearchResult.fromJson(r.toJson());
        assertEquals(r.results(), back.results());
        assertEquals(r.citations(), back.citations());
        assertEquals(List.of(r.totalDocuments(), r.totalChunks()), List.of(back.totalDocuments(), back.totalChunks()));
        assertEquals(r.queryTimeMs(), back.queryTimeMs());
        assertEquals(r.degraded(), back.degraded());
    }

    @Test
    void indexDocumentAndJob() {
        IndexDocument d = new IndexDocument("notes://1", "Tides", "https://example.org/t", "Tides follow the moon.",
                "markdown", Map.of("shelf", "sea"));
        assertEquals(d, IndexDocument.fromJson(d.toJson()));
        assertEquals(IndexDocument.text("s", null, "t"), IndexDocument.fromJson(IndexDocument.text("s", null, "t")
                .toJson()));
        JobInfo job = JobInfo.fromJson(new JsonObject().put("id", "import-1a2b3c4d").put("type", "import")
                .put("state", "running").put("stage", "importing").put("current", 10).put("total", null)
                .put("unit", "bytes").put("counters", new JsonObject().put("imported", 3)).put("error", null));
        JobInfo back = JobInfo.fromJson(job.toJson());
        assertEquals(List.of(job.id(), job.type(), job.state(), job.stage(), job.unit()),
                List.of(back.id(), back.type(), back.state(), back.stage(), back.unit()));
        assertEquals(List.of(job.current(), job.total()), List.of(back.current(), back.total()));
        assertEquals(job.counters(), back.counters());
        assertEquals(-1, back.total(), "an unknown total stays unknown");
        assertEquals(new JsonArray().add("dense"), new JsonArray(List.of("dense")));
    }
}
