package org.dindex.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.support.EmbeddedDaemon;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MCP over HTTP ({@code /mcp}, the streamable HTTP transport) with the MCP Java SDK's own client against a real
 * daemon: initialize, list the tools, index a file under the import roots and find it with search; a file outside
 * the roots is refused. Then what a client that is not an MCP client gets: 401 without the key, 405 for GET, 415
 * for another content type, 403 for a foreign Origin, JSON-RPC errors for bad messages, 202 for a notification.
 */
@Timeout(300)
class McpHttpTest {
    static final String KEY = "mcp-key-1";
    static EmbeddedDaemon daemon;
    static ApiClient api;
    static Path roots;

    @BeforeAll
    static void start() throws Exception {
        roots = TestDirs.privateDir("mcp-roots");
        daemon = EmbeddedDaemon.start(Map.of("http.api_keys", KEY, "http.import_roots", roots.toString()), List.of());
        String base = daemon.client().request(Addresses.STATUS, new JsonObject()).getJsonObject("http")
                .getString("url");
        api = new ApiClient(base, KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
        TestDirs.deleteTree(roots);
    }

    static McpSyncClient client(String key) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(api.base())
                .endpoint("/mcp").jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
                .httpRequestCustomizer((builder, method, uri, body, context) -> builder.header("Authorization",
                        "Bearer " + key))
                .build();
        return McpClient.sync(transport).requestTimeout(Duration.ofSeconds(120)).build();
    }

    static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().getFirst()).text();
    }

    @Test
    void theSdksClientUsesTheToolsOverHttp() throws Exception {
        Path notes = Files.writeString(roots.resolve("harbour.txt"), "The harbour master keeps a log of every ship"
                + " that docks at the stone quay.");
        Path outside = Files.writeString(daemon.root.resolve("secret.txt"), "A secret that is not to be indexed.");
        try (McpSyncClient client = client(KEY)) {
            McpSchema.InitializeResult init = client.initialize();
            assertEquals("dindex", init.serverInfo().name());
            List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).sorted().toList();
            assertEquals(List.of("context", "index", "job_status", "scrape", "search", "stats"), tools);

            McpSchema.CallToolResult indexed = client.callTool(new McpSchema.CallToolRequest("index",
                    Map.of("paths", List.of(notes.toString()))));
            assertFalse(Boolean.TRUE.equals(indexed.isError()), text(indexed));
            McpSchema.CallToolResult found = client.callTool(new McpSchema.CallToolRequest("search",
                    Map.of("query", "who keeps the log of ships", "top_k", 3)));
            assertFalse(Boolean.TRUE.equals(found.isError()), text(found));
            assertTrue(text(found).contains("harbour master"), text(found));

            McpSchema.CallToolResult refused = client.callTool(new McpSchema.CallToolRequest("index",
                    Map.of("paths", List.of(outside.toString()))));
            assertTrue(Boolean.TRUE.equals(refused.isError()), text(refused));
            assertTrue(text(refused).contains("outside the import roots"), text(refused));
            McpSchema.CallToolResult secret = client.callTool(new McpSchema.CallToolRequest("search",
                    Map.of("query", "secret not to be indexed", "mode", "bm25")));
            assertFalse(text(secret).contains("A secret that is not"), text(secret));
        }
    }

    /**
     * A call that takes longer than a moment is answered as a server-sent event stream (comment lines keep it open),
     * the JSON-RPC response in a {@code message} event: here the scrape tool waits for a slow page.
     */
    @Test
    void aLongCallIsAnsweredAsAnEventStream() throws Exception {
        io.vertx.core.Vertx web = io.vertx.core.Vertx.vertx();
        try {
            io.vertx.core.http.HttpServer slow = web.createHttpServer().requestHandler(req -> {
                if (req.path().equals("/robots.txt")) {
                    req.response().setStatusCode(404).end();
                } else {
                    web.setTimer(1500, t -> req.response().putHeader("content-type", "text/html").end("<html><head>"
                            + "<title>Slow</title></head><body><p>A page that took its time to arrive.</p></body></html>"));
                }
            }).listen(0, "127.0.0.1").await(10, java.util.concurrent.TimeUnit.SECONDS);
            String call = "{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"tools/call\",\"params\":{\"name\":"
                    + "\"scrape\",\"arguments\":{\"urls\":[\"http://127.0.0.1:" + slow.actualPort() + "/\"],"
                    + "\"depth\":0,\"wait_seconds\":30}}}";
            ApiClient.Reply r = api.send("POST", "/mcp", call, "Authorization", "Bearer " + KEY, "Content-Type",
                    "application/json", "Accept", "application/json, text/event-stream");
            assertEquals(200, r.status(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), r.body());
            assertTrue(r.body().startsWith(": working\n\n"), r.body());
            List<OriginalContractTest.Sse> events = OriginalContractTest.Sse.parse(r.body());
            assertEquals(1, events.size(), r.body());
            assertEquals("message", events.getFirst().name());
            JsonObject response = new JsonObject(events.getFirst().data());
            assertEquals("s1", response.getString("id"));
            String text = response.getJsonObject("result").getJsonArray("content").getJsonObject(0).getString("text");
            assertTrue(text.contains("completed"), text);
        } finally {
            web.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void whatIsNotAnMcpRequestGetsAClearAnswer() throws Exception {
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"curl\",\"version\":\"1\"}}}";
        ApiClient.Reply noKey = api.send("POST", "/mcp", init, "Content-Type", "application/json");
        assertEquals(401, noKey.status(), noKey.body());
        assertTrue(noKey.headers().firstValue("WWW-Authenticate").isPresent());

        ApiClient.Reply json = api.send("POST", "/mcp", init, "Authorization", "Bearer " + KEY, "Content-Type",
                "application/json", "Accept", "application/json");
        assertEquals(200, json.status(), json.body());
        assertEquals("dindex", json.json().getJsonObject("result").getJsonObject("serverInfo").getString("name"));

        ApiClient.Reply notification = api.send("POST", "/mcp", "{\"jsonrpc\":\"2.0\",\"method\":"
                + "\"notifications/initialized\"}", "Authorization", "Bearer " + KEY, "Content-Type", "application/json");
        assertEquals(202, notification.status(), notification.body());
        assertEquals("", notification.body());

        ApiClient.Reply broken = api.send("POST", "/mcp", "{not json", "Authorization", "Bearer " + KEY,
                "Content-Type", "application/json");
        assertEquals(400, broken.status(), broken.body());
        assertEquals(-32700, broken.json().getJsonObject("error").getInteger("code"));
        ApiClient.Reply batch = api.send("POST", "/mcp", "[" + init + "]", "Authorization", "Bearer " + KEY,
                "Content-Type", "application/json");
        assertEquals(400, batch.status(), batch.body());
        assertEquals(-32600, batch.json().getJsonObject("error").getInteger("code"));
        ApiClient.Reply unknownTool = api.send("POST", "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":"
                + "\"tools/call\",\"params\":{\"name\":\"rm\"}}", "Authorization", "Bearer " + KEY, "Content-Type",
                "application/json");
        assertEquals(200, unknownTool.status(), unknownTool.body());
        assertTrue(unknownTool.json().getJsonObject("error").getString("message").contains("unknown tool 'rm'"));

        ApiClient.Reply get = api.send("GET", "/mcp", null, "Authorization", "Bearer " + KEY, "Accept",
                "text/event-stream");
        assertEquals(405, get.status(), get.body());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(null));
        ApiClient.Reply form = api.send("POST", "/mcp", init, "Authorization", "Bearer " + KEY, "Content-Type",
                "text/plain");
        assertEquals(415, form.status(), form.body());
        ApiClient.Reply foreign = api.send("POST", "/mcp", init, "Authorization", "Bearer " + KEY, "Content-Type",
                "application/json", "Origin", "http://evil.example");
        assertEquals(403, foreign.status(), foreign.body());
    }
}
