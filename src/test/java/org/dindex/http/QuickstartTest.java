package org.dindex.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's HTTP quickstart, run as written against a real daemon: the curl lines (with the daemon's address and
 * a loopback site in place of example.org) and the Python example {@code docs/examples/quickstart.py} (standard
 * library only), each with an API key, so neither can rot without a failing test.
 */
@Timeout(300)
class QuickstartTest {
    static final String KEY = "quickstart-key";
    static EmbeddedDaemon daemon;
    static Vertx web;
    static String base;
    static String site;

    @BeforeAll
    static void start() throws Exception {
        web = Vertx.vertx();
        HttpServer server = web.createHttpServer().requestHandler(req -> {
            String page = switch (req.path()) {
                case "/" -> "<html><head><title>Harbour</title></head><body><p>The harbour has a lighthouse and a"
                        + " fish market.</p><a href=\"/market\">market</a> <a href=\"/gone\">gone</a></body></html>";
                case "/market" -> "<html><head><title>Fish market</title></head><body><p>Fishermen sell cod and"
                        + " herring at dawn.</p></body></html>";
                default -> null;
            };
            if (page == null) {
                req.response().setStatusCode(404).end("not found");
            } else {
                req.response().putHeader("content-type", "text/html; charset=utf-8").end(page);
            }
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        site = "http://127.0.0.1:" + server.actualPort() + "/";
        daemon = EmbeddedDaemon.start(Map.of("http.api_keys", KEY), List.of());
        base = daemon.client().request(Addresses.STATUS, new JsonObject()).getJsonObject("http").getString("url");
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
        web.close().await(10, TimeUnit.SECONDS);
    }

    record Run(int exit, String out) {
    }

    static Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "finished: " + out);
        return new Run(p.exitValue(), out);
    }

    @Test
    void thePythonExampleIndexesSearchesAndFollowsAScrape() throws Exception {
        Run r = run(List.of("python3", "docs/examples/quickstart.py", site), Map.of("DINDEX_URL", base,
                "DINDEX_API_KEY", KEY));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("indexed 2 documents"), r.out());
        assertTrue(r.out().contains("[1] Tides https://example.org/tides score"), r.out());
        assertTrue(r.out().contains("scrape job scrape-"), r.out());
        assertTrue(r.out().contains("indexed " + site + "market"), r.out());
        assertTrue(r.out().contains("skipped " + site + "gone: HTTP 404"), r.out());
        assertTrue(r.out().contains("job completed: 2 pages indexed"), r.out());
        assertTrue(r.out().contains("stage: completed"), r.out());

        Run wrongKey = run(List.of("python3", "docs/examples/quickstart.py"), Map.of("DINDEX_URL", base,
                "DINDEX_API_KEY", "wrong"));
        assertEquals(1, wrongKey.exit(), wrongKey.out());
        assertTrue(wrongKey.out().contains("POST /index: 401 unauthorized: the API key is not valid"), wrongKey.out());
    }

    @Test
    void theReadmeCurlLinesWorkAsWritten() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int begin = readme.indexOf("<!-- quickstart:begin -->");
        int end = readme.indexOf("<!-- quickstart:end -->");
        assertTrue(begin > 0 && end > begin, "README has the quickstart block");
        String block = readme.substring(begin, end);
        String script = block.substring(block.indexOf("```sh\n") + 6, block.lastIndexOf("```"))
                .replace("http://127.0.0.1:10150", base)
                .replace("\"https://example.org/\"", "\"" + site + "\"")
                .replace("curl ", "curl -H 'Authorization: Bearer " + KEY + "' ");
        assertTrue(script.contains(base + "/api/v1/jobs/$job/events"), script);
        Run r = run(List.of("sh", "-ec", script), Map.of());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("\"documents_indexed\":2"), r.out());
        assertTrue(r.out().contains("\"source_title\":\"Tides\""), r.out());
        assertTrue(r.out().contains("event: url_indexed"), r.out());
        assertTrue(r.out().contains("event: job_completed"), r.out());
        assertTrue(r.out().endsWith("}") && r.out().contains("\"stage\":\"completed\""), r.out());
    }
}
