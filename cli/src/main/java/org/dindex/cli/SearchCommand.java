package org.dindex.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.SearchFilters;
import org.dindex.protocol.SearchQuery;
import org.dindex.client.Dindex;
import org.dindex.cli.CommandSpecs.Field;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code dindex search QUERY}: grouped results with snippets and citations, or the JSON the daemon returns. Its model
 * is built in code ({@link CommandSpecs}).
 */
final class SearchCommand implements Callable<Integer> {
    private final DindexCommand root;
    List<String> words;
    int topK;
    String mode;
    String scope;
    String source;
    List<String> docs;
    Map<String, String> meta = new LinkedHashMap<>();
    List<String> collections;
    boolean json;
    boolean explain;

    private SearchCommand(DindexCommand root) {
        this.root = root;
    }

    static CommandSpec model(DindexCommand root) {
        SearchCommand c = new SearchCommand(root);
        return CommandSpecs.command(c, "search")
                .description("Search the index (hybrid dense + BM25 by default).")
                .examples(
                        "  dindex search what pulls the tides",
                        "  dindex search 'disk full' --mode bm25 --top-k 5",
                        "  dindex search tides --source /home/me/notes/ --json",
                        "  dindex search 'index format' --meta project=apollo --explain",
                        "  dindex --color=never search tides | less",
                        "  dindex search tides --collection notes --collection papers")
                .positional(PositionalParamSpec.builder().arity("1..*").paramLabel("QUERY")
                                .description("What to search for."),
                        Field.strings(() -> c.words, v -> c.words = v))
                .option(OptionSpec.builder("--top-k").paramLabel("<topK>").defaultValue("10")
                                .description("Chunks to return (default ${DEFAULT-VALUE})."),
                        Field.integer(() -> c.topK, v -> c.topK = v))
                .option(OptionSpec.builder("--mode").paramLabel("<mode>").defaultValue("hybrid")
                                .description("hybrid, dense or bm25 (default ${DEFAULT-VALUE})."),
                        Field.string(() -> c.mode, v -> c.mode = v))
                .option(OptionSpec.builder("--scope").paramLabel("SCOPE")
                                .description("In a cluster: cluster (every member, the default) or local (this"
                                        + " daemon's index only)."),
                        Field.string(() -> c.scope, v -> c.scope = v))
                .option(OptionSpec.builder("--source").paramLabel("PREFIX")
                                .description("Only sources starting with PREFIX."),
                        Field.string(() -> c.source, v -> c.source = v))
                .option(OptionSpec.builder("--doc").paramLabel("ID").description("Only this document (repeatable)."),
                        Field.strings(() -> c.docs, v -> c.docs = v))
                .option(OptionSpec.builder("--meta").paramLabel("KEY=VALUE")
                                .description("Only documents with this metadata (repeatable)."),
                        Field.keyValues(() -> c.meta, v -> c.meta = v))
                .option(OptionSpec.builder("--collection").paramLabel("NAME")
                                .description("The collection (default: default); repeat it to search several at once,"
                                        + " fused into one ranking."),
                        Field.strings(() -> c.collections, v -> c.collections = v))
                .option(OptionSpec.builder("--json").description("Print the daemon's JSON."),
                        Field.flag(() -> c.json, v -> c.json = v))
                .option(OptionSpec.builder("--explain").description("Show each chunk's dense, BM25 and fused scores."),
                        Field.flag(() -> c.explain, v -> c.explain = v))
                .build();
    }

    static SearchFilters filters(String source, List<String> docs, Map<String, String> meta) {
        return SearchFilters.of(source, docs, meta);
    }

    @Override
    public Integer call() {
        SearchQuery query = new SearchQuery(String.join(" ", words), topK, mode, filters(source, docs, meta), scope,
                explain, collections);
        try (Dindex dindex = root.dindex()) {
            JsonObject r = dindex.search(query).raw();
            return Replies.print(root, json, r, () -> print(r));
        }
    }

    private void print(JsonObject r) {
        boolean colour = root.colour();
        if (r.getBoolean("degraded", false)) {
            root.err.println("dindex: warning: " + r.getString("warning"));
        }
        JsonArray results = r.getJsonArray("results");
        if (results.isEmpty()) {
            root.out.println("no results");
        }
        for (Object o : results) {
            JsonObject doc = (JsonObject) o;
            String title = doc.getString("title") == null ? doc.getString("source") : doc.getString("title");
            root.out.println("[" + doc.getInteger("citation") + "] " + title + (doc.getString("collection") == null
                    ? "" : "  (" + doc.getString("collection") + ")"));
            String where = doc.getString("url") != null ? doc.getString("url") : doc.getString("source");
            if (!where.equals(title)) {
                root.out.println("    " + where);
            }
            for (Object co : doc.getJsonArray("chunks")) {
                JsonObject c = (JsonObject) co;
                StringBuilder line = new StringBuilder("    - ");
                JsonArray section = c.getJsonArray("section_hierarchy");
                if (section != null && !section.isEmpty()) {
                    line.append(String.join(" > ", section.getList())).append(": ");
                }
                line.append(Highlights.render(c.getString("snippet"), colour));
                root.out.println(line);
                if (explain) {
                    JsonObject s = c.getJsonObject("score");
                    root.out.printf("      fused %.4f, dense %s, bm25 %s, matched by %s, position %.2f%n",
                            s.getDouble("fused"), fmt(s.getValue("dense")), fmt(s.getValue("bm25")),
                            String.join("+", c.getJsonArray("matched_by").getList()), c.getDouble("position"));
                }
            }
        }
        root.out.printf("%d documents, %d chunks in %.1f ms (%s)%n", r.getInteger("total_documents"),
                r.getInteger("total_chunks"), r.getDouble("query_time_ms"), r.getString("mode"));
    }

    private static String fmt(Object v) {
        return v == null ? "-" : String.format("%.4f", ((Number) v).doubleValue());
    }
}
