package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        JsonObject reply = b.toJson().put("degraded", true).put("warning", "BM25 only");
        ContextBlock degraded = ContextBlock.fromJson(reply);
        assertTrue(degraded.degraded());
        assertEquals(reply, degraded.raw(), "the whole reply is kept");
        assertEquals(b.toJson(), degraded.toJson());
    }

    @Test
    void filtersParseByTheDaemonsRules() {
        assertEquals(FILTERS, SearchFilters.parse(FILTERS.toJson()));
        assertEquals(SearchFilters.NONE, SearchFilters.parse(new JsonObject()));
        SearchFilters lenient = SearchFilters.parse(new JsonObject().put("min_timestamp", "2025-01-31T00:00:00Z")
                .put("metadata_equals", new JsonObject().put("year", 2024).put("draft", false)));
        assertEquals(1_738_281_600_000L, lenient.minTimestamp(), "an ISO-8601 instant is epoch milliseconds");
        assertEquals(Map.of("year", "2024", "draft", "false"), lenient.metadataEquals());
        assertEquals(List.of("year", "draft"), List.copyOf(lenient.metadataEquals().keySet()), "in the given order");
        Map<JsonObject, String> refused = new java.util.LinkedHashMap<>();
        refused.put(new JsonObject().put("colour", "red"), "unknown filter 'colour' (known: document_ids,"
                + " max_timestamp, metadata_contains, metadata_equals, min_timestamp, source_url_prefix)");
        refused.put(new JsonObject().put("source_url_prefix", ""), "filters.source_url_prefix must be a non-empty"
                + " string");
        refused.put(new JsonObject().put("document_ids", new JsonArray().add(1)), "filters.document_ids must be an"
                + " array of strings");
        refused.put(new JsonObject().put("metadata_equals", "x"), "filters.metadata_equals must be an object of"
                + " key: value strings");
        refused.put(new JsonObject().put("metadata_contains", new JsonObject().put("k", new JsonArray())),
                "filters.metadata_contains.k must be a string (text the value contains) or a non-empty array of"
                        + " strings (values it may equal), got an array");
        refused.put(new JsonObject().put("max_timestamp", "yesterday"), "filters.max_timestamp must be epoch"
                + " milliseconds or an ISO-8601 instant, got 'yesterday'");
        refused.put(new JsonObject().put("max_timestamp", true), "filters.max_timestamp must be epoch milliseconds"
                + " or an ISO-8601 instant");
        refused.forEach((f, message) -> {
            DindexException e = assertThrows(DindexException.class, () -> SearchFilters.parse(f));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertEquals(message, e.getMessage());
        });
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
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put("z", "last letter");
        meta.put("a", "first letter");
        IndexDocument extracted = IndexDocument.extracted("/home/me/tides.pdf", null, null, "pdf", meta,
                1_700_000_000_000L, List.of(new IndexDocument.Block(List.of("Sea", "Tides"), "Tides follow the"
                        + " moon."), new IndexDocument.Block(List.of(), "Twice a day.")));
        JsonObject wire = extracted.toJson();
        assertEquals(extracted, IndexDocument.fromJson(wire));
        assertEquals(List.of("source", "format", "metadata", "timestamp", "blocks"), List.copyOf(wire.fieldNames()),
                "no text, title or url when there are none");
        assertEquals(List.of("z", "a"), List.copyOf(wire.getJsonObject("metadata").fieldNames()),
                "metadata in the given order");
        assertEquals(new JsonObject().put("section", new JsonArray().add("Sea").add("Tides")).put("text",
                "Tides follow the moon."), wire.getJsonArray("blocks").getJsonObject(0));
        assertNull(IndexDocument.fromJson(d.toJson()).blocks(), "text content has no blocks");
        assertEquals(List.of(), IndexDocument.fromJson(extracted.toJson().put("blocks", new JsonArray())).blocks(),
                "an empty list of blocks stays one (the daemon says there is nothing to index)");

        List<IndexOutcome> outcomes = List.of(new IndexOutcome("/a.md", "d1", "indexed", 3, null),
                new IndexOutcome("/b.md", null, "failed", 0, "/b.md: no text to index (empty document)"));
        assertEquals(outcomes, IndexOutcome.listFromJson(IndexOutcome.listToJson(outcomes)));
        assertTrue(outcomes.get(1).failed());
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

    @Test
    void daemonRequestsAndReplies() {
        DaemonStatus status = new DaemonStatus(4242, "1.2.0", "running", "/run/d.sock", "/data");
        assertEquals(status, DaemonStatus.fromJson(status.toJson()));
        JsonObject full = status.toJson().put("uptime_ms", 1234).put("memory", new JsonObject().put("heap", 1));
        assertEquals(full, DaemonStatus.fromJson(full).raw(), "the whole status is kept");
        assertEquals(-1, DaemonStatus.fromJson(new JsonObject()).pid());

        for (DeleteSelector s : List.of(DeleteSelector.documents(List.of("d1", "d2")),
                DeleteSelector.sourcePrefix("/home/me/notes/"))) {
            assertEquals(s, DeleteSelector.fromJson(s.toJson()));
            assertEquals(1, s.toJson().size(), "exactly one selector on the wire");
        }
        assertEquals(new JsonObject().put("doc_ids", new JsonArray().add("d1")),
                DeleteSelector.documents(List.of("d1")).toJson());
        assertEquals(new JsonObject().put("source_prefix", "/x"), DeleteSelector.sourcePrefix("/x").toJson());
        assertThrows(IllegalArgumentException.class, () -> new DeleteSelector(List.of("d1"), "/x"));
        assertThrows(IllegalArgumentException.class, () -> new DeleteSelector(null, null));

        for (ExportRequest r : List.of(ExportRequest.first(1000), new ExportRequest(10, "d1-0003"))) {
            assertEquals(r, ExportRequest.fromJson(r.toJson()));
        }
        assertEquals(new JsonObject().put("limit", 1000), ExportRequest.first(1000).toJson());
        ExportPage page = new ExportPage(List.of(new JsonObject().put("chunk_id", "d1-0000").put("text", "a"),
                new JsonObject().put("chunk_id", "d1-0001").put("metadata", new JsonObject().put("k", "v"))),
                "d1-0001");
        assertEquals(page, ExportPage.fromJson(page.toJson()));
        assertEquals(new ExportRequest(1000, "d1-0001"), ExportRequest.first(1000).next(page));
        ExportPage last = new ExportPage(List.of(), null);
        assertEquals(last, ExportPage.fromJson(last.toJson()));
        assertTrue(last.last());
    }

    @Test
    void jobRequestsAndReplies() {
        ScrapeRequest full = new ScrapeRequest(List.of("https://example.org/", "https://example.com/a"), true, 3,
                50, 500, 250L, 2, "/docs/", "\\.pdf$");
        for (ScrapeRequest r : List.of(full, ScrapeRequest.of(List.of("https://example.org/")),
                ScrapeRequest.pagesOnly(List.of("https://example.org/a", "https://example.org/b")))) {
            assertEquals(r, ScrapeRequest.fromJson(r.toJson()));
        }
        assertEquals(List.of("urls", "stay_on_domain", "depth", "max_pages", "max_requests", "delay_ms",
                "concurrency", "include", "exclude"), List.copyOf(full.toJson().fieldNames()),
                "the order the daemon keeps as the job's parameters");
        assertEquals(new JsonObject().put("urls", new JsonArray().add("https://example.org/a")).put("stay_on_domain",
                false).put("depth", 0).put("max_pages", 1), ScrapeRequest.pagesOnly(List.of("https://example.org/a"))
                .toJson());

        ImportRequest imp = new ImportRequest("/data/dump.xml.bz2", "wikipedia-xml", List.of(0, 14), 1000L, 0,
                "import-1a2b3c4d");
        assertEquals(imp, ImportRequest.fromJson(imp.toJson()));
        assertEquals(List.of("path", "format", "namespaces", "max_docs", "min_length", "resume"),
                List.copyOf(imp.toJson().fieldNames()));
        ImportRequest plain = ImportRequest.of(java.nio.file.Path.of("notes/../notes.jsonl"));
        assertEquals(plain, ImportRequest.fromJson(plain.toJson()));
        assertEquals(java.nio.file.Path.of("notes.jsonl").toAbsolutePath().toString(), plain.path(),
                "absolute and normalized: the daemon's working folder is not the caller's");
        assertEquals(1, plain.toJson().size(), "the daemon's defaults stay off the wire");

        for (JobsQuery q : List.of(JobsQuery.ALL, JobsQuery.inState("running"), new JobsQuery("failed", "scrape"))) {
            assertEquals(q, JobsQuery.fromJson(q.toJson()));
        }
        assertEquals(new JsonObject(), JobsQuery.ALL.toJson());
        assertEquals(JobsQuery.ALL, JobsQuery.inState(null));

        JsonObject job = new JsonObject().put("id", "scrape-1a2b3c4d").put("type", "scrape").put("state",
                "completed").put("stage", "completed").put("current", 2).put("total", 2).put("unit", "pages")
                .put("counters", new JsonObject().put("indexed", 2)).put("error", null);
        JobEvents events = new JobEvents(JobInfo.fromJson(job), List.of(new JsonObject().put("type", "item")
                .put("job_id", "scrape-1a2b3c4d").put("seq", 1).put("event", new JsonObject().put("kind", "indexed")
                        .put("url", "https://example.org/"))));
        JobEvents back = JobEvents.fromJson(events.toJson());
        assertEquals(events.events(), back.events());
        assertEquals(events.job().raw(), back.job().raw());
        assertEquals(List.of(), JobEvents.fromJson(new JsonObject().put("job", job)).events(),
                "a reply asked without events has none");
    }

    @Test
    void watchRequest() {
        for (WatchRequest w : List.of(WatchRequest.of(List.of(java.nio.file.Path.of("/notes"))),
                new WatchRequest(List.of("/a", "/b"), List.of("*.md"), List.of("drafts", "**/*.tmp"), true, false))) {
            assertEquals(w, WatchRequest.fromJson(w.toJson()));
            assertEquals(w.toJson(), new JsonObject(w.toJson().encode()), "the wire form is plain JSON");
        }
        assertEquals(new JsonObject().put("paths", new JsonArray().add("/notes")),
                WatchRequest.of(List.of(java.nio.file.Path.of("/notes/./"))).toJson(), "defaults stay off the wire");
    }
}
