package org.dindex.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.ContextQuery;
import org.dindex.protocol.SearchFilters;
import org.dindex.client.Dindex;

/**
 * {@code context}: the daemon's prompt-ready block (passages with [n] markers, then the numbered sources) within a
 * token budget. The block itself is the text the model reads; counts and citations come as structured content.
 */
final class ContextTool implements DindexTool {
    private final DaemonAccess daemon;

    ContextTool(DaemonAccess daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return "context";
    }

    @Override
    public String description() {
        return "Get a ready-to-read block of the passages most relevant to a question from the local dindex index,"
                + " within a token budget: passages marked [1], [2], ... followed by a 'Sources:' list. Answer from"
                + " it and cite with those numbers. Prefer this over 'search' to gather background for an answer.";
    }

    @Override
    public Schema schema() {
        return new Schema()
                .string("query", true, "The question or topic the context is for.")
                .integer("budget", 50, 100_000, 2000, "Maximum size of the block in tokens (counted with the"
                        + " embedding model's tokenizer, close to an LLM's count).")
                .object("filters", SearchTool.filtersSchema(), "Optional restrictions; all given ones must hold.")
                .string("collection", false, "The collection (named index) to draw from; absent: the default"
                        + " collection.")
                .strings("collections", false, "Several collections to draw from at once, fused into one"
                        + " ranking (instead of 'collection').");
    }

    @Override
    public McpSchema.ToolAnnotations annotations() {
        return new McpSchema.ToolAnnotations("Context for a question", true, false, true, false, null);
    }

    @Override
    public ToolResult call(ToolArgs args) {
        // The model's filters are checked by the daemon's rules (SearchFilters.parse), which name what is wrong.
        ContextQuery query = ContextQuery.of(args.requiredString("query"), args.integer("budget", 2000, 50, 100_000))
                .withFilters(SearchFilters.parse(args.object("filters")))
                .withCollections(SearchTool.collections(args));
        try (Dindex dindex = daemon.dindex()) {
            JsonObject r = dindex.context(query).raw();
            String context = r.getString("context", "");
            return ToolResult.of(context.isEmpty() ? "(nothing relevant found in the index)" : context, r);
        }
    }
}
