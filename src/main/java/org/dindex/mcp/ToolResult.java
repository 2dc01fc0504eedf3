package org.dindex.mcp;

import io.vertx.core.json.JsonObject;

/**
 * What a tool answers: {@code text} for the model (clients put it in the conversation) and the same facts as
 * {@code structured} JSON for programs. {@code error} marks a call that did nothing useful (an MCP tool error).
 */
record ToolResult(String text, JsonObject structured, boolean error) {
    /** The JSON itself as the text: the usual case. */
    static ToolResult json(JsonObject structured) {
        return new ToolResult(structured.encode(), structured, false);
    }

    static ToolResult of(String text, JsonObject structured) {
        return new ToolResult(text, structured, false);
    }

    static ToolResult failed(String message) {
        return new ToolResult(message, null, true);
    }
}
