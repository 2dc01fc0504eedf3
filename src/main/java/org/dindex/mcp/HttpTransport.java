package org.dindex.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * MCP's streamable HTTP transport, stateless, without HTTP: the web server (org.dindex.http) hands it the body of
 * each {@code POST /mcp} and writes back the {@link Answer}. A request gets its JSON-RPC response as
 * {@code application/json}; a notification or a response from the client gets 202 with no body; a message that is
 * not valid JSON-RPC gets 400 with a JSON-RPC error, checked here first as the stdio transport does
 * ({@link JsonRpcCheck}), so the SDK only sees what it can handle.
 *
 * <p>Why stateless: every dindex tool is a self-contained call on the daemon, with no server-to-client requests or
 * notifications, so there is nothing a session would hold; and a stateless server survives restarts and replicas
 * behind a load balancer without sticky sessions.
 */
public final class HttpTransport implements McpStatelessServerTransport {
    /** The HTTP answer to one POST: a status and a JSON body (null for 202). */
    public record Answer(int status, String json) {
    }

    private final ObjectMapper mapper;
    private final McpJsonMapper json;
    private final StdioTransport.ParamsCheck paramsCheck;
    private volatile McpStatelessServerHandler handler;

    HttpTransport(ObjectMapper mapper, McpJsonMapper json, StdioTransport.ParamsCheck paramsCheck) {
        this.mapper = mapper;
        this.json = json;
        this.paramsCheck = paramsCheck;
    }

    @Override
    public void setMcpHandler(McpStatelessServerHandler handler) {
        this.handler = handler;
    }

    /** Handles one POSTed message. The Mono completes on a worker thread: the tools block on the daemon's socket. */
    public Mono<Answer> handle(String body) {
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            return Mono.just(error(400, null, McpSchema.ErrorCodes.PARSE_ERROR, "Parse error: the body is not valid"
                    + " JSON (" + e.getOriginalMessage() + ")"));
        }
        if (node == null) {
            return Mono.just(error(400, null, McpSchema.ErrorCodes.PARSE_ERROR, "Parse error: the body is empty"));
        }
        Object id = idOf(node);
        String problem = JsonRpcCheck.problem(node);
        if (problem != null) {
            return Mono.just(error(400, id, McpSchema.ErrorCodes.INVALID_REQUEST, "Invalid Request: "
                    + problem.replace("per line", "per request")));
        }
        if (!node.has("method")) {
            return Mono.just(new Answer(202, null));  // a response to a server request: this server sends none
        }
        if (id != null) {
            String wrong = paramsCheck.problem(node.get("method").asText(), node.get("params"));
            if (wrong != null) {
                return Mono.just(error(200, id, McpSchema.ErrorCodes.INVALID_PARAMS, wrong));
            }
        }
        McpSchema.JSONRPCMessage message;
        try {
            message = McpSchema.deserializeJsonRpcMessage(json, body);
        } catch (IOException | RuntimeException e) {
            return Mono.just(error(400, id, McpSchema.ErrorCodes.INVALID_REQUEST, "Invalid Request: "
                    + e.getMessage()));
        }
        McpStatelessServerHandler h = handler;
        if (message instanceof McpSchema.JSONRPCRequest request) {
            return h.handleRequest(McpTransportContext.EMPTY, request).map(response -> {
                try {
                    return new Answer(200, mapper.writeValueAsString(response));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("cannot write an MCP response", e);
                }
            });
        }
        if (message instanceof McpSchema.JSONRPCNotification notification) {
            return h.handleNotification(McpTransportContext.EMPTY, notification).thenReturn(new Answer(202, null));
        }
        return Mono.just(new Answer(202, null));
    }

    private static Object idOf(JsonNode node) {
        JsonNode id = node.isObject() ? node.get("id") : null;
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            return null;
        }
        return id.isTextual() ? id.asText() : id.numberValue();
    }

    /** A JSON-RPC error as a plain map: the SDK's type refuses the null id JSON-RPC prescribes for unreadable ids. */
    private Answer error(int status, Object id, int code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("jsonrpc", McpSchema.JSONRPC_VERSION);
        error.put("id", id);
        error.put("error", Map.of("code", code, "message", message));
        try {
            return new Answer(status, mapper.writeValueAsString(error));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.empty();
    }
}
