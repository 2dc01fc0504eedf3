package org.dindex.http;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CORS without a browser: the requests the dashboard makes (read from its source, webroot/api.js: same-origin
 * fetches with the methods and headers it sets) pass, with and without {@code http.cors_origins}; and nothing more is
 * allowed: no CORS headers at all by default (not even for the daemon's own origin, which needs none), and with an
 * origin configured only that origin, only the API's methods and headers, never credentials.
 */
@Timeout(120)
class CorsTest {
    static final String KEY = "cors-key";
    static EmbeddedDaemon plain;
    static EmbeddedDaemon withCors;
    static ApiClient plainApi;
    static ApiClient corsApi;

    @BeforeAll
    static void start() throws Exception {
        plain = EmbeddedDaemon.start(Map.of("http.api_keys", KEY), List.of());
        withCors = EmbeddedDaemon.start(Map.of("http.api_keys", KEY, "http.cors_origins", "http://app.example"),
                List.of());
        plainApi = new ApiClient(url(plain), KEY);
        corsApi = new ApiClient(url(withCors), KEY);
    }

    static String url(EmbeddedDaemon d) {
        return d.client().request(Addresses.STATUS, new JsonObject()).getJsonObject("http").getString("url");
    }

    @AfterAll
    static void stop() throws Exception {
        plain.close();
        withCors.close();
    }

    /** The methods and request headers the dashboard's fetches use, from its source. */
    record DashboardNeeds(Set<String> methods, Set<String> headers) {
        static DashboardNeeds read() throws Exception {
            Set<String> methods = new TreeSet<>();
            Set<String> headers = new TreeSet<>();
            for (Path js : Files.newDirectoryStream(Path.of("webroot"), "*.js")) {
                String source = Files.readString(js);
                Matcher m = Pattern.compile("request\\('(GET|POST|PUT|PATCH|DELETE)'").matcher(source);
                while (m.find()) {
                    methods.add(m.group(1));
                }
                Matcher h = Pattern.compile("headers(?:\\.|\\[')([A-Za-z-]+)'?\\]? =|headers = \\{ ([A-Za-z-]+): ").matcher(source);
                while (h.find()) {
                    headers.add(h.group(1) != null ? h.group(1) : h.group(2));
                }
            }
            return new DashboardNeeds(methods, headers);
        }
    }

    @Test
    void theDashboardsRequestsPassWithAndWithoutCorsConfigured() throws Exception {
        DashboardNeeds needs = DashboardNeeds.read();
        assertEquals(Set.of("GET", "POST"), needs.methods(), "the dashboard's methods, as read from webroot/");
        assertEquals(Set.of("Accept", "Authorization", "Content-Type"), needs.headers(), "its request headers");
        for (ApiClient api : List.of(plainApi, corsApi)) {
            String own = api.base();
            // Browsers send Origin on same-origin POSTs (and may on GETs): the daemon's own origin always passes.
            ApiClient.Reply search = api.send("POST", "/api/v1/search", "{\"query\": \"tides\"}", "Origin", own,
                    "Accept", "application/json", "Authorization", "Bearer " + KEY, "Content-Type", "application/json");
            assertEquals(200, search.status(), own + ": " + search.body());
            ApiClient.Reply stats = api.send("GET", "/api/v1/stats", null, "Origin", own, "Accept", "application/json",
                    "Authorization", "Bearer " + KEY);
            assertEquals(200, stats.status(), own + ": " + stats.body());
            ApiClient.Reply page = api.send("GET", "/", null);
            assertEquals(200, page.status());
            assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("connect-src 'self'"),
                    "the dashboard itself may only connect to its own origin");
        }
    }

    @Test
    void byDefaultNoOriginIsGrantedAnything() throws Exception {
        for (String origin : List.of("http://evil.example", "http://app.example", plainApi.base())) {
            ApiClient.Reply preflight = plainApi.send("OPTIONS", "/api/v1/search", null, "Origin", origin,
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers",
                    "content-type,authorization");
            assertNoCors(preflight, origin);
            ApiClient.Reply read = plainApi.send("GET", "/api/v1/stats", null, "Origin", origin, "Authorization",
                    "Bearer " + KEY);
            assertNoCors(read, origin);
        }
    }

    @Test
    void aConfiguredOriginGetsTheApiAndNothingMore() throws Exception {
        ApiClient.Reply preflight = corsApi.send("OPTIONS", "/api/v1/documents", null, "Origin", "http://app.example",
                "Access-Control-Request-Method", "DELETE", "Access-Control-Request-Headers",
                "content-type,authorization");
        assertEquals("http://app.example", preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null),
                preflight.toString());
        Set<String> methods = tokens(preflight, "Access-Control-Allow-Methods");
        assertEquals(Set.of("GET", "POST", "DELETE", "OPTIONS"), methods);
        Set<String> headers = tokens(preflight, "Access-Control-Allow-Headers");
        assertEquals(Set.of("CONTENT-TYPE", "AUTHORIZATION", "X-API-KEY"), headers);
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Credentials").isEmpty(), "keys, not cookies");

        ApiClient.Reply read = corsApi.send("GET", "/api/v1/stats", null, "Origin", "http://app.example",
                "Authorization", "Bearer " + KEY);
        assertEquals(200, read.status());
        assertEquals("http://app.example", read.headers().firstValue("Access-Control-Allow-Origin").orElse(null));

        for (String origin : List.of("http://evil.example", "http://app.example.evil.example", "https://app.example",
                "null")) {
            assertNoCors(corsApi.send("OPTIONS", "/api/v1/search", null, "Origin", origin,
                    "Access-Control-Request-Method", "POST"), origin);
            ApiClient.Reply foreign = corsApi.send("GET", "/api/v1/stats", null, "Origin", origin, "Authorization",
                    "Bearer " + KEY);
            assertNoCors(foreign, origin);
            assertEquals(403, foreign.status(), foreign.body());
            assertTrue(foreign.body().contains("http.cors_origins"), foreign.body());
        }
        for (String method : List.of("PUT", "PATCH")) {
            ApiClient.Reply other = corsApi.send("OPTIONS", "/api/v1/search", null, "Origin", "http://app.example",
                    "Access-Control-Request-Method", method);
            assertFalse(tokens(other, "Access-Control-Allow-Methods").contains(method), method + ": " + other);
        }
        ApiClient.Reply odd = corsApi.send("OPTIONS", "/api/v1/search", null, "Origin", "http://app.example",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "x-evil");
        assertFalse(tokens(odd, "Access-Control-Allow-Headers").contains("X-EVIL"), odd.toString());
        // Only the API: the dashboard, /ws, /mcp and /metrics never answer another origin.
        for (String path : List.of("/", "/metrics", "/mcp")) {
            assertNoCors(corsApi.send("OPTIONS", path, null, "Origin", "http://app.example",
                    "Access-Control-Request-Method", "POST"), path);
        }
    }

    static Set<String> tokens(ApiClient.Reply r, String header) {
        Set<String> out = new TreeSet<>();
        for (String v : r.headers().allValues(header)) {
            for (String t : v.split(",")) {
                if (!t.isBlank()) {
                    out.add(t.strip().toUpperCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    static void assertNoCors(ApiClient.Reply r, String what) {
        for (String h : List.of("Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
                "Access-Control-Allow-Headers", "Access-Control-Allow-Credentials")) {
            assertTrue(r.headers().firstValue(h).isEmpty(), what + " got " + h + ": " + r.headers().map());
        }
    }
}
