package org.dindex.mcp;

/** A tool call that cannot be done as asked; its message goes back to the model as an MCP tool error. */
final class ToolException extends RuntimeException {
    ToolException(String message) {
        super(message);
    }
}
