package org.dindex.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.client.DindexClient;
import org.dindex.protocol.Addresses;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.dindex.http.DefaultConfigAttacksTest.rawRequest;
import static org.dindex.http.DefaultConfigAttacksTest.status;
import static org.dindex.http.DefaultConfigAttacksTest.upgradeStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A daemon behind a name ({@code http.allowed_hosts}, as for a pod's Service or a reverse proxy) and with one extra
 * WebSocket origin ({@code http.ws_origins}): requests for that name are served, and pages served under it may open
 * {@code /ws} (with any port: a proxy in front may listen on 443); every other name still gets 421, and pages of
 * other origins 403 (docs/security.md, HTTP, Host names).
 */
@Timeout(120)
class AllowedHostsTest {
    static final String NAME = "search.example.test";
    static final String EXTRA_ORIGIN = "https://app.example.test";
    static EmbeddedDaemon daemon;
    static URI base;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        daemon = EmbeddedDaemon.start(Map.of("http.allowed_hosts", NAME, "http.ws_origins", EXTRA_ORIGIN), List.of());
        try (DindexClient c = daemon.client()) {
            base = URI.create(c.request(Addresses.STATUS, new JsonObject()).getJsonObject("http").getString("url"));
        }
        port = base.getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
    }

    @Test
    void theConfiguredNameIsServedAndOtherNamesAreNot() throws Exception {
        String ours = NAME + ":" + port;
        for (String host : List.of(ours, NAME, "SEARCH.Example.TEST.:" + port, NAME + ":443",
                "127.0.0.1:" + port, "localhost:" + port)) {
            String r = rawRequest(base, "GET", "/api/v1/health", host, null, null, "");
            assertEquals(200, status(r), host + ": " + r);
        }
        // Writes and reads under the configured name reach the index.
        String doc = new JsonObject().put("documents", new JsonArray().add(new JsonObject()
                .put("url", "https://wiki.example.test/heron").put("title", "Grey heron")
                .put("content", "The grey heron stands motionless in shallow water, then spears a fish with its"
                        + " long yellow bill."))).encode();
        String indexed = rawRequest(base, "POST", "/api/v1/index", ours, null, doc, "");
        assertEquals(200, status(indexed), indexed);
        String found = rawRequest(base, "POST", "/api/v1/search", ours, null,
                new JsonObject().put("query", "heron spears a fish").put("mode", "bm25").encode(), "");
        assertEquals(200, status(found), found);
        assertTrue(found.contains("https://wiki.example.test/heron"), found);

        for (String host : List.of("other.example.test:" + port, "example.test:" + port, "evil." + ours,
                NAME + ".evil.test:" + port)) {
            String r = rawRequest(base, "POST", "/api/v1/search", host, "http://" + host,
                    new JsonObject().put("query", "heron").encode(), "");
            assertEquals(421, status(r), host + ": " + r);
            assertTrue(r.contains("\"code\":\"misdirected_request\""), r);
        }
    }

    @Test
    void pagesServedUnderTheConfiguredNameMayOpenTheWebSocket() throws Exception {
        String ours = NAME + ":" + port;
        assertEquals(101, upgradeStatus(base, ours, "http://" + ours), "a page served under the name, on our port");
        assertEquals(101, upgradeStatus(base, NAME, "https://" + NAME), "the same page behind a proxy on 443");
        assertEquals(101, upgradeStatus(base, ours, EXTRA_ORIGIN), "an origin listed in http.ws_origins");
        assertEquals(403, upgradeStatus(base, ours, EXTRA_ORIGIN + ":8443"), "http.ws_origins lists exact origins");
        assertEquals(403, upgradeStatus(base, ours, "http://other.example.test:" + port),
                "a page of another name, even when the request names ours");
        assertEquals(403, upgradeStatus(base, ours, "http://evil." + ours), "a subdomain is another name");
        String other = "other.example.test:" + port;
        assertEquals(421, upgradeStatus(base, other, "http://" + other), "another name with its own origin");
    }
}
