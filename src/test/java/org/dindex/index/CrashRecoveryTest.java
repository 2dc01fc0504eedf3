package org.dindex.index;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.client.DindexClient;
import org.dindex.support.Cli;
import org.dindex.support.Europarl;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kill -9 at random moments while documents stream in; after a restart every acknowledged document must be there
 * with all its chunks, in both stores, exactly once.
 */
@Timeout(600)
class CrashRecoveryTest {
    Path root;
    Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        root = TestDirs.privateDir("dk");
        // Commit rarely, so the acknowledged writes live only in the WAL when the kill comes (a commit before every
        // kill, as a shorter interval gave when ingest got faster, leaves nothing to recover).
        cli = new Cli(root).env("DINDEX_INDEX_COMMIT_INTERVAL_MS", "600000")
                .env("DINDEX_INDEX_COMMIT_EVERY_CHUNKS", "1000000");
    }

    @AfterEach
    void tearDown() {
        cli.killDaemon();
        TestDirs.deleteTree(root);
    }

    @Test
    void everyAcknowledgedChunkSurvivesSigkill() throws Exception {
        List<Europarl.Line> lines = Europarl.english(400);
        Random random = new Random(20261125);
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        int next = 0;
        int recovered = 0;
        for (int trial = 0; trial < 3; trial++) {
            Cli.Result started = cli.run("daemon", "start", "--json");
            assertEquals(0, started.exit(), started.toString());
            long pid = started.json().getLong("pid");
            if (trial > 0) {
                recovered += stats().getInteger("recovered_operations");
                verify(acknowledged);
            }
            int from = next;
            long killAfter = 1500 + random.nextInt(2500);
            Thread writer = Thread.ofPlatform().start(() -> stream(lines, from, acknowledged));
            Thread.sleep(killAfter);
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            writer.join(30_000);
            next = from + 60;
        }
        assertEquals(0, cli.run("daemon", "start").exit());
        recovered += stats().getInteger("recovered_operations");
        verify(acknowledged);
        assertTrue(recovered > 0, "some acknowledged writes were only in the WAL when the daemon died");
        assertTrue(acknowledged.size() > 5, "the trials acknowledged documents: " + acknowledged.size());
    }

    private JsonObject stats() {
        Cli.Result r = cli.run("stats", "--json");
        assertEquals(0, r.exit(), r.toString());
        return r.json();
    }

    /** Submits one document per request (one WAL record each) until the connection dies. */
    private void stream(List<Europarl.Line> lines, int from, Map<String, Integer> acknowledged) {
        try (DindexClient client = DindexClient.connect(cli.socket)) {
            for (int i = from; i < from + 60 && i < lines.size(); i++) {
                String source = "europarl://" + i;
                JsonObject doc = new JsonObject().put("source", source).put("title", lines.get(i).title())
                        .put("text", lines.get(i).text());
                JsonObject reply = client.request(Addresses.INDEX_SUBMIT, new JsonObject()
                        .put("documents", new JsonArray().add(doc)), Duration.ofMinutes(2));
                JsonObject result = reply.getJsonArray("results").getJsonObject(0);
                acknowledged.put(source, result.getInteger("chunks"));
            }
        } catch (DindexException e) {
            // the daemon was killed mid-request: that request was not acknowledged
        }
    }

    private void verify(Map<String, Integer> acknowledged) {
        Cli.Result export = cli.run("export");
        assertEquals(0, export.exit(), export.toString());
        Map<String, Integer> chunksBySource = new HashMap<>();
        Set<String> chunkIds = new HashSet<>();
        for (String line : export.out().lines().toList()) {
            JsonObject c = new JsonObject(line);
            assertTrue(chunkIds.add(c.getString("chunk_id")), "duplicate chunk " + c.getString("chunk_id"));
            chunksBySource.merge(c.getString("source"), 1, Integer::sum);
        }
        acknowledged.forEach((source, chunks) -> assertEquals(chunks, chunksBySource.get(source),
                "acknowledged " + source + " with " + chunks + " chunks"));
        Cli.Result check = cli.run("check", "--json");
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.json().getBoolean("ok"));
        assertEquals(check.json().getInteger("chunks"), check.json().getInteger("vectors"));
    }
}
