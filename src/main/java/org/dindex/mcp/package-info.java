/**
 * The Model Context Protocol server behind {@code dindex mcp}: LLM clients (Claude Desktop, IDE agents, ...) start
 * it as a child process and speak JSON-RPC 2.0 on its stdin and stdout; it answers through the daemon's socket like
 * any other client.
 *
 * <p>The official Java SDK ({@code io.modelcontextprotocol.sdk}) handles the protocol: initialization and version
 * negotiation, {@code tools/list}, {@code tools/call}, ping, unknown methods. This package adds what the SDK does not
 * fit: a stdio transport that survives malformed lines ({@link org.dindex.mcp.StdioTransport}), and the tools
 * ({@code search}, {@code context}, {@code index}, {@code scrape}, {@code job_status}, {@code stats}), each a small
 * {@link org.dindex.mcp.DindexTool} that checks its arguments and maps to one or two bus addresses.
 *
 * <p>Why tool errors rather than protocol errors: a model can read an {@code isError} result and correct its call
 * (a missing query, a path that does not exist, a daemon that is down), whereas a JSON-RPC error usually ends the
 * client's attempt. Protocol errors are kept for what is wrong with the message itself.
 */
package org.dindex.mcp;
