package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.ContextQuery;
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
 * {@code dindex context QUERY --budget N}: a prompt-ready block of the best passages with numbered sources. Its model
 * is built in code ({@link CommandSpecs}).
 */
final class ContextCommand implements Callable<Integer> {
    private final DindexCommand root;
    List<String> words;
    int budget;
    String source;
    Map<String, String> meta = new LinkedHashMap<>();
    List<String> collections;
    boolean json;

    private ContextCommand(DindexCommand root) {
        this.root = root;
    }

    static CommandSpec model(DindexCommand root) {
        ContextCommand c = new ContextCommand(root);
        return CommandSpecs.command(c, "context")
                .description("Print a prompt-ready context block for an LLM within a token budget.")
                .examples(
                        "  dindex context 'how are chunks cut' --budget 1500",
                        "  dindex context 'log rotation' --source /srv/docs/ --json")
                .positional(PositionalParamSpec.builder().arity("1..*").paramLabel("QUERY")
                                .description("What the context is for."),
                        Field.strings(() -> c.words, v -> c.words = v))
                .option(OptionSpec.builder("--budget").paramLabel("<budget>").defaultValue("2000")
                                .description("Token budget, counted with the model's tokenizer (default"
                                        + " ${DEFAULT-VALUE})."),
                        Field.integer(() -> c.budget, v -> c.budget = v))
                .option(OptionSpec.builder("--source").paramLabel("PREFIX")
                                .description("Only sources starting with PREFIX."),
                        Field.string(() -> c.source, v -> c.source = v))
                .option(OptionSpec.builder("--meta").paramLabel("KEY=VALUE")
                                .description("Only documents with this metadata."),
                        Field.keyValues(() -> c.meta, v -> c.meta = v))
                .option(OptionSpec.builder("--collection").paramLabel("NAME")
                                .description("The collection (default: default); repeat it to draw from several at"
                                        + " once, fused into one ranking."),
                        Field.strings(() -> c.collections, v -> c.collections = v))
                .option(OptionSpec.builder("--json").description("Print JSON (context, tokens, citations, passages)."),
                        Field.flag(() -> c.json, v -> c.json = v))
                .build();
    }

    @Override
    public Integer call() {
        ContextQuery query = ContextQuery.of(String.join(" ", words), budget)
                .withFilters(SearchCommand.filters(source, null, meta)).withCollections(collections);
        try (Dindex dindex = root.dindex()) {
            JsonObject r = dindex.context(query).raw();
            return Replies.print(root, json, r, () -> {
                if (r.getBoolean("degraded", false)) {
                    root.err.println("dindex: warning: " + r.getString("warning"));
                }
                root.out.println(r.getString("context").isEmpty() ? "(nothing relevant found)"
                        : r.getString("context"));
                root.err.println("dindex: " + r.getInteger("tokens") + " of " + budget + " tokens");
            });
        }
    }
}
