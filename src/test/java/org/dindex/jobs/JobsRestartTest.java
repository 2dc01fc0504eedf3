package org.dindex.jobs;

import io.vertx.core.json.JsonObject;
import org.dindex.support.Await;
import org.dindex.support.Cli;
import org.dindex.support.Europarl;
import org.dindex.support.TestDirs;
import org.dindex.support.WikiDump;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jobs across daemon restarts, with the daemon as a separate process: a job running when the daemon is killed
 * (SIGKILL) or stopped is shown as interrupted after the restart and can be resumed to the same end state.
 */
@Timeout(600)
class JobsRestartTest {
    Path root;
    Cli cli;

    @AfterEach
    void cleanUp() {
        if (cli != null) {
            cli.run("daemon", "stop");
            cli.killDaemon();
        }
        TestDirs.deleteTree(root);
    }

    @Test
    void anImportCutOffByAKillOrAStopIsInterruptedAndResumes() throws Exception {
        root = TestDirs.privateDir("jr");
        cli = new Cli(root).env("DINDEX_JOBS_CHECKPOINT_PAGES", "5").env("DINDEX_JOBS_BATCH_DOCUMENTS", "4")
                .env("DINDEX_LOG_FORMAT", "json").env("DINDEX_LOG_LEVEL", "debug");
        List<Europarl.Line> lines = Europarl.english(300);
        WikiDump dump = new WikiDump();
        for (int i = 0; i < lines.size(); i++) {
            dump.article("Speech " + i, "'''Speech " + i + "''' " + lines.get(i).text());
        }
        Path file = dump.writeBz2(root.resolve("speeches.xml.bz2"));
        assertEquals(0, cli.run("daemon", "start").exit());

        String first = start(file, null);
        awaitImported(first, 12);
        cli.killDaemon();

        // The next command starts a new daemon, which finds the job cut off.
        JsonObject killed = job(first);
        assertEquals("interrupted", killed.getString("state"), killed.encodePrettily());
        assertTrue(killed.getString("error").contains("resume"), killed.getString("error"));
        long position = killed.getJsonObject("checkpoint").getLong("position");
        assertTrue(position >= 5 && position < lines.size(), killed.encodePrettily());

        String second = start(file, first);
        awaitImported(second, killed.getJsonObject("counters").getLong("imported") + 8);
        assertEquals(0, cli.run("daemon", "stop").exit());
        JsonObject stopped = job(second);
        assertEquals("interrupted", stopped.getString("state"), stopped.encodePrettily());

        Cli.Result last = cli.run("import", file.toString(), "--resume", second, "--json");
        assertEquals(0, last.exit(), last.toString());
        assertEquals("completed", last.json().getString("state"));
        assertEquals(lines.size(), last.json().getJsonObject("counters").getLong("pages_read"));
        JsonObject stats = cli.run("stats", "--json").json();
        assertEquals(lines.size(), stats.getInteger("documents"), stats.encodePrettily());
        Cli.Result check = cli.run("check", "--json");
        assertEquals(0, check.exit(), check.toString());

        // Structured logs: every line of the detached daemon's log is one JSON object, job lines carry job_id and
        // HTTP lines the request id.
        String url = cli.run("daemon", "status", "--json").json().getJsonObject("http").getString("url");
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(url + "/api/v1/nope")).header("X-Request-Id", "req-test-42").build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        assertEquals(0, cli.run("daemon", "stop").exit());
        List<String> logLines = java.nio.file.Files.readAllLines(cli.dataDir.resolve("logs/daemon.0.log"));
        assertTrue(logLines.size() > 10, "log lines: " + logLines.size());
        boolean jobLine = false;
        boolean requestLine = false;
        for (String line : logLines) {
            JsonObject json = new JsonObject(line);
            for (String field : List.of("ts", "level", "logger", "thread", "msg")) {
                assertTrue(json.containsKey(field), field + " missing in " + line);
            }
            jobLine |= last.json().getString("id").equals(json.getString("job_id"));
            requestLine |= "req-test-42".equals(json.getString("request_id"));
        }
        assertTrue(jobLine, "a log line with the job's id");
        assertTrue(requestLine, "a log line with the request id");
    }

    private String start(Path file, String resume) {
        Cli.Result r = resume == null ? cli.run("import", file.toString(), "--detach", "--json")
                : cli.run("import", file.toString(), "--resume", resume, "--detach", "--json");
        assertEquals(0, r.exit(), r.toString());
        return r.json().getString("id");
    }

    private JsonObject job(String id) {
        Cli.Result r = cli.run("job", id, "--json");
        assertEquals(0, r.exit(), r.toString());
        return r.json();
    }

    private void awaitImported(String id, long imported) throws InterruptedException {
        Await.until(Duration.ofMinutes(3), Duration.ofMillis(100), "job " + id + " imported " + imported
                + " documents", () -> {
                    JsonObject job = job(id);
                    assertEquals("running", job.getString("state"), job.encodePrettily());
                    return job.getJsonObject("counters").getLong("imported", 0L) >= imported;
                });
    }
}
