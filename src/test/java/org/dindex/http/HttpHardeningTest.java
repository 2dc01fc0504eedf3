package org.dindex.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.client.DindexClient;
import org.dindex.config.ConfigLoader;
import org.dindex.daemon.Logging;
import org.dindex.support.Await;
import org.dindex.support.EmbeddedDaemon;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hardening of the HTTP server against a real daemon on loopback, with API keys and an import root: path traversal
 * on import, oversized bodies and headers, slow clients, and API keys that never reach the log or an error message.
 *
 * <p>The daemon logs at debug level to {@code daemon.0.log} in a private folder, through {@link Logging#configure}
 * exactly as a detached daemon does, so (d) reads the real log file.
 */
@Timeout(120)
class HttpHardeningTest {
    static final String KEY = "hk1-" + UUID.randomUUID();
    static final String OTHER_KEY = "hk2-" + UUID.randomUUID();
    static final String WRONG_KEY = "wrong-" + UUID.randomUUID();
    static final int MAX_BODY = 64 * 1024;
    static final long IDLE_MS = 1000;

    static EmbeddedDaemon daemon;
    static String base;
    static String host;
    static int port;
    static Path dirs;
    static Path importRoot;
    static Path outside;
    static Path logDir;
    /** Every response body the tests saw: none may contain a key. */
    static final List<String> bodies = java.util.Collections.synchronizedList(new ArrayList<>());

    static Level savedRootLevel;
    static Handler[] savedHandlers;

    @BeforeAll
    static void start() throws Exception {
        dirs = TestDirs.privateDir("dxh");
        importRoot = Files.createDirectories(dirs.resolve("root"));
        outside = Files.createDirectories(dirs.resolve("outside"));
        logDir = dirs.resolve("logs");
        Logger root = Logger.getLogger("");
        savedRootLevel = root.getLevel();
        savedHandlers = root.getHandlers();
        Logging.configure(new ConfigLoader(Map.of()).load(null, Map.of("log.level", "debug")), logDir);

        daemon = EmbeddedDaemon.start(Map.of(
                "http.request_timeout_ms", 3000,
                "http.api_keys", KEY + "," + OTHER_KEY,
                "http.import_roots", importRoot.toString(),
                "http.max_body_bytes", MAX_BODY,
                "http.idle_timeout_ms", IDLE_MS), List.of());
        try (DindexClient c = daemon.client()) {
            base = c.request(Addresses.STATUS, new JsonObject()).getJsonObject("http").getString("url");
        }
        URI uri = URI.create(base);
        host = uri.getHost();
        port = uri.getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            restoreLogging();
            TestDirs.deleteTree(dirs);
        }
    }

    /** Puts back the test JVM's logging (src/test/resources/logging.properties) for the classes that run after us. */
    static void restoreLogging() {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
            h.close();
        }
        try {
            LogManager.getLogManager().readConfiguration();
        } catch (IOException e) {
            // keep what we have
        }
        if (root.getHandlers().length == 0) {
            for (Handler h : savedHandlers) {
                root.addHandler(h);
            }
            root.setLevel(savedRootLevel);
        }
    }

    // ------------------------------------------------------------------------------------------------ HTTP helpers

    record Reply(int status, String body, java.net.http.HttpHeaders headers) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    /** One request on a fresh client: the server's 1 s idle timeout would otherwise close pooled connections. */
    static Reply send(String method, String pathAndQuery, String body, String... headers) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                    .timeout(Duration.ofSeconds(30))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            for (int i = 0; i < headers.length; i += 2) {
                b.header(headers[i], headers[i + 1]);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            bodies.add(r.body());
            OpenApiCheck.verify(method, pathAndQuery, r.statusCode(), r.headers().firstValue("Content-Type")
                    .orElse(""), r.body());
            return new Reply(r.statusCode(), r.body(), r.headers());
        }
    }

    static Reply importPath(String path) throws Exception {
        return send("POST", "/api/v1/import", new JsonObject().put("path", path).encode(), "Authorization",
                "Bearer " + KEY, "Content-Type", "application/json");
    }

    static void assertJsonError(Reply r, String what) {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                what + ": " + r.status() + " " + r.body());
        JsonObject json = r.json();
        assertNotNull(json.getString("code"), what + ": " + r.body());
        assertNotNull(json.getString("message"), what + ": " + r.body());
        assertFalse(r.body().contains("\tat "), what + ": no stack trace: " + r.body());
    }

    /** A raw connection, for what an HTTP client library would refuse to send. */
    static Socket raw() throws IOException {
        Socket s = new Socket(host, port);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /** The response head (status line and headers) and as much body as Content-Length says, or null at EOF. */
    static String readResponse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        if (head.size() == 0) {
            return null;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(text);
        if (m.find()) {
            byte[] body = in.readNBytes(Integer.parseInt(m.group(1)));
            text += new String(body, StandardCharsets.UTF_8);
        }
        bodies.add(text);
        return text;
    }

    static int statusOf(String response) {
        assertNotNull(response, "no response");
        assertTrue(response.startsWith("HTTP/1.1 ") || response.startsWith("HTTP/1.0 "), response);
        return Integer.parseInt(response.substring(9, 12));
    }

    /** True when the server closes the connection within {@code within}. */
    static boolean closedWithin(Socket s, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        while (System.nanoTime() < deadline) {
            s.setSoTimeout((int) Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)));
            try {
                if (in.read(buf) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                // still open
            } catch (IOException e) {
                return true; // reset
            }
        }
        return false;
    }

    static void assertHealthy() throws Exception {
        long t0 = System.nanoTime();
        Reply r = send("GET", "/api/v1/status", null, "X-API-Key", KEY);
        assertEquals(200, r.status(), r.body());
        assertEquals("running", r.json().getString("state"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 3000, "a normal request took " + ms + " ms");
    }

    // ------------------------------------------------------------------------------------------------ (a) import

    @Test
    void importPathTraversalIsRefused() throws Exception {
        Path inside = Files.writeString(importRoot.resolve("ok.jsonl"),
                "{\"id\":\"ok\",\"title\":\"Otters\",\"text\":\"Sea otters hold hands while they sleep.\"}\n");
        Path secret = Files.writeString(outside.resolve("secret.jsonl"),
                "{\"id\":\"s\",\"text\":\"outside-secret-" + UUID.randomUUID() + "\"}\n");
        // A sibling whose name starts with the root's name: a string prefix test would let it through.
        Path sibling = Files.createDirectories(dirs.resolve("root-evil"));
        Path siblingFile = Files.writeString(sibling.resolve("x.jsonl"), "{\"id\":\"e\",\"text\":\"evil\"}\n");
        Path fileLink = Files.createSymbolicLink(importRoot.resolve("link.jsonl"), secret);
        Path dirLink = Files.createSymbolicLink(importRoot.resolve("linkdir"), outside);
        Path chain = Files.createSymbolicLink(importRoot.resolve("chain.jsonl"), fileLink);
        Path sub = Files.createDirectories(importRoot.resolve("sub"));
        Files.createSymbolicLink(sub.resolve("up"), Path.of("../.."));

        Object[][] cases = {
                {"../outside/secret.jsonl", "relative ..", List.of(403)},
                {"sub/../../outside/secret.jsonl", "relative .. through a real folder", List.of(403)},
                {importRoot + "/../outside/secret.jsonl", "absolute with ..", List.of(403)},
                {importRoot + "/./../outside/./secret.jsonl", "absolute with . and ..", List.of(403)},
                {"../".repeat(30) + "etc/passwd", "many ..", List.of(403)},
                {importRoot + "/" + "../".repeat(30) + "etc/passwd", "absolute, many ..", List.of(403)},
                {"\u002e\u002e/outside/secret.jsonl", "JSON-escaped dots (decoded by JSON, still ..)", List.of(403)},
                {"%2e%2e%2foutside%2fsecret.jsonl", "URL-encoded (taken literally: no such file)", List.of(404)},
                {"%2e%2e/outside/secret.jsonl", "URL-encoded dots", List.of(404)},
                {"..%2foutside%2fsecret.jsonl", "URL-encoded slash", List.of(404)},
                {"..\\outside\\secret.jsonl", "backslashes (a file name on Linux)", List.of(404)},
                {"..%c0%afoutside%c0%afsecret.jsonl", "overlong UTF-8 slash, encoded", List.of(404)},
                {"..\u2215outside\u2215secret.jsonl", "division slash U+2215", List.of(404)},
                {"../outside/secret.jsonl\u0000.jsonl", "NUL byte", List.of(400)},
                {"ok.jsonl\u0000/../../outside/secret.jsonl", "NUL byte after a valid name", List.of(400)},
                {secret.toString(), "absolute path elsewhere", List.of(403)},
                {"/etc/passwd", "system file", List.of(403)},
                {"//etc//passwd", "doubled slashes", List.of(403)},
                {"/proc/self/environ", "the daemon's environment", List.of(403)},
                {"file://" + secret, "a file: URL (a relative name here)", List.of(404)},
                {fileLink.toString(), "symbolic link to a file outside", List.of(403)},
                {"link.jsonl", "relative symbolic link to a file outside", List.of(403)},
                {chain.toString(), "chain of links ending outside", List.of(403)},
                {dirLink + "/secret.jsonl", "through a linked folder", List.of(403)},
                // sub/up is a link to ../.. (the root's parent).
                {"sub/up/outside/secret.jsonl", "through a link to the root's parent", List.of(403)},
                // Normalized lexically first (root/outside/...), which does not exist: refused all the same.
                {"sub/up/../outside/secret.jsonl", "link, then ..", List.of(403, 404)},
                {siblingFile.toString(), "sibling folder sharing the root's name as a prefix", List.of(403)},
                {importRoot.toString(), "the root itself (a folder)", List.of(403, 400)},
                {"", "empty", List.of(400)},
                {"   ", "blank", List.of(400)},
        };
        List<String> wrong = new ArrayList<>();
        for (Object[] c : cases) {
            Reply r = importPath((String) c[0]);
            @SuppressWarnings("unchecked")
            List<Integer> allowed = (List<Integer>) c[2];
            if (!allowed.contains(r.status())) {
                wrong.add(c[1] + " (" + c[0] + "): " + r.status() + " " + r.body());
                continue;
            }
            assertJsonError(r, (String) c[1]);
            assertFalse(r.body().contains("outside-secret"), "file content leaked: " + r.body());
        }
        assertTrue(wrong.isEmpty(), "not refused as expected:\n" + String.join("\n", wrong));

        // Wrong JSON types for the path.
        for (String body : List.of("{\"path\": 5}", "{\"path\": [\"../outside/secret.jsonl\"]}", "{\"path\": null}",
                "{\"path\": {\"p\": \"x\"}}", "{}")) {
            Reply r = send("POST", "/api/v1/import", body, "Authorization", "Bearer " + KEY, "Content-Type",
                    "application/json");
            assertEquals(400, r.status(), body + " -> " + r.body());
            assertJsonError(r, body);
        }
        // A file in the root through a link that stays inside is fine, and so is the plain file.
        Path innerLink = Files.createSymbolicLink(importRoot.resolve("inner-link.jsonl"), inside);
        for (String ok : List.of("ok.jsonl", inside.toString(), innerLink.toString(), "sub/../ok.jsonl")) {
            Reply r = importPath(ok);
            assertEquals(202, r.status(), ok + " -> " + r.body());
            assertTrue(r.json().getJsonObject("job").getJsonObject("params").getString("path")
                    .startsWith(importRoot.toRealPath().toString()), r.body());
        }
        awaitJobsEnd();
    }

    /**
     * An import root must not become an oracle for the rest of the disk: today a path outside the roots answers 403
     * when the file exists and 404 ("no such file under the import roots") when it does not, so a key holder can probe
     * any path (e.g. whether /home/u/.ssh/id_ed25519 exists).
     */
    @Test
    void importDoesNotRevealWhetherFilesOutsideTheRootsExist() throws Exception {
        Path exists = Files.writeString(outside.resolve("exists.txt"), "x");
        Reply present = importPath(exists.toString());
        Reply missing = importPath(outside.resolve("missing-" + UUID.randomUUID()).toString());
        Reply missingRelative = importPath("../outside/missing-" + UUID.randomUUID());
        assertEquals(403, present.status(), present.body());
        assertEquals(present.status(), missing.status(), "existence outside the roots leaks: " + missing.body());
        assertEquals(present.status(), missingRelative.status(), missingRelative.body());
        assertFalse(missing.body().contains("no such file"), missing.body());
    }

    /** A MediaWiki dump inside the root may not pull in a file outside it through an XML external entity. */
    @Test
    void importedXmlCannotReadFilesOutsideTheRoots() throws Exception {
        String token = "xxe-secret-" + UUID.randomUUID().toString().replace("-", "");
        Path secret = Files.writeString(outside.resolve("xxe.txt"), token + " " + token);
        String dump = "<?xml version=\"1.0\"?>\n<!DOCTYPE mediawiki [<!ENTITY xxe SYSTEM \"file://" + secret
                + "\"><!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n"
                + "<mediawiki xmlns=\"http://www.mediawiki.org/xml/export-0.10/\">\n"
                + "<page><title>Entity page</title><ns>0</ns><id>1</id><revision><id>1</id><text>"
                + "Start &xxe; and &lol2; end. " + "Padding words so the page is long enough to index. ".repeat(10)
                + "</text></revision></page>\n</mediawiki>\n";
        Files.writeString(importRoot.resolve("xxe.xml"), dump);
        Reply r = send("POST", "/api/v1/import", new JsonObject().put("path", "xxe.xml")
                .put("format", "wikipedia-xml").encode(), "X-API-Key", KEY, "Content-Type", "application/json");
        if (r.status() == 202) {
            JsonObject job = awaitJob(r.json().getJsonObject("job").getString("id"));
            assertFalse(job.encode().contains(token), "the entity was expanded into the job: " + job.encode());
        } else {
            assertJsonError(r, "xxe import");
        }
        send("POST", "/api/v1/index/commit", null, "X-API-Key", KEY);
        Reply search = send("POST", "/api/v1/search", new JsonObject().put("query", token).put("mode", "bm25")
                .encode(), "X-API-Key", KEY, "Content-Type", "application/json");
        assertEquals(200, search.status(), search.body());
        assertFalse(search.json().getJsonArray("results").encode().contains(token),
                "the file outside the root was indexed: " + search.body());
    }

    /** Static files: encoded traversal never leaves webroot/. */
    @Test
    void staticFilesCannotBeReadOutsideTheWebroot() throws Exception {
        for (String path : List.of("/../pom.xml", "/%2e%2e/pom.xml", "/..%2fpom.xml", "/%2e%2e%2fpom.xml",
                "/.%2e/pom.xml", "/..%5cpom.xml", "/%2e%2e%5cpom.xml", "/..%252fpom.xml", "/..;/pom.xml",
                "/%c0%ae%c0%ae/pom.xml", "/webroot/../pom.xml", "/../../../../etc/passwd",
                "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/index.html/../../pom.xml", "/.git/config")) {
            try (Socket s = raw()) {
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close"
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                String response = readResponse(s);
                int status = statusOf(response);
                assertTrue(status == 404 || status == 400 || status == 403, path + " -> " + response);
                assertFalse(response.contains("<artifactId>") || response.contains("root:x:0:0")
                        || response.contains("[core]"), path + " leaked a file: " + response);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ (b) sizes

    @Test
    void oversizedBodyIsRefusedWithoutReadingIt() throws Exception {
        for (String path : List.of("/api/v1/search", "/api/v1/index", "/api/v1/import")) {
            try (Socket s = raw()) {
                OutputStream out = s.getOutputStream();
                long t0 = System.nanoTime();
                out.write(("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + KEY
                        + "\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{\"query\": \"")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write("x".repeat(1000).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                s.setSoTimeout(5000);
                String response = readResponse(s);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(413, statusOf(response), response);
                assertTrue(ms < 5000, "413 took " + ms + " ms");
                assertTrue(response.contains("\"code\":\"too_large\""), response);
                assertTrue(response.contains(String.valueOf(MAX_BODY)), "names the limit: " + response);
            }
        }
        // Without a key the request is refused before any body is read.
        try (Socket s = raw()) {
            s.getOutputStream().write(("POST /api/v1/index HTTP/1.1\r\nHost: " + host + "\r\nContent-Type:"
                    + " application/json\r\nContent-Length: 104857600\r\n\r\n{").getBytes(StandardCharsets.ISO_8859_1));
            s.setSoTimeout(5000);
            assertEquals(401, statusOf(readResponse(s)));
        }
        // Chunked, no length announced: refused once the limit is passed, while the client is still sending.
        try (Socket s = raw()) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/search HTTP/1.1\r\nHost: " + host + "\r\nX-API-Key: " + KEY + "\r\nContent-Type:"
                    + " application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] chunk = ("2000\r\n" + "y".repeat(0x2000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            long t0 = System.nanoTime();
            try {
                for (int i = 0; i < (4 * MAX_BODY) / 0x2000; i++) {
                    out.write(chunk);
                }
            } catch (IOException closedWhileSending) {
                // the server may answer and close before we are done
            }
            s.setSoTimeout(5000);
            String response = readResponse(s);
            assertEquals(413, statusOf(response), response);
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 5000);
        }
        // Exactly one byte over the limit, fully sent.
        String justOver = new JsonObject().put("query", "z".repeat(MAX_BODY)).encode().substring(0, MAX_BODY + 1);
        Reply r = send("POST", "/api/v1/search", justOver, "X-API-Key", KEY, "Content-Type", "application/json");
        assertEquals(413, r.status(), r.body());
        assertJsonError(r, "one byte over");
        assertHealthy();
    }

    @Test
    void oversizedHeadersAndRequestLinesAreRefusedAndClosed() throws Exception {
        String[] requests = {
                // One header of 20 KiB (limit 16 KiB).
                "GET /api/v1/status HTTP/1.1\r\nHost: h\r\nX-API-Key: " + KEY + "\r\nX-Pad: " + "p".repeat(20_000)
                        + "\r\n\r\n",
                // Many small headers adding up to more than the limit.
                "GET /api/v1/status HTTP/1.1\r\nHost: h\r\n" + "X-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(800)
                        + "\r\n",
                // A key in a huge Authorization header.
                "GET /api/v1/status HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + KEY + "q".repeat(20_000)
                        + "\r\n\r\n",
        };
        for (String request : requests) {
            try (Socket s = raw()) {
                long t0 = System.nanoTime();
                s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                String response = readResponse(s);
                int status = statusOf(response);
                assertTrue(status == 431 || status == 400, "status " + status + ": " + response);
                assertTrue(closedWithin(s, Duration.ofSeconds(5)), "connection left open after " + status);
                assertTrue((System.nanoTime() - t0) / 1_000_000 < 5000);
            }
        }
        // A request line over 8 KiB.
        try (Socket s = raw()) {
            s.getOutputStream().write(("GET /api/v1/status?x=" + "u".repeat(10_000) + " HTTP/1.1\r\nHost: h\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            int status = statusOf(readResponse(s));
            assertTrue(status == 414 || status == 400, "status " + status);
            assertTrue(closedWithin(s, Duration.ofSeconds(5)));
        }
        // Headers that are not headers.
        try (Socket s = raw()) {
            s.getOutputStream().write(("GET /api/v1/status HTTP/1.1\r\nHost: h\r\nX-API-Key: " + KEY
                    + "\r\nno colon here\r\n\u0001\u0002: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String response = readResponse(s);
            if (response != null) {
                int status = statusOf(response);
                assertTrue(status == 400 || status == 431, response);
            }
            assertTrue(closedWithin(s, Duration.ofSeconds(5)));
        }
        assertHealthy();
    }

    // ------------------------------------------------------------------------------------------------ (c) slow clients

    /**
     * Slow-loris: connections that send part of a request and then nothing are closed after http.idle_timeout_ms
     * (1 s here), and while many of them are open a normal client is served as usual.
     */
    @Test
    void stalledClientsAreDisconnectedAndDoNotBlockOthers() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                Socket s = raw();
                String partial = switch (i % 4) {
                    case 0 -> "GET /api/v1/sta";
                    case 1 -> "GET /api/v1/status HTTP/1.1\r\nHost: h\r\nX-API-Ke";
                    case 2 -> "POST /api/v1/search HTTP/1.1\r\nHost: h\r\nX-API-Key: " + KEY + "\r\nContent-Type:"
                            + " application/json\r\nContent-Length: 1000\r\n\r\n{\"query\":";
                    default -> "";
                };
                s.getOutputStream().write(partial.getBytes(StandardCharsets.ISO_8859_1));
                slow.add(s);
            }
            for (int i = 0; i < 5; i++) {
                assertHealthy();
            }
            long t0 = System.nanoTime();
            for (Socket s : slow) {
                assertTrue(closedWithin(s, Duration.ofMillis(IDLE_MS + 4000)), "a stalled connection stays open");
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < IDLE_MS + 4000, "closing the stalled connections took " + ms + " ms");
            assertHealthy();
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    /**
     * A client that trickles its request line and headers one byte at a time, each byte well within the idle timeout,
     * is still disconnected about one idle timeout after its first byte: the idle timer watches decoded HTTP messages,
     * and an unfinished request head is none.
     */
    @Test
    void clientsTricklingTheRequestHeadAreDisconnected() throws Exception {
        byte[] request = ("GET /api/v1/status HTTP/1.1\r\nHost: h\r\nX-API-Key: " + KEY + "\r\nX-Pad: "
                + "p".repeat(200) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(trickle(request, 0, IDLE_MS / 4) < IDLE_MS + 3000);
    }

    /**
     * The same for the body: a request whose head is complete and whose body arrives one byte per quarter idle timeout
     * (here 2,000 bytes: over 8 minutes) must not hold its connection for long.
     */
    @Test
    void clientsTricklingTheBodyAreDisconnected() throws Exception {
        String head = "POST /api/v1/search HTTP/1.1\r\nHost: h\r\nX-API-Key: " + KEY + "\r\nContent-Type:"
                + " application/json\r\nContent-Length: 2000\r\n\r\n";
        byte[] request = (head + "{\"query\": \"" + "q".repeat(1985) + "\"}").getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(trickle(request, head.length(), IDLE_MS / 4) < 10_000);
    }

    /**
     * Sends {@code request[0..from)} at once, then one byte every {@code everyMs}, until the server closes the
     * connection (returns the milliseconds since the first trickled byte) or 15 s pass (fails).
     */
    static long trickle(byte[] request, int from, long everyMs) throws Exception {
        try (Socket s = raw()) {
            OutputStream out = s.getOutputStream();
            out.write(request, 0, from);
            long t0 = System.nanoTime();
            try {
                for (int i = from; i < request.length - 1 && (System.nanoTime() - t0) < 15_000_000_000L; i++) {
                    out.write(request[i]);
                    out.flush();
                    if (closedWithin(s, Duration.ofMillis(everyMs))) {
                        return (System.nanoTime() - t0) / 1_000_000;
                    }
                }
            } catch (IOException e) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            throw new AssertionError("a client trickling a byte every " + everyMs + " ms was still connected after "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
    }

    // ------------------------------------------------------------------------------------------------ (d) keys

    /** (d) At the configured level (debug): keys used in every way, errors provoked, then the log file read. */
    @Test
    void apiKeysNeverReachTheLogOrErrorMessages() throws Exception {
        useAllKeysEverywhere();
        // Trace lines are apiKeysNeverReachTheLogEvenAtTraceLevel's business.
        List<String> lines = logLinesWithKeys().stream().filter(l -> !l.contains(" TRACE ")).toList();
        assertTrue(lines.isEmpty(), "keys in the log:\n" + String.join("\n", lines));
        for (String key : List.of(KEY, OTHER_KEY, WRONG_KEY)) {
            for (String body : bodies) {
                assertFalse(body.contains(key), "a key is in a response: " + body);
            }
        }
    }

    /**
     * The same at trace level, which a user may set to debug a problem: Vert.x Web's router then logs every request's
     * absolute URI, so the documented {@code /ws?api_key=KEY} lands in the log.
     */
    @Test
    void apiKeysNeverReachTheLogEvenAtTraceLevel() throws Exception {
        Logger root = Logger.getLogger("");
        Level before = root.getLevel();
        try {
            root.setLevel(Level.FINEST);
            for (Handler h : root.getHandlers()) {
                h.setLevel(Level.FINEST);
            }
            useAllKeysEverywhere();
        } finally {
            root.setLevel(before);
            for (Handler h : root.getHandlers()) {
                h.setLevel(before);
            }
        }
        List<String> lines = logLinesWithKeys();
        assertTrue(lines.isEmpty(), "keys in the log:\n" + String.join("\n", lines));
    }

    /** Valid keys in every accepted form, wrong ones in every form, on successful and failing requests. */
    static void useAllKeysEverywhere() throws Exception {
        String json = "application/json";
        for (String[] auth : new String[][]{{"Authorization", "Bearer " + KEY}, {"Authorization", KEY},
                {"X-API-Key", KEY}, {"X-API-Key", OTHER_KEY}, {"Authorization", "bearer   " + OTHER_KEY + "  "}}) {
            assertEquals(200, send("GET", "/api/v1/status", null, auth).status());
            assertEquals(404, send("GET", "/api/v1/jobs/import-00000000", null, auth).status());
            assertEquals(400, send("POST", "/api/v1/search", "{\"query\": ", auth[0], auth[1], "Content-Type", json)
                    .status());
            assertEquals(415, send("POST", "/api/v1/search", "query=x", auth[0], auth[1], "Content-Type",
                    "text/plain").status());
            assertEquals(404, send("GET", "/api/v1/no-such-route", null, auth).status());
            assertEquals(403, send("POST", "/api/v1/import", "{\"path\": \"/etc/passwd\"}", auth[0], auth[1],
                    "Content-Type", json).status());
        }
        for (String[] auth : new String[][]{{"Authorization", "Bearer " + WRONG_KEY}, {"Authorization", WRONG_KEY},
                {"X-API-Key", WRONG_KEY}, {"Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                ("user:" + WRONG_KEY).getBytes(StandardCharsets.UTF_8))}, {"X-API-Key", KEY + "x"},
                {"Authorization", "Bearer " + KEY.substring(0, KEY.length() - 1)}}) {
            Reply r = send("GET", "/api/v1/status", null, auth);
            assertEquals(401, r.status(), r.body());
            assertJsonError(r, "wrong key");
            assertEquals(401, send("POST", "/api/v1/search", "{\"query\":\"x\"}", auth[0], auth[1], "Content-Type",
                    json).status());
        }
        // ?api_key= is only for /ws: elsewhere it is no key at all.
        assertEquals(401, send("GET", "/api/v1/status?api_key=" + KEY, null).status());
        assertEquals(401, send("GET", "/api/v1/status?api_key=" + WRONG_KEY, null).status());
        assertEquals(200, send("GET", "/metrics?api_key=" + WRONG_KEY, null, "X-API-Key", WRONG_KEY).status(),
                "metrics need no key here");
        // /ws with the key in the query, right and wrong, and with a header.
        try (HttpClient http = HttpClient.newHttpClient()) {
            String wsBase = base.replaceFirst("^http", "ws") + "/ws";
            CompletableFuture<String> first = new CompletableFuture<>();
            StringBuilder received = new StringBuilder();
            WebSocket.Listener listener = new WebSocket.Listener() {
                @Override
                public java.util.concurrent.CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    received.append(data).append('\n');
                    if (received.toString().contains("\"type\":\"error\"")) {
                        first.complete(received.toString());
                    }
                    ws.request(1);
                    return null;
                }
            };
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(wsBase + "?api_key=" + KEY), listener)
                    .get(10, TimeUnit.SECONDS);
            ws.sendText("{not json", true).get(5, TimeUnit.SECONDS);
            String answers = first.get(10, TimeUnit.SECONDS);
            bodies.add(answers);
            assertTrue(answers.contains("\"type\":\"hello\""), answers);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
            CompletionException refused = assertThrows(CompletionException.class, () -> http.newWebSocketBuilder()
                    .buildAsync(URI.create(wsBase + "?api_key=" + WRONG_KEY), new WebSocket.Listener() {
                    }).join());
            assertTrue(refused.getCause() instanceof java.net.http.WebSocketHandshakeException, refused.toString());
            assertEquals(401, ((java.net.http.WebSocketHandshakeException) refused.getCause()).getResponse()
                    .statusCode());
            assertThrows(CompletionException.class, () -> http.newWebSocketBuilder().header("X-API-Key", WRONG_KEY)
                    .buildAsync(URI.create(wsBase), new WebSocket.Listener() {
                    }).join());
        }
        // Failures the daemon logs with a stack trace, with a key on the request.
        Reply internal = send("POST", "/api/v1/scrape", new JsonObject().put("urls", new JsonArray()
                .add("http://127.0.0.1:9/")).put("stay_on_domain", "yes").encode(), "Authorization", "Bearer " + KEY,
                "Content-Type", json);
        assertTrue(internal.status() >= 400, internal.body());
        Path garbage = Files.write(importRoot.resolve("garbage.xml.bz2"), new byte[]{'B', 'Z', 'h', '9', 1, 2, 3});
        Reply job = send("POST", "/api/v1/import", new JsonObject().put("path", garbage.toString()).encode(),
                "X-API-Key", KEY, "Content-Type", json);
        assertEquals(202, job.status(), job.body());
        awaitJob(job.json().getJsonObject("job").getString("id"));
        // Malformed requests carrying a key, handled by the HTTP decoder rather than the router.
        for (String bad : List.of(
                "GET /api/v1/status HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + KEY + "\r\nbroken header\r\n\r\n",
                "GET /api/v1/status?api_key=" + KEY + " HTTP/9.9\r\nHost: h\r\n\r\n",
                "POST /api/v1/search HTTP/1.1\r\nHost: h\r\nX-API-Key: " + KEY + "\r\nContent-Length: -5\r\n\r\n",
                "POST /api/v1/search HTTP/1.1\r\nHost: h\r\nX-API-Key: " + WRONG_KEY + "\r\nTransfer-Encoding: chunked"
                        + "\r\n\r\nzz\r\n")) {
            try (Socket s = raw()) {
                s.getOutputStream().write(bad.getBytes(StandardCharsets.ISO_8859_1));
                s.setSoTimeout(5000);
                try {
                    readResponse(s);
                } catch (IOException ignored) {
                    // closed or reset: fine
                }
            }
        }
        assertHealthy();
    }

    /** The lines of the daemon's log files that hold a key (or a long part of one); the log must exist and say much. */
    static List<String> logLinesWithKeys() throws IOException {
        for (Handler h : Logger.getLogger("").getHandlers()) {
            h.flush();
        }
        StringBuilder log = new StringBuilder();
        try (var files = Files.list(logDir)) {
            for (Path f : files.toList()) {
                log.append(Files.readString(f, StandardCharsets.ISO_8859_1));
            }
        }
        assertTrue(log.toString().contains("HTTP API and dashboard on"), "the daemon's log is not where expected");
        assertTrue(log.toString().contains("(API keys required)"));
        assertTrue(log.toString().contains(" DEBUG "), "the log is at debug level");
        assertTrue(log.toString().contains("job failed"), "the provoked failure (a corrupt dump) is logged");
        List<String> found = new ArrayList<>();
        List<String> needles = List.of(KEY, OTHER_KEY, WRONG_KEY, KEY.substring(4, 22), OTHER_KEY.substring(4, 22),
                WRONG_KEY.substring(6, 24));
        for (String line : log.toString().split("\n")) {
            if (needles.stream().anyMatch(line::contains) && found.size() < 20) {
                found.add(line.length() > 400 ? line.substring(0, 400) + "..." : line);
            }
        }
        return found;
    }

    // ------------------------------------------------------------------------------------------------ jobs

    static JsonObject awaitJob(String id) throws Exception {
        Reply r = Await.value(Duration.ofSeconds(30), Duration.ofMillis(100), "job " + id + " ended",
                () -> send("GET", "/api/v1/jobs/" + id, null, "X-API-Key", KEY), reply -> {
                    JsonObject job = reply.json().getJsonObject("job");
                    return job != null && !List.of("queued", "running").contains(job.getString("state"));
                });
        return r.json().getJsonObject("job");
    }

    static void awaitJobsEnd() throws Exception {
        for (Object o : send("GET", "/api/v1/jobs", null, "X-API-Key", KEY).json().getJsonArray("jobs")) {
            awaitJob(((JsonObject) o).getString("id"));
        }
    }
}
