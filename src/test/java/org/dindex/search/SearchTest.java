package org.dindex.search;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.client.DindexClient;
import org.dindex.embed.ModelCatalog;
import org.dindex.embed.OnnxEmbedder;
import org.dindex.support.EmbeddedDaemon;
import org.dindex.support.Europarl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Search through a real daemon (real model, Lucene, jvector) on real text plus a few known-answer documents. */
@Timeout(600)
class SearchTest {
    static EmbeddedDaemon daemon;
    static DindexClient client;
    static final int EUROPARL = 300;

    static final List<String[]> KNOWN = List.of(
            new String[]{"mem://animals/panda", "Giant pandas (Ailuropoda)", "The giant panda lives in the mountain"
                    + " forests of Sichuan and feeds almost entirely on bamboo shoots and leaves, eating for up to"
                    + " fourteen hours a day."},
            new String[]{"mem://space/mars", "Mars rovers", "Robotic rovers such as Curiosity and Perseverance drive"
                    + " across the red planet, drilling rocks and searching for signs of ancient microbial life."},
            new String[]{"mem://cooking/bread", "Sourdough", "Sourdough bread rises thanks to a starter of wild"
                    + " yeast and lactic acid bacteria; the dough ferments slowly before it is baked in a hot oven."});

    static JsonObject doc(String source, String title, String text, Map<String, Object> meta, long timestamp) {
        return new JsonObject().put("source", source).put("title", title).put("text", text)
                .put("metadata", new JsonObject(meta)).put("timestamp", timestamp);
    }

    @BeforeAll
    static void start() throws Exception {
        // Filters accepting more than 2 chunks search the graph with accepted-ordinal bits; smaller ones score exactly.
        daemon = EmbeddedDaemon.start(Map.of("search.exact_filter_below", 2), List.of());
        client = daemon.client();
        List<Europarl.Line> lines = Europarl.english(EUROPARL);
        JsonArray batch = new JsonArray();
        for (int i = 0; i < lines.size(); i++) {
            String group = i % 100 == 7 ? "rare" : "common";
            batch.add(doc("europarl://" + i, lines.get(i).title(), lines.get(i).text(),
                    Map.of("group", group, "lang", "en"), 1_000_000L + i));
            if (batch.size() == 25) {
                submit(batch);
                batch = new JsonArray();
            }
        }
        for (String[] k : KNOWN) {
            batch.add(doc(k[0], k[1], k[2], Map.of("group", "known", "topic", k[0].split("/")[2]), 5_000_000L));
        }
        submit(batch);
        client.request(Addresses.COMMIT, new JsonObject());
    }

    static void submit(JsonArray docs) {
        client.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", docs), Duration.ofMinutes(10));
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        daemon.close();
    }

    static JsonObject search(JsonObject body) {
        return client.request(Addresses.SEARCH, body);
    }

    static JsonObject search(String query, String mode, int topK) {
        return search(new JsonObject().put("query", query).put("mode", mode).put("top_k", topK));
    }

    static String firstSource(JsonObject r) {
        return r.getJsonArray("results").getJsonObject(0).getString("source");
    }

    @Test
    void knownAnswersInEveryMode() {
        for (String mode : List.of("bm25", "dense", "hybrid")) {
            assertEquals("mem://animals/panda", firstSource(search("giant panda bamboo", mode, 5)), mode);
            assertEquals("mem://space/mars", firstSource(search("rover on Mars looking for life", mode, 5)), mode);
        }
        // A paraphrase with no shared word: only meaning can find it.
        JsonObject dense = search("which animal chews plant stems all day long", "dense", 5);
        assertEquals("mem://animals/panda", firstSource(dense));
        JsonObject hybrid = search("how is leavened loaf made with natural ferment", "hybrid", 5);
        assertEquals("mem://cooking/bread", firstSource(hybrid));
    }

    /**
     * A word found only in a title matches the document's chunks and nothing else: document records carry the title
     * too, stored but not indexed, which is what lets an unfiltered text query skip the kind filter.
     */
    @Test
    void aTitleOnlyWordFindsTheChunksAndNeverTheDocumentRecord() {
        for (String mode : List.of("bm25", "hybrid")) {
            JsonObject r = search("Ailuropoda", mode, 10);
            if (mode.equals("bm25")) {
                assertEquals(1, r.getInteger("total_documents"), r.encodePrettily());
                assertEquals(1, r.getInteger("total_chunks"), r.encodePrettily());
            }
            int bm25Hits = 0;
            for (Object o : r.getJsonArray("results")) {
                JsonObject doc = (JsonObject) o;
                for (Object c : doc.getJsonArray("chunks")) {
                    JsonObject chunk = (JsonObject) c;
                    assertTrue(chunk.getString("chunk_id").startsWith(doc.getString("document_id") + "-"), mode);
                    if (chunk.getJsonArray("matched_by").contains("bm25")) {
                        // Only the panda's chunk has the word (in its title); hybrid adds dense neighbours.
                        assertEquals("mem://animals/panda", doc.getString("source"), mode);
                        assertTrue(chunk.getString("content").contains("bamboo"), mode);
                        bm25Hits++;
                    }
                }
            }
            assertEquals(1, bm25Hits, mode + ": " + r.encodePrettily());
        }
    }

    @Test
    void resultsFollowTheGroupingAndCitationContract() {
        JsonObject r = search("fisheries policy of the European Union", "hybrid", 20);
        JsonArray results = r.getJsonArray("results");
        JsonArray citations = r.getJsonArray("citations");
        assertEquals(results.size(), r.getInteger("total_documents"));
        assertEquals(results.size(), citations.size());
        int chunks = 0;
        List<Integer> ranks = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            JsonObject doc = results.getJsonObject(i);
            assertEquals(i + 1, doc.getInteger("citation"));
            JsonObject citation = citations.getJsonObject(i);
            assertEquals(i + 1, citation.getInteger("number"));
            assertEquals(doc.getString("document_id"), citation.getString("document_id"));
            assertEquals(doc.getString("source"), citation.getString("source"));
            for (Object o : doc.getJsonArray("chunks")) {
                JsonObject c = (JsonObject) o;
                chunks++;
                ranks.add(c.getInteger("rank"));
                assertEquals(i + 1, c.getInteger("citation"));
                assertTrue(c.getString("chunk_id").startsWith(doc.getString("document_id") + "-"));
                JsonObject score = c.getJsonObject("score");
                assertNotNull(score.getValue("fused"));
                assertEquals(score.getValue("dense") != null, c.getJsonArray("matched_by").contains("dense"));
                assertEquals(score.getValue("bm25") != null, c.getJsonArray("matched_by").contains("bm25"));
                assertTrue(c.getDouble("position") >= 0 && c.getDouble("position") <= 1);
                assertTrue(c.getString("snippet").length() <= 400, c.getString("snippet"));
            }
        }
        assertEquals(chunks, r.getInteger("total_chunks"));
        assertEquals(20, chunks);
        ranks.sort(Integer::compare);
        for (int i = 0; i < ranks.size(); i++) {
            assertEquals(i + 1, ranks.get(i), "ranks are 1..n");
        }
        assertTrue(r.getDouble("query_time_ms") > 0);
        String snippet = search("giant panda bamboo", "bm25", 1).getJsonArray("results").getJsonObject(0)
                .getJsonArray("chunks").getJsonObject(0).getString("snippet");
        assertTrue(snippet.contains("**panda**") && snippet.contains("**bamboo**"), snippet);
    }

    @Test
    void filtersApplyInsideBothRetrievers() {
        for (String mode : List.of("bm25", "dense", "hybrid")) {
            JsonObject r = search(new JsonObject().put("query", "parliament debate").put("mode", mode)
                    .put("top_k", 3).put("filters", new JsonObject().put("metadata_equals",
                            new JsonObject().put("group", "rare"))));
            // 1% of the documents: the filter must still fill top_k (BM25 can only return chunks with a query term).
            if (mode.equals("bm25")) {
                assertTrue(r.getInteger("total_chunks") >= 1, r.encode());
            } else {
                assertEquals(3, r.getInteger("total_chunks"), mode + ": " + r.encode());
            }
            for (Object o : r.getJsonArray("results")) {
                assertEquals("rare", ((JsonObject) o).getJsonObject("metadata").getString("group"));
            }
            JsonObject prefix = search(new JsonObject().put("query", "animals and planets").put("mode", mode)
                    .put("top_k", 10).put("filters", new JsonObject().put("source_url_prefix", "mem://")));
            assertEquals(mode.equals("bm25") ? 1 : 3, prefix.getInteger("total_documents"), mode);
            for (Object o : prefix.getJsonArray("results")) {
                assertTrue(((JsonObject) o).getString("source").startsWith("mem://"));
            }
            JsonObject contains = search(new JsonObject().put("query", "bamboo").put("mode", mode).put("top_k", 10)
                    .put("filters", new JsonObject().put("metadata_contains", new JsonObject().put("topic", "nima"))));
            assertEquals("mem://animals/panda", firstSource(contains), mode);
            assertEquals(1, contains.getInteger("total_documents"));
            JsonObject time = search(new JsonObject().put("query", "European Parliament").put("mode", mode).put("top_k", 50)
                    .put("filters", new JsonObject().put("min_timestamp", 1_000_010L).put("max_timestamp",
                            1_000_019L)));
            assertTrue(time.getInteger("total_documents") > 0 || mode.equals("bm25"), mode);
            for (Object o : time.getJsonArray("results")) {
                int n = Integer.parseInt(((JsonObject) o).getString("source").substring("europarl://".length()));
                assertTrue(n >= 10 && n <= 19, "timestamp filter: " + n);
            }
        }
        String pandaId = search("panda", "bm25", 1).getJsonArray("results").getJsonObject(0).getString("document_id");
        JsonObject byId = search(new JsonObject().put("query", "anything at all").put("mode", "dense")
                .put("filters", new JsonObject().put("document_ids", new JsonArray().add(pandaId))));
        assertEquals(1, byId.getInteger("total_documents"));
        assertEquals(pandaId, byId.getJsonArray("results").getJsonObject(0).getString("document_id"));
    }

    @Test
    void badRequestsGetClearErrors() {
        record Case(JsonObject body, String message) {
        }
        List<Case> cases = List.of(
                new Case(new JsonObject().put("query", ""), "query must be a non-empty string"),
                new Case(new JsonObject(), "query must be a non-empty string"),
                new Case(new JsonObject().put("query", "x".repeat(10_001)), "query is 10001 bytes, the limit is 10000"),
                new Case(new JsonObject().put("query", "q").put("top_k", 0), "top_k must be between 1 and 1000, got 0"),
                new Case(new JsonObject().put("query", "q").put("top_k", 1001),
                        "top_k must be between 1 and 1000, got 1001"),
                new Case(new JsonObject().put("query", "q").put("mode", "fuzzy"),
                        "mode must be hybrid, dense or bm25, got 'fuzzy'"),
                new Case(new JsonObject().put("query", "q").put("filters", new JsonObject().put("colour", "red")),
                        "unknown filter 'colour'"),
                new Case(new JsonObject().put("query", "q").put("topk", 3), "unknown field 'topk'"),
                new Case(new JsonObject().put("query", "q").put("query_vector", "not base64!"),
                        "query_vector as a string must be base64 of little-endian float32 values: "),
                new Case(new JsonObject().put("query", "q").put("query_vector", "AAAA"),
                        "query_vector as a string must be base64 of little-endian float32 values, got 3 bytes"),
                new Case(new JsonObject().put("query", "q").put("query_vector", new JsonArray().add("x")),
                        "query_vector must be a non-empty array of numbers or a base64 string"),
                new Case(new JsonObject().put("query", "q").put("mode", "dense")
                        .put("query_vector", org.dindex.protocol.QueryVectors.encode(new float[]{1, 0, 0})),
                        "query_vector has 3 dimensions, the index uses 384"));
        for (Case c : cases) {
            DindexException e = assertThrows(DindexException.class, () -> search(c.body()));
            assertEquals(ErrorCode.BAD_REQUEST, e.code(), c.message());
            assertTrue(e.getMessage().startsWith(c.message()), e.getMessage() + " / " + c.message());
        }
    }

    @Test
    void aQueryVectorAsNumbersOrAsBase64GivesTheSameAnswer() {
        java.util.Random random = new java.util.Random(7);
        float[] v = new float[384];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        JsonArray numbers = new JsonArray();
        for (float x : v) {
            numbers.add(x);
        }
        JsonObject asNumbers = search(new JsonObject().put("query", "ignored in dense mode").put("mode", "dense")
                .put("query_vector", numbers));
        JsonObject asBase64 = search(new JsonObject().put("query", "ignored in dense mode").put("mode", "dense")
                .put("query_vector", org.dindex.protocol.QueryVectors.encode(v)));
        assertTrue(asNumbers.getInteger("total_chunks") > 0, asNumbers.encode());
        asNumbers.remove("query_time_ms");
        asBase64.remove("query_time_ms");
        assertEquals(asNumbers, asBase64);
        float[] flipped = v.clone();
        flipped[0] = -flipped[0] * 50;
        JsonObject other = search(new JsonObject().put("query", "x").put("mode", "dense")
                .put("query_vector", org.dindex.protocol.QueryVectors.encode(flipped)));
        other.remove("query_time_ms");
        assertNotEquals(asNumbers, other, "the vector is what is searched");
    }

    @Test
    void adminRequestsRefuseBadInputWithoutTouchingTheIndex() {
        int before = client.request(Addresses.STATS, new JsonObject()).getInteger("documents");
        DindexException clear = assertThrows(DindexException.class,
                () -> client.request(Addresses.CLEAR, new JsonObject()));
        assertEquals("clearing deletes every document: send {\"confirm\": true}", clear.getMessage());
        DindexException page = assertThrows(DindexException.class,
                () -> client.request(Addresses.EXPORT, new JsonObject().put("limit", 0)));
        assertEquals("'limit' must be between 1 and 5000, got 0", page.getMessage());
        DindexException delete = assertThrows(DindexException.class,
                () -> client.request(Addresses.DELETE, new JsonObject().put("source_prefix", "")));
        assertTrue(delete.getMessage().startsWith("'source_prefix' must not be empty"), delete.getMessage());
        DindexException submit = assertThrows(DindexException.class,
                () -> client.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", "nope")));
        assertEquals("'documents' must be an array of documents", submit.getMessage());
        JsonObject partial = client.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents",
                new JsonArray().add(new JsonObject().put("title", "no source")).add("not an object")));
        assertEquals("document has no 'source' (or 'url')",
                partial.getJsonArray("results").getJsonObject(0).getString("error"));
        assertEquals("failed", partial.getJsonArray("results").getJsonObject(1).getString("status"));
        assertEquals(before, client.request(Addresses.STATS, new JsonObject()).getInteger("documents"));
    }

    @Test
    void contextStaysWithinTheBudgetByExactTokenCount() throws Exception {
        try (OnnxEmbedder model = OnnxEmbedder.load(ModelCatalog.byName("all-minilm-l6-v2-q").orElseThrow(), 1)) {
            for (int budget : new int[]{120, 600, 2000}) {
                JsonObject r = client.request(Addresses.CONTEXT, new JsonObject()
                        .put("query", "fisheries and the common agricultural policy").put("budget", budget));
                String context = r.getString("context");
                assertTrue(model.tokenizer().count(context) <= budget, budget + ": " + r.getInteger("tokens"));
                assertEquals(model.tokenizer().count(context), r.getInteger("tokens"));
                assertTrue(context.contains("[1] "), context);
                assertEquals(budget < 200, r.getBoolean("truncated"), "only the smallest budget cuts a passage");
                assertTrue(context.contains("\nSources:\n[1] "), context);
                int cited = r.getJsonArray("citations").size();
                for (int n = 1; n <= cited; n++) {
                    assertTrue(context.contains("[" + n + "] "), "citation " + n);
                }
            }
        }
        DindexException e = assertThrows(DindexException.class, () -> client.request(Addresses.CONTEXT,
                new JsonObject().put("query", "x").put("budget", 3)));
        assertTrue(e.getMessage().startsWith("budget must be a number of tokens between 50"), e.getMessage());
    }

    @Test
    void searchesDuringIngestNeverFailAndHitCountsOnlyGrow() throws Exception {
        List<Europarl.Line> lines = Europarl.english(EUROPARL + 60);
        AtomicBoolean done = new AtomicBoolean();
        List<Integer> counts = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        Thread searcher = Thread.ofPlatform().start(() -> {
            try (DindexClient c = daemon.client()) {
                while (!done.get()) {
                    JsonObject r = c.request(Addresses.SEARCH, new JsonObject().put("query", "zzqx report")
                            .put("mode", "bm25").put("top_k", 1000));
                    counts.add(r.getInteger("total_chunks"));
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        for (int i = EUROPARL; i < EUROPARL + 60; i += 10) {
            JsonArray batch = new JsonArray();
            for (int j = i; j < i + 10; j++) {
                batch.add(doc("europarl-late://" + j, "late", "zzqx " + lines.get(j).text(), Map.of(), 0));
            }
            submit(batch);
            client.request(Addresses.COMMIT, new JsonObject());
        }
        done.set(true);
        searcher.join();
        assertTrue(failures.isEmpty(), failures.toString());
        assertTrue(counts.size() > 3, "searches ran: " + counts.size());
        for (int i = 1; i < counts.size(); i++) {
            assertTrue(counts.get(i) >= counts.get(i - 1), "hit counts only grow: " + counts);
        }
        JsonObject after = search("zzqx report", "bm25", 1000);
        assertTrue(after.getInteger("total_chunks") >= 60);
    }

    @Test
    void emptyResultIsNotAnError() throws Exception {
        try (EmbeddedDaemon empty = EmbeddedDaemon.start(Map.of(), List.of()); DindexClient c = empty.client()) {
            for (String mode : List.of("bm25", "dense", "hybrid")) {
                JsonObject r = c.request(Addresses.SEARCH, new JsonObject().put("query", "anything").put("mode", mode));
                assertEquals(0, r.getInteger("total_chunks"));
                assertTrue(r.getJsonArray("results").isEmpty());
            }
        }
    }
}
