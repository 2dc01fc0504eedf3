package org.dindex.mcp;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.dindex.cli.Main;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real {@code dindex mcp} process (a new JVM on the test class path) driven as an MCP client would: one JSON-RPC
 * message per line on its stdin, answers read line by line from its stdout. Every stdout line must be a JSON-RPC
 * message; anything else is recorded in {@link #stray} so tests can assert that stdout stayed clean.
 */
final class McpProcess implements AutoCloseable {
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);

    final Process process;
    final Path stderr;
    final List<String> stray = Collections.synchronizedList(new ArrayList<>());
    private final OutputStream stdin;
    private final BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    private final List<JsonObject> unclaimed = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();

    private McpProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.stdin = process.getOutputStream();
        Thread.ofPlatform().daemon().name("mcp-test-stdout").start(this::readStdout);
    }

    /** Starts {@code dindex --data-dir D --socket S mcp} with the test environment plus {@code extraEnv}. */
    static McpProcess start(Path dataDir, Path socket, Path stderr, Map<String, String> extraEnv) throws IOException {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--data-dir", dataDir.toString(), "--socket", socket.toString(), "mcp");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(stderr.toFile()));
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", dataDir.getParent().toString());
        // As in Cli: the fastest bundled model, and a free HTTP port for any daemon started from here.
        env.put("DINDEX_EMBEDDING_MODEL", "all-minilm-l6-v2-q");
        env.put("DINDEX_HTTP_PORT", "0");
        env.putAll(extraEnv);
        return new McpProcess(pb.start(), stderr);
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                try {
                    JsonObject json = new JsonObject(line);
                    if (!"2.0".equals(json.getString("jsonrpc"))) {
                        stray.add(line);
                    }
                    messages.add(json);
                } catch (DecodeException e) {
                    stray.add(line);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Writes one line as it is (malformed ones included). */
    void sendLine(String line) throws IOException {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    void notify(String method, JsonObject params) throws IOException {
        JsonObject msg = new JsonObject().put("jsonrpc", "2.0").put("method", method);
        if (params != null) {
            msg.put("params", params);
        }
        sendLine(msg.encode());
    }

    /** Sends a request and returns its id, without waiting. */
    long send(String method, JsonObject params) throws IOException {
        long id = ids.incrementAndGet();
        JsonObject msg = new JsonObject().put("jsonrpc", "2.0").put("id", id).put("method", method);
        if (params != null) {
            msg.put("params", params);
        }
        sendLine(msg.encode());
        return id;
    }

    /** Sends a request and waits for the answer with its id. */
    JsonObject request(String method, JsonObject params) throws Exception {
        return answer(send(method, params));
    }

    /** The tool call's result (whether or not it is a tool error). */
    JsonObject callTool(String name, JsonObject arguments) throws Exception {
        JsonObject answer = request("tools/call", new JsonObject().put("name", name).put("arguments", arguments));
        JsonObject result = answer.getJsonObject("result");
        assertNotNull(result, () -> "tools/call " + name + " got no result: " + answer.encode());
        return result;
    }

    /** The answer whose id is {@code id}; other messages are kept for later calls. */
    synchronized JsonObject answer(Object id) throws Exception {
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        while (true) {
            for (JsonObject m : unclaimed) {
                if (idMatches(m, id)) {
                    unclaimed.remove(m);
                    return m;
                }
            }
            JsonObject next = messages.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                fail("no answer to request " + id + " within " + ANSWER_TIMEOUT + "; alive " + process.isAlive()
                        + "; stderr:\n" + stderrText());
            }
            if (idMatches(next, id)) {
                return next;
            }
            unclaimed.add(next);
        }
    }

    private static boolean idMatches(JsonObject message, Object id) {
        Object got = message.getValue("id");
        if (got == null || id == null) {
            return got == null && id == null && (message.containsKey("result") || message.containsKey("error"));
        }
        return got instanceof Number n && id instanceof Number m ? n.longValue() == m.longValue() : got.equals(id);
    }

    /** The JSON-RPC error code of an error answer. */
    static int errorCode(JsonObject answer) {
        JsonObject error = answer.getJsonObject("error");
        assertNotNull(error, () -> "expected an error, got " + answer.encode());
        return error.getInteger("code");
    }

    /** The text of a tool result's first content item. */
    static String text(JsonObject result) {
        JsonObject first = result.getJsonArray("content").getJsonObject(0);
        assertEquals("text", first.getString("type"));
        return first.getString("text");
    }

    static boolean isError(JsonObject result) {
        return result.getBoolean("isError", false);
    }

    String stderrText() {
        try {
            return Files.exists(stderr) ? Files.readString(stderr) : "";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Closes stdin, as a client does to end the session, and waits for the process to exit. */
    int closeInput(Duration wait) throws Exception {
        stdin.close();
        if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("dindex mcp did not exit within " + wait + " after stdin closed");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Map<String, String> env(String... pairs) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }
}
