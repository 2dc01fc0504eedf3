package org.dindex.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import org.dindex.client.Dindex;

/** {@code stats}: what the index holds (documents, chunks, model, store sizes, last commit, pending writes). */
final class StatsTool implements DindexTool {
    private final DaemonAccess daemon;

    StatsTool(DaemonAccess daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return "stats";
    }

    @Override
    public String description() {
        return "Show what the local dindex index holds: number of documents and chunks, the embedding model, store"
                + " sizes, the last commit and writes not yet searchable. Use it to check whether anything is"
                + " indexed before searching.";
    }

    @Override
    public Schema schema() {
        return new Schema();
    }

    @Override
    public McpSchema.ToolAnnotations annotations() {
        return new McpSchema.ToolAnnotations("Index statistics", true, false, true, false, null);
    }

    @Override
    public ToolResult call(ToolArgs args) {
        try (Dindex dindex = daemon.dindex()) {
            return ToolResult.json(dindex.stats());
        }
    }
}
