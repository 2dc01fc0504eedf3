package org.dindex.mcp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The envelope rules of JSON-RPC 2.0 as MCP uses them, checked before a message reaches the SDK (which would
 * otherwise throw on it, see {@link StdioTransport}). Only the envelope: a method's parameters are the session's
 * and the tools' business.
 */
final class JsonRpcCheck {
    private JsonRpcCheck() {
    }

    /** What is wrong with the message, or null when its envelope is valid. */
    static String problem(JsonNode node) {
        if (node.isArray()) {
            return "batches are not supported: send one JSON-RPC object per line";
        }
        if (!node.isObject()) {
            return "a message must be a JSON object, got " + node.getNodeType().name().toLowerCase();
        }
        JsonNode version = node.get("jsonrpc");
        if (version == null || !version.isTextual() || !"2.0".equals(version.asText())) {
            return "\"jsonrpc\" must be \"2.0\"";
        }
        JsonNode id = node.get("id");
        if (id != null && !(id.isTextual() || id.isIntegralNumber())) {
            return "\"id\" must be a string or an integer";
        }
        JsonNode method = node.get("method");
        if (method != null) {
            if (!method.isTextual() || method.asText().isEmpty()) {
                return "\"method\" must be a non-empty string";
            }
            JsonNode params = node.get("params");
            if (params != null && !params.isObject() && !params.isNull()) {
                return "\"params\" must be an object";
            }
            return null;
        }
        if (id != null && (node.has("result") || node.has("error"))) {
            return null;
        }
        return "a message needs a \"method\" (request or notification), or an \"id\" with a \"result\" or an"
                + " \"error\" (response)";
    }
}
