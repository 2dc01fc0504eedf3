package org.dindex.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
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
        return new Schema().string("collection", false, "The collection (named index); absent: the default"
                + " collection and the list of every collection.");
    }

    @Override
    public McpSchema.ToolAnnotations annotations() {
        return new McpSchema.ToolAnnotations("Index statistics", true, false, true, false, null);
    }

    @Override
    public ToolResult call(ToolArgs args) {
        String collection = IndexTool.collection(args);
        try (Dindex dindex = daemon.dindex()) {
            JsonObject stats = dindex.inCollection(collection).stats();
            if (collection == null) {
                JsonArray all = new JsonArray();
                dindex.collections().forEach(c -> all.add(new JsonObject().put("name", c.name())
                        .put("model", c.model()).put("documents", c.documents()).put("chunks", c.chunks())));
                stats.put("collections", all);
            }
            return ToolResult.json(stats);
        }
    }
}
