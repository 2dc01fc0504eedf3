package org.dindex.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Collections and snapshots over HTTP, every response checked against the OpenAPI document ({@link ApiClient}):
 * {@code /api/v1/collections}, the index routes under {@code /api/v1/collections/{name}/} beside the plain ones
 * (which address {@code default}), a search over several, and snapshots.
 */
@Timeout(300)
class CollectionsHttpTest {
    static EmbeddedDaemon daemon;
    static ApiClient client;

    @BeforeAll
    static void start() throws Exception {
        daemon = EmbeddedDaemon.start(Map.of("http.api_keys", "k3y"), List.of());
        String base = daemon.client().request(Addresses.STATUS, new JsonObject()).getJsonObject("http")
                .getString("url");
        client = new ApiClient(base, "k3y");
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
    }

    static ApiClient.Reply api(String method, String path, JsonObject body) throws Exception {
        return client.api(method, path, body);
    }

    static JsonObject ok(int status, String method, String path, JsonObject body) throws Exception {
        ApiClient.Reply r = api(method, path, body);
        assertEquals(status, r.status(), method + " " + path + ": " + r.body());
        return r.json();
    }

    static void error(int status, String code, String part, String method, String path, JsonObject body)
            throws Exception {
        ApiClient.Reply r = api(method, path, body);
        assertEquals(status, r.status(), r.body());
        assertEquals(code, r.json().getString("code"), r.body());
        assertTrue(r.json().getString("message").contains(part), r.body());
    }

    static JsonObject doc(String url, String title, String content) {
        return new JsonObject().put("url", url).put("title", title).put("content", content);
    }

    @Test
    void collectionsAndTheirRoutes() throws Exception {
        assertEquals(401, client.send("GET", "/api/v1/collections", null).status(), "needs the key like the rest");
        JsonObject created = ok(201, "POST", "/api/v1/collections", new JsonObject().put("name", "web"));
        assertEquals("web", created.getJsonObject("collection").getString("name"));
        error(400, "bad_request", "lower-case letters, digits, '-' and '_', at most 64 characters", "POST",
                "/api/v1/collections", new JsonObject().put("name", "Web Pages"));
        error(409, "conflict", "already exists", "POST", "/api/v1/collections", new JsonObject().put("name", "web"));
        JsonArray list = ok(200, "GET", "/api/v1/collections", null).getJsonArray("collections");
        assertEquals(List.of("default", "web"), list.stream().map(o -> ((JsonObject) o).getString("name")).toList());
        assertEquals("web", ok(200, "GET", "/api/v1/collections/web", null).getJsonObject("collection")
                .getString("name"));
        error(404, "not_found", "no collection 'nope'", "GET", "/api/v1/collections/nope", null);
        error(400, "bad_request", "invalid collection name", "GET", "/api/v1/collections/NOPE/stats", null);

        // The index routes under a collection, and the plain ones on default.
        JsonObject indexed = ok(200, "POST", "/api/v1/collections/web/index", new JsonObject().put("documents",
                new JsonArray().add(doc("https://example.org/tides", "Tides", "Tides are the rise and fall of the"
                        + " sea, caused by the moon and the sun."))));
        assertTrue(indexed.getBoolean("searchable"));
        ok(200, "POST", "/api/v1/index", new JsonObject().put("documents", new JsonArray().add(doc(
                "https://example.org/volcano", "Volcanoes", "A volcano erupts when magma rises through the crust."))));
        JsonObject inWeb = ok(200, "POST", "/api/v1/collections/web/search", new JsonObject().put("query", "moon"));
        assertEquals(List.of("https://example.org/tides"), urls(inWeb));
        JsonObject inDefault = ok(200, "POST", "/api/v1/search", new JsonObject().put("query", "moon sea magma"));
        assertEquals(List.of("https://example.org/volcano"), urls(inDefault));
        JsonObject inBoth = ok(200, "POST", "/api/v1/search", new JsonObject().put("query", "moon sea magma")
                .put("collections", new JsonArray().add("default").add("web")));
        assertEquals(2, urls(inBoth).size(), inBoth.encodePrettily());
        assertEquals(2, ok(200, "POST", "/api/v1/context", new JsonObject().put("query", "what rises")
                .put("collections", new JsonArray().add("default").add("web"))).getJsonArray("citations").size());
        error(400, "bad_request", "the path names collection 'web'", "POST", "/api/v1/collections/web/search",
                new JsonObject().put("query", "moon").put("collection", "default"));
        JsonObject webStats = ok(200, "GET", "/api/v1/collections/web/stats", null);
        assertEquals("web", webStats.getString("collection"));
        assertEquals(1, webStats.getInteger("documents"));
        assertEquals(1, webStats.getInteger("total_documents"), "the original's fields too");
        assertEquals(1, ok(200, "GET", "/api/v1/stats", null).getInteger("documents"));
        ok(200, "POST", "/api/v1/collections/web/index/commit", null);

        // Snapshots: into the daemon's folder only; restore as another collection, or in place with replace.
        error(400, "bad_request", "takes no fields", "POST", "/api/v1/collections/web/snapshots",
                new JsonObject().put("to", "/tmp"));
        JsonObject snapshot = ok(201, "POST", "/api/v1/collections/web/snapshots", null).getJsonObject("snapshot");
        String id = snapshot.getString("id");
        assertEquals(1, snapshot.getInteger("documents"));
        JsonArray snapshots = ok(200, "GET", "/api/v1/collections/web/snapshots", null).getJsonArray("snapshots");
        assertEquals(id, snapshots.getJsonObject(0).getString("id"));
        assertTrue(ok(200, "GET", "/api/v1/collections/default/snapshots", null).getJsonArray("snapshots")
                .isEmpty(), "only the collection's own snapshots");
        error(404, "not_found", "no snapshot", "POST", "/api/v1/collections/default/snapshots/" + id + "/restore",
                new JsonObject().put("as", "x"));
        JsonObject restored = ok(200, "POST", "/api/v1/collections/web/snapshots/" + id + "/restore",
                new JsonObject().put("as", "web-copy")).getJsonObject("collection");
        assertEquals("web-copy", restored.getString("name"));
        assertEquals(1, restored.getInteger("documents"));
        error(409, "conflict", "exists", "POST", "/api/v1/collections/web/snapshots/" + id + "/restore",
                new JsonObject());
        ok(200, "POST", "/api/v1/collections/web/index/clear", new JsonObject().put("confirm", true));
        assertEquals(0, ok(200, "GET", "/api/v1/collections/web/stats", null).getInteger("documents"));
        ok(200, "POST", "/api/v1/collections/web/snapshots/" + id + "/restore", new JsonObject().put("replace",
                true));
        assertEquals(1, ok(200, "GET", "/api/v1/collections/web/stats", null).getInteger("documents"));
        ok(200, "DELETE", "/api/v1/collections/web/snapshots/" + id, null);
        assertTrue(ok(200, "GET", "/api/v1/collections/web/snapshots", null).getJsonArray("snapshots").isEmpty());

        // Deleting: documents in one collection, then whole collections (not default).
        JsonObject deleted = ok(200, "DELETE", "/api/v1/collections/web-copy/documents", new JsonObject()
                .put("urls", new JsonArray().add("https://example.org/tides")));
        assertEquals(1, deleted.getInteger("documents_deleted"));
        assertEquals(1, ok(200, "GET", "/api/v1/collections/web/stats", null).getInteger("documents"));
        error(400, "bad_request", "confirm", "DELETE", "/api/v1/collections/web-copy", new JsonObject());
        assertTrue(ok(200, "DELETE", "/api/v1/collections/web-copy", new JsonObject().put("confirm", true))
                .getBoolean("deleted"));
        error(404, "not_found", "no collection 'web-copy'", "GET", "/api/v1/collections/web-copy", null);
        error(400, "bad_request", "cannot be deleted", "DELETE", "/api/v1/collections/default",
                new JsonObject().put("confirm", true));
        assertFalse(ok(200, "GET", "/api/v1/collections", null).getJsonArray("models").isEmpty());
    }

    static List<String> urls(JsonObject search) {
        return search.getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("url")).toList();
    }
}
