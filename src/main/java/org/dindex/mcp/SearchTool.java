package org.dindex.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.SearchFilters;
import org.dindex.protocol.SearchQuery;
import org.dindex.client.Dindex;

import java.util.List;

/**
 * {@code search}: hybrid search, answered as documents with their matching passages and citation numbers. The
 * daemon's reply is trimmed to what a model uses (full passage text, headings, scores); highlight snippets, ranks
 * per retriever and neighbour ids stay out of the context window.
 */
final class SearchTool implements DindexTool {
    static final List<String> MODES = List.of("hybrid", "dense", "bm25");

    private final DaemonAccess daemon;

    SearchTool(DaemonAccess daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return "search";
    }

    @Override
    public String description() {
        return "Search the local dindex index (files, web pages and dumps the user indexed) and return the most"
                + " relevant passages grouped by document. Each document has a citation number; cite passages as"
                + " [n] with the document's title and url or source. Use 'context' instead when you want one"
                + " ready-to-read block of text within a token budget.";
    }

    @Override
    public Schema schema() {
        return new Schema()
                .string("query", true, "What to look for: a question or keywords, in natural language.")
                .integer("top_k", 1, 100, 10, "How many passages to return in all (they are grouped by"
                        + " document, so fewer documents may come back).")
                .choice("mode", MODES, "hybrid", "hybrid (default) combines meaning and keywords; dense matches"
                        + " meaning only; bm25 matches exact words only (names, codes, rare terms).")
                .object("filters", filtersSchema(), "Optional restrictions; all given ones must hold.")
                .string("collection", false, "The collection (named index) to search; absent: the default"
                        + " collection.")
                .strings("collections", false, "Several collections to search at once, fused into one"
                        + " ranking (instead of 'collection'); each document names its collection.");
    }

    /** The daemon's filters, shared with {@code context}. */
    static Schema filtersSchema() {
        return new Schema()
                .string("source_url_prefix", false, "Only documents whose source (absolute file path or URL)"
                        + " starts with this, e.g. '/home/me/notes/' or 'https://example.org/docs/'.")
                .strings("document_ids", false, "Only these documents (ids as returned in results).")
                .stringMap("metadata_equals", "Only documents whose metadata has exactly these values.")
                .stringMap("metadata_contains", "Only documents whose metadata values contain these words.")
                .string("min_timestamp", false, "Only documents modified or fetched at or after this ISO-8601"
                        + " instant, e.g. '2025-01-31T00:00:00Z'.")
                .string("max_timestamp", false, "Only documents modified or fetched at or before this ISO-8601"
                        + " instant.");
    }

    @Override
    public McpSchema.ToolAnnotations annotations() {
        return new McpSchema.ToolAnnotations("Search the index", true, false, true, false, null);
    }

    @Override
    public ToolResult call(ToolArgs args) {
        // The model's filters are checked by the daemon's rules (SearchFilters.parse), which name what is wrong.
        SearchQuery query = SearchQuery.of(args.requiredString("query")).withTopK(args.integer("top_k", 10, 1, 100))
                .withMode(args.choice("mode", "hybrid", MODES))
                .withFilters(SearchFilters.parse(args.object("filters")))
                .withCollections(collections(args));
        try (Dindex dindex = daemon.dindex()) {
            return ToolResult.json(trim(dindex.search(query).raw()));
        }
    }

    /** {@code collection} or {@code collections} (not both), checked against the naming rule; null for neither. */
    static List<String> collections(ToolArgs args) {
        String one = args.string("collection");
        List<String> many = args.strings("collections");
        if (one != null && !many.isEmpty()) {
            throw new ToolException("give 'collection' or 'collections', not both");
        }
        List<String> names = one != null ? List.of(one) : many;
        try {
            names.forEach(CollectionNames::check);
        } catch (DindexException e) {
            throw new ToolException(e.getMessage());
        }
        return names.isEmpty() ? null : names;
    }

    static JsonObject trim(JsonObject r) {
        JsonArray results = new JsonArray();
        for (Object o : r.getJsonArray("results", new JsonArray())) {
            JsonObject doc = (JsonObject) o;
            JsonArray passages = new JsonArray();
            for (Object co : doc.getJsonArray("chunks", new JsonArray())) {
                JsonObject c = (JsonObject) co;
                JsonArray section = c.getJsonArray("section_hierarchy", new JsonArray());
                passages.add(new JsonObject().put("chunk_id", c.getString("chunk_id"))
                        .put("section", String.join(" > ", section.stream().map(String::valueOf).toList()))
                        .put("content", c.getString("content"))
                        .put("score", c.getJsonObject("score", new JsonObject()).getValue("fused")));
            }
            JsonObject shown = new JsonObject().put("citation", doc.getInteger("citation"));
            if (doc.getString("collection") != null) {
                shown.put("collection", doc.getString("collection"));
            }
            results.add(shown
                    .put("title", doc.getString("title")).put("url", doc.getString("url"))
                    .put("source", doc.getString("source")).put("document_id", doc.getString("document_id"))
                    .put("metadata", doc.getJsonObject("metadata", new JsonObject()))
                    .put("score", doc.getValue("score"))
                    .put("passages", passages));
        }
        JsonObject out = new JsonObject().put("query", r.getString("query")).put("mode", r.getString("mode"))
                .put("total_documents", r.getInteger("total_documents"))
                .put("total_chunks", r.getInteger("total_chunks"));
        if (r.getBoolean("degraded", false)) {
            out.put("degraded", true).put("warning", r.getString("warning"));
        }
        return out.put("results", results).put("citations", r.getJsonArray("citations", new JsonArray()));
    }
}
