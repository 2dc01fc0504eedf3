package org.dindex.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import reactor.core.publisher.Mono;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The MCP stdio transport: newline-delimited JSON-RPC 2.0 on stdin and stdout, one session.
 *
 * <p>Why not the SDK's {@code StdioServerTransportProvider}: it stops reading (and so ends the session) at the first
 * line that is not a JSON-RPC message. This one answers such a line itself, with {@code -32700} (not JSON) or
 * {@code -32600} (JSON but not a valid request), and reads on; everything valid goes to the SDK's session, which
 * answers unknown methods and bad parameters itself.
 */
final class StdioTransport implements McpServerTransportProvider {
    private static final Logger LOG = Logger.getLogger(StdioTransport.class.getName());

    private final ObjectMapper mapper;
    private final McpJsonMapper json;
    private final InputStream in;
    private final OutputStream out;
    private final ParamsCheck paramsCheck;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile McpServerSession session;
    private volatile boolean closed;

    /** Checks a request's parameters before the session sees them: returns what is wrong, or null. */
    interface ParamsCheck {
        String problem(String method, JsonNode params);
    }

    StdioTransport(ObjectMapper mapper, McpJsonMapper json, InputStream in, OutputStream out, ParamsCheck check) {
        this.mapper = mapper;
        this.json = json;
        this.in = in;
        this.out = out;
        this.paramsCheck = check;
    }

    @Override
    public void setSessionFactory(McpServerSession.Factory sessionFactory) {
        session = sessionFactory.create(new SessionTransport());
    }

    /**
     * Reads and dispatches messages until stdin ends or stdout is gone, then gives requests in flight up to
     * {@code drain} to answer (a client that writes its requests and closes stdin still gets its answers).
     */
    void serve(Duration drain) throws IOException, InterruptedException {
        read();
        long deadline = System.nanoTime() + drain.toNanos();
        while (pending.get() > 0 && !closed && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private void read() throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while (!closed && (line = reader.readLine()) != null) {
            if (!line.isBlank()) {
                try {
                    dispatch(line);
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                } catch (RuntimeException e) {
                    // Whatever one message does, the next one is still read.
                    LOG.log(Level.WARNING, "MCP message could not be handled", e);
                }
            }
        }
    }

    private void dispatch(String line) {
        JsonNode node;
        try {
            node = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            reject(null, McpSchema.ErrorCodes.PARSE_ERROR, "Parse error: the line is not valid JSON ("
                    + e.getOriginalMessage() + ")");
            return;
        }
        Object id = idOf(node);
        String problem = JsonRpcCheck.problem(node);
        if (problem != null) {
            reject(id, McpSchema.ErrorCodes.INVALID_REQUEST, "Invalid Request: " + problem);
            return;
        }
        if (id != null && node.has("method")) {
            String wrong = paramsCheck.problem(node.get("method").asText(), node.get("params"));
            if (wrong != null) {
                reject(id, McpSchema.ErrorCodes.INVALID_PARAMS, wrong);
                return;
            }
        }
        McpSchema.JSONRPCMessage message;
        try {
            message = McpSchema.deserializeJsonRpcMessage(json, line);
        } catch (IOException | RuntimeException e) {
            reject(id, McpSchema.ErrorCodes.INVALID_REQUEST, "Invalid Request: " + e.getMessage());
            return;
        }
        pending.incrementAndGet();
        session.handle(message).doFinally(signal -> pending.decrementAndGet())
                .subscribe(null, e -> LOG.log(Level.WARNING, "MCP message failed", e));
    }

    /** The request's id when it is usable in an answer (a string or a number), else null. */
    private static Object idOf(JsonNode node) {
        JsonNode id = node.isObject() ? node.get("id") : null;
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            return null;
        }
        return id.isTextual() ? id.asText() : id.numberValue();
    }

    /**
     * Answers a line the session never sees. Written as a plain map: the SDK's response type refuses the null id
     * that JSON-RPC prescribes when the request's id cannot be read.
     */
    private void reject(Object id, int code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("jsonrpc", McpSchema.JSONRPC_VERSION);
        error.put("id", id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        error.put("error", body);
        write(error);
    }

    private void write(Object message) {
        try {
            // Jackson escapes line breaks inside strings, so one message is one line.
            byte[] bytes = mapper.writeValueAsBytes(message);
            synchronized (out) {
                out.write(bytes);
                out.write('\n');
                out.flush();
            }
        } catch (IOException e) {
            // stdout is gone: the client went away, so there is no one left to serve.
            closed = true;
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        McpServerSession s = session;
        return s == null ? Mono.empty() : s.sendNotification(method, params);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.fromRunnable(() -> closed = true);
    }

    /** The session's side: writes whatever the SDK answers, in the order it answers. */
    private final class SessionTransport implements McpServerTransport {
        @Override
        public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
            return Mono.fromRunnable(() -> write(message));
        }

        @Override
        public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
            return json.convertValue(data, typeRef);
        }

        @Override
        public Mono<Void> closeGracefully() {
            return Mono.fromRunnable(() -> closed = true);
        }
    }
}
