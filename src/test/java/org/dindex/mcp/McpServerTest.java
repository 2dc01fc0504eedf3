package org.dindex.mcp;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.support.Await;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.dindex.mcp.McpProcess.errorCode;
import static org.dindex.mcp.McpProcess.isError;
import static org.dindex.mcp.McpProcess.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One MCP conversation with a real {@code dindex mcp} process against a real daemon (in this JVM, on its socket),
 * in the order a client would have it: initialize, list the tools, call each of them on real files and a real web
 * page (a Vert.x server on loopback), then malformed requests, after which the server must still answer.
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class McpServerTest {
    static EmbeddedDaemon daemon;
    static Vertx web;
    static HttpServer server;
    static String base;
    static Path corpus;
    static McpProcess mcp;

    static String page(String title, String body, String... links) {
        StringBuilder sb = new StringBuilder("<html><head><title>").append(title).append("</title></head><body><main>")
                .append("<h1>").append(title).append("</h1><p>").append(body).append("</p>");
        for (String link : links) {
            sb.append("<a href=\"").append(link).append("\">").append(link).append("</a> ");
        }
        return sb.append("</main></body></html>").toString();
    }

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> pages = Map.of(
                "/lighthouse-history", page("History of lighthouse lenses", "The Fresnel lens, invented by"
                        + " Augustin-Jean Fresnel in 1822, let a small lamp throw a beam visible twenty miles out"
                        + " at sea."),
                "/garden", page("Garden society", "The valley garden society meets every spring to swap"
                        + " seedlings.", "/garden/roses"),
                "/garden/roses", page("Pruning roses", "Prune roses in late winter, cutting each cane just above"
                        + " an outward-facing bud so the bush stays open to light and air."));
        web = Vertx.vertx();
        server = web.createHttpServer().requestHandler(req -> {
            String body = pages.get(req.path());
            if (body == null) {
                req.response().setStatusCode(404).end("not found");
            } else {
                req.response().putHeader("content-type", "text/html; charset=utf-8").end(body);
            }
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();

        daemon = EmbeddedDaemon.start(Map.of(), List.of());
        corpus = Files.createDirectories(daemon.root.resolve("corpus"));
        Files.writeString(corpus.resolve("keepers.md"), "# Lighthouse keepers\n\nThe keeper trimmed the lamp wick"
                + " every four hours and wound the clockwork that turned the lens.\n\n## Storms\n\nIn winter"
                + " storms the keeper stayed awake all night so the light never went out.\n");
        Files.writeString(corpus.resolve("bread.txt"), "A sourdough starter is flour and water fermented by wild"
                + " yeast and lactic acid bacteria. Feed it daily and it will raise bread without baker's yeast.");
        Files.write(corpus.resolve("picture.bin"), new byte[] {0, 1, 2, 3, 0, 0, 0, 5, 0, 0});
        // No auto-start: this conversation must use the daemon above, never start one of its own.
        mcp = McpProcess.start(daemon.paths.dataDir(), daemon.paths.socket(), daemon.root.resolve("mcp.err"),
                McpProcess.env("DINDEX_NO_AUTOSTART", "1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (mcp != null) {
            mcp.close();
        }
        if (daemon != null) {
            daemon.close();
        }
        if (web != null) {
            web.close().await(10, TimeUnit.SECONDS);
        }
    }

    static JsonObject args(Object... pairs) {
        JsonObject o = new JsonObject();
        for (int i = 0; i < pairs.length; i += 2) {
            o.put((String) pairs[i], pairs[i + 1]);
        }
        return o;
    }

    /** A successful tool call's structured content, after checking the text says the same as JSON. */
    static JsonObject ok(JsonObject result) {
        assertFalse(isError(result), () -> "tool error: " + result.encode());
        JsonObject structured = result.getJsonObject("structuredContent");
        assertNotNull(structured, result::encode);
        return structured;
    }

    @Test
    @Order(1)
    void initializeNegotiatesTheProtocol() throws Exception {
        JsonObject answer = mcp.request("initialize", args("protocolVersion", "2025-06-18",
                "capabilities", new JsonObject(), "clientInfo", args("name", "dindex-test", "version", "1")));
        JsonObject result = answer.getJsonObject("result");
        assertNotNull(result, answer::encode);
        assertEquals("2025-06-18", result.getString("protocolVersion"));
        assertEquals("dindex", result.getJsonObject("serverInfo").getString("name"));
        assertNotNull(result.getJsonObject("capabilities").getJsonObject("tools"));
        assertTrue(result.getString("instructions").contains("context"));
        mcp.notify("notifications/initialized", null);
        assertEquals(new JsonObject(), mcp.request("ping", null).getJsonObject("result"));
    }

    @Test
    @Order(2)
    void toolsListDescribesSixTools() throws Exception {
        JsonArray tools = mcp.request("tools/list", new JsonObject()).getJsonObject("result").getJsonArray("tools");
        Set<String> names = new HashSet<>();
        for (Object o : tools) {
            JsonObject tool = (JsonObject) o;
            names.add(tool.getString("name"));
            assertTrue(tool.getString("description").length() > 80, tool::encode);
            JsonObject schema = tool.getJsonObject("inputSchema");
            assertEquals("object", schema.getString("type"));
            schema.getJsonObject("properties").forEach(p -> assertFalse(((JsonObject) p.getValue())
                    .getString("description", "").isBlank(), () -> tool.getString("name") + "." + p.getKey()));
        }
        assertEquals(Set.of("search", "context", "index", "scrape", "job_status", "stats"), names);
        JsonObject search = tools.stream().map(JsonObject.class::cast).filter(t -> t.getString("name")
                .equals("search")).findFirst().orElseThrow();
        assertEquals(new JsonArray().add("query"), search.getJsonObject("inputSchema").getJsonArray("required"));
        assertTrue(search.getJsonObject("annotations").getBoolean("readOnlyHint"));
    }

    @Test
    @Order(3)
    void statsOfTheEmptyIndex() throws Exception {
        JsonObject stats = ok(mcp.callTool("stats", new JsonObject()));
        assertEquals(0, stats.getInteger("documents"));
        assertEquals("all-minilm-l6-v2-q", stats.getJsonObject("model").getString("name"));
    }

    @Test
    @Order(4)
    void indexFilesMakesThemSearchable() throws Exception {
        JsonObject result = mcp.callTool("index", args("paths", new JsonArray().add(corpus.toString()),
                "metadata", args("shelf", "home")));
        JsonObject files = ok(result).getJsonObject("files");
        assertEquals(2, files.getInteger("indexed"), files::encode);
        assertEquals(1, files.getInteger("skipped"));
        assertTrue(files.getBoolean("searchable"));
        assertTrue(files.getJsonArray("problems").getJsonObject(0).getString("source").endsWith("picture.bin"));
        assertTrue(text(result).startsWith("files: 3 found; indexed 2"), text(result));
        assertEquals(2, ok(mcp.callTool("stats", new JsonObject())).getInteger("documents"));

        // The same files with the same metadata: nothing to embed again.
        JsonObject again = ok(mcp.callTool("index", args("paths", new JsonArray().add(corpus.toString()), "metadata",
                args("shelf", "home"))));
        assertEquals(2, again.getJsonObject("files").getInteger("unchanged"), again::encode);
    }

    @Test
    @Order(5)
    void searchReturnsDocumentsWithCitations() throws Exception {
        JsonObject result = mcp.callTool("search", args("query", "who kept the lighthouse lamp burning at night",
                "top_k", 5));
        JsonObject found = ok(result);
        assertEquals(found, new JsonObject(text(result)), "the text is the structured content as JSON");
        JsonObject first = found.getJsonArray("results").getJsonObject(0);
        assertEquals(1, first.getInteger("citation"));
        assertTrue(first.getString("source").endsWith("keepers.md"), first::encode);
        assertEquals("Lighthouse keepers", first.getString("title"));
        assertEquals("home", first.getJsonObject("metadata").getString("shelf"));
        JsonObject passage = first.getJsonArray("passages").getJsonObject(0);
        assertTrue(passage.getString("content").contains("keeper"), passage::encode);
        assertTrue(passage.getString("section").startsWith("Lighthouse keepers"), passage::encode);
        assertEquals(1, found.getJsonArray("citations").getJsonObject(0).getInteger("number"));

        JsonObject filtered = ok(mcp.callTool("search", args("query", "lamp", "mode", "bm25",
                "filters", args("source_url_prefix", corpus.resolve("bread.txt").toString()))));
        assertEquals(0, filtered.getJsonArray("results").size(), filtered::encode);
        JsonObject byMeta = ok(mcp.callTool("search", args("query", "sourdough starter",
                "filters", args("metadata_equals", args("shelf", "home")))));
        assertTrue(byMeta.getJsonArray("results").getJsonObject(0).getString("source").endsWith("bread.txt"));
    }

    @Test
    @Order(6)
    void contextReturnsThePromptReadyBlock() throws Exception {
        JsonObject result = mcp.callTool("context", args("query", "how do I keep a sourdough starter alive",
                "budget", 300));
        JsonObject context = ok(result);
        String block = text(result);
        assertTrue(block.startsWith("[1]"), block);
        assertTrue(block.contains("Sources:") && block.contains("bread.txt"), block);
        assertEquals(block, context.getString("context"));
        assertTrue(context.getInteger("tokens") <= 300, context::encode);
    }

    @Test
    @Order(7)
    void indexUrlWaitsForThePage() throws Exception {
        String url = base + "/lighthouse-history";
        JsonObject result = mcp.callTool("index", args("urls", new JsonArray().add(url), "wait_seconds", 120));
        JsonObject job = ok(result).getJsonObject("urls");
        assertEquals("completed", job.getString("state"), job::encode);
        assertEquals(1, job.getJsonObject("counters").getInteger("indexed"), job::encode);
        assertEquals(0, job.getJsonObject("params").getInteger("depth"));
        assertTrue(text(result).contains("searchable now"), text(result));

        JsonObject found = ok(mcp.callTool("search", args("query", "Fresnel lens", "mode", "bm25")));
        assertEquals(url, found.getJsonArray("results").getJsonObject(0).getString("url"), found::encode);
    }

    @Test
    @Order(8)
    void scrapeAndFollowTheJob() throws Exception {
        JsonObject waited = ok(mcp.callTool("scrape", args("urls", new JsonArray().add(base + "/garden"), "depth", 1,
                "wait_seconds", 120)));
        assertEquals("completed", waited.getString("state"), waited::encode);
        assertEquals(2, waited.getJsonObject("counters").getInteger("indexed"), waited::encode);
        assertTrue(waited.getJsonArray("events").stream().map(JsonObject.class::cast)
                .anyMatch(e -> e.getString("url").endsWith("/garden/roses") && "indexed".equals(e.getString("kind"))),
                waited::encode);

        // Without waiting: the job id comes back at once and job_status follows it.
        JsonObject started = mcp.callTool("scrape", args("urls", new JsonArray().add(base + "/garden/roses"),
                "depth", 0));
        String id = ok(started).getString("id");
        assertTrue(text(started).contains("job_status"), text(started));
        JsonObject status = Await.value(Duration.ofSeconds(120), Duration.ofMillis(200), "job_status says " + id
                + " completed", () -> ok(mcp.callTool("job_status", args("id", id))),
                s -> "completed".equals(s.getString("state")));
        assertEquals("completed", status.getString("state"), status::encode);
        assertFalse(status.containsKey("checkpoint"));

        JsonObject list = ok(mcp.callTool("job_status", new JsonObject()));
        assertEquals(3, list.getInteger("total"), list::encode);
        assertEquals(id, list.getJsonArray("jobs").getJsonObject(0).getString("id"), "newest first");
    }

    @Test
    @Order(9)
    void concurrentCallsAreAnsweredByTheirIds() throws Exception {
        long search = mcp.send("tools/call", args("name", "search", "arguments", args("query", "pruning roses")));
        long stats = mcp.send("tools/call", args("name", "stats", "arguments", new JsonObject()));
        JsonObject statsAnswer = mcp.answer(stats).getJsonObject("result");
        JsonObject searchAnswer = mcp.answer(search).getJsonObject("result");
        assertEquals(5, ok(statsAnswer).getInteger("documents"));
        assertTrue(ok(searchAnswer).getJsonArray("results").getJsonObject(0).getString("url").endsWith("/roses"));
    }

    @Test
    @Order(10)
    void malformedMessagesGetJsonRpcErrors() throws Exception {
        mcp.sendLine("{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": \"tools/call\", \"params\": {");
        JsonObject parse = mcp.answer(null);
        assertEquals(-32700, errorCode(parse));
        assertTrue(parse.getJsonObject("error").getString("message").contains("not valid JSON"));

        mcp.sendLine("[{\"jsonrpc\": \"2.0\", \"id\": 98, \"method\": \"ping\"}]");
        assertEquals(-32600, errorCode(mcp.answer(null)));
        mcp.sendLine("{\"jsonrpc\": \"1.0\", \"id\": 97, \"method\": \"ping\"}");
        assertEquals(-32600, errorCode(mcp.answer(97)));
        mcp.sendLine("{\"jsonrpc\": \"2.0\", \"id\": 96}");
        assertEquals(-32600, errorCode(mcp.answer(96)));

        assertEquals(-32601, errorCode(mcp.request("resources/read", args("uri", "file:///etc/passwd"))));
        assertEquals(-32601, errorCode(mcp.request("no/such/method", new JsonObject())));

        JsonObject unknownTool = mcp.request("tools/call", args("name", "delete_everything", "arguments",
                new JsonObject()));
        assertEquals(-32602, errorCode(unknownTool));
        assertTrue(unknownTool.getJsonObject("error").getString("message").contains("delete_everything"));
        assertEquals(-32602, errorCode(mcp.request("tools/call", args("name", "search", "arguments", "lamp"))));
        assertEquals(-32602, errorCode(mcp.request("tools/call", new JsonObject())));
        assertAlive();
    }

    @Test
    @Order(11)
    void badArgumentsAreToolErrors() throws Exception {
        Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put(args("top_k", 3).encode(), "'query' is required");
        expected.put(args("query", "lamp", "top_k", "lots").encode(), "'top_k' must be an integer, got the string");
        expected.put(args("query", "lamp", "top_k", "5").encode(), "'top_k' must be an integer, got the string \"5\"");
        expected.put(args("query", "lamp", "top_k", 0).encode(), "'top_k' must be between 1 and 100, got 0");
        expected.put(args("query", "lamp", "mode", "fuzzy").encode(), "'mode' must be one of hybrid, dense, bm25");
        expected.put(args("query", "lamp", "topk", 3).encode(), "unknown argument 'topk' (known: collection,"
                + " collections, filters, mode, query, top_k)");
        expected.put(args("query", "lamp", "filters", args("colour", "red")).encode(), "unknown filter 'colour'");
        expected.put(args("query", "lamp", "filters", "red").encode(), "'filters' must be an object");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            JsonObject result = mcp.callTool("search", new JsonObject(e.getKey()));
            assertTrue(isError(result), result::encode);
            assertTrue(text(result).contains(e.getValue()), () -> e.getKey() + " -> " + text(result));
        }

        JsonObject plainString = mcp.callTool("index", args("paths", "/tmp"));
        assertTrue(isError(plainString) && text(plainString).contains("'paths' must be an array of strings, got the"
                + " string \"/tmp\""), plainString::encode);
        JsonObject noSuchPath = mcp.callTool("index", args("paths", new JsonArray().add("/no/such/folder")));
        assertTrue(isError(noSuchPath) && text(noSuchPath).contains("no such file or folder: /no/such/folder"),
                noSuchPath::encode);
        JsonObject nothing = mcp.callTool("index", new JsonObject());
        assertTrue(isError(nothing) && text(nothing).contains("give 'paths'"), nothing::encode);
        JsonObject badUrl = mcp.callTool("scrape", args("urls", new JsonArray().add("ftp://example.org/")));
        assertTrue(isError(badUrl), badUrl::encode);
        JsonObject unknownJob = mcp.callTool("job_status", args("id", "scrape-0000abcd"));
        assertTrue(isError(unknownJob) && text(unknownJob).startsWith("not found"), unknownJob::encode);
        JsonObject budget = mcp.callTool("context", args("query", "lamp", "budget", 10));
        assertTrue(isError(budget) && text(budget).contains("'budget' must be between 50"), budget::encode);
        assertAlive();
    }

    @Test
    @Order(12)
    void toolsAddressTheCollectionTheyAreGiven() throws Exception {
        try (org.dindex.client.DindexClient c = daemon.client()) {
            c.request(org.dindex.protocol.Addresses.COLLECTIONS_CREATE, new JsonObject().put("name", "orchard"));
        }
        Path orchard = Files.createDirectories(daemon.root.resolve("orchard"));
        Files.writeString(orchard.resolve("apples.md"), "# Apple trees\n\nGraft apple scions onto rootstock in early"
                + " spring, before the buds break.\n");
        JsonObject indexed = ok(mcp.callTool("index", args("paths", new JsonArray().add(orchard.toString()),
                "collection", "orchard")));
        assertEquals(1, indexed.getJsonObject("files").getInteger("indexed"), indexed::encode);
        JsonObject inOrchard = ok(mcp.callTool("search", args("query", "grafting apple trees", "collection",
                "orchard")));
        assertTrue(inOrchard.getJsonArray("results").getJsonObject(0).getString("source").endsWith("apples.md"));
        JsonObject inDefault = ok(mcp.callTool("search", args("query", "grafting apple scions rootstock", "mode",
                "bm25")));
        assertTrue(inDefault.getJsonArray("results").isEmpty(), "the default collection holds no orchard file");
        JsonObject both = ok(mcp.callTool("search", args("query", "grafting apples and baking bread", "collections",
                new JsonArray().add("default").add("orchard"))));
        Set<String> from = new HashSet<>();
        both.getJsonArray("results").forEach(r -> from.add(((JsonObject) r).getString("collection")));
        assertEquals(Set.of("default", "orchard"), from, both::encode);
        JsonObject context = ok(mcp.callTool("context", args("query", "when to graft apple trees", "collection",
                "orchard")));
        assertTrue(context.getString("context").contains("rootstock"), context::encode);
        JsonObject stats = ok(mcp.callTool("stats", args("collection", "orchard")));
        assertEquals(1, stats.getInteger("documents"));
        assertEquals("orchard", stats.getString("collection"));
        JsonObject all = ok(mcp.callTool("stats", new JsonObject()));
        assertEquals(2, all.getJsonArray("collections").size(), all::encode);
        JsonObject bad = mcp.callTool("search", args("query", "x", "collection", "Orchard"));
        assertTrue(isError(bad) && text(bad).contains("lower-case letters, digits"), bad::encode);
        JsonObject missing = mcp.callTool("search", args("query", "x", "collection", "cellar"));
        assertTrue(isError(missing) && text(missing).contains("no collection 'cellar'"), missing::encode);
        assertAlive();
    }

    @Test
    @Order(13)
    void stdoutCarriedOnlyJsonRpcAndStdinEndsTheServer() throws Exception {
        assertEquals(List.of(), mcp.stray, "stdout lines that are not JSON-RPC");
        assertEquals(0, mcp.closeInput(Duration.ofSeconds(30)), mcp.stderrText());
        assertEquals(List.of(), mcp.stray);
    }

    /** The server still works after whatever came before. */
    static void assertAlive() throws Exception {
        assertTrue(mcp.process.isAlive());
        assertEquals(new JsonObject(), mcp.request("ping", null).getJsonObject("result"));
        JsonObject found = ok(mcp.callTool("search", args("query", "sourdough", "mode", "bm25")));
        assertFalse(found.getJsonArray("results").isEmpty());
    }
}
