package org.dindex.mcp;

import io.modelcontextprotocol.spec.McpSchema;

/**
 * One MCP tool backed by the daemon. Implementations validate their arguments through {@link ToolArgs} and throw
 * on failure; {@link DindexMcpServer} turns every exception into an MCP tool error, so a call never breaks the
 * session.
 */
interface DindexTool {
    String name();

    /** What the model reads to decide when and how to call the tool. */
    String description();

    Schema schema();

    /** Hints for clients: read-only, open-world and so on. */
    McpSchema.ToolAnnotations annotations();

    ToolResult call(ToolArgs args) throws Exception;
}
