package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.ContextQuery;
import org.dindex.client.Dindex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code dindex context QUERY --budget N}: a prompt-ready block of the best passages with numbered sources. */
@Command(name = "context", footerHeading = Examples.HEADING,
        footer = {
                "  dindex context 'how are chunks cut' --budget 1500",
                "  dindex context 'log rotation' --source /srv/docs/ --json"},
        description = "Print a prompt-ready context block for an LLM within a token budget.")
final class ContextCommand implements Callable<Integer> {
    @ParentCommand
    DindexCommand root;

    @Parameters(arity = "1..*", paramLabel = "QUERY", description = "What the context is for.")
    List<String> words;

    @Option(names = "--budget", defaultValue = "2000", description = "Token budget, counted with the model's"
            + " tokenizer (default ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--source", paramLabel = "PREFIX", description = "Only sources starting with PREFIX.")
    String source;

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Only documents with this metadata.")
    Map<String, String> meta = new LinkedHashMap<>();

    @Option(names = "--collection", paramLabel = "NAME", description = "The collection (default: default);"
            + " repeat it to draw from several at once, fused into one ranking.")
    List<String> collections;

    @Option(names = "--json", description = "Print JSON (context, tokens, citations, passages).")
    boolean json;

    @Override
    public Integer call() {
        ContextQuery query = ContextQuery.of(String.join(" ", words), budget)
                .withFilters(SearchCommand.filters(source, null, meta)).withCollections(collections);
        try (Dindex dindex = root.dindex()) {
            JsonObject r = dindex.context(query).raw();
            if (json) {
                root.out.println(r.encodePrettily());
            } else {
                if (r.getBoolean("degraded", false)) {
                    root.err.println("dindex: warning: " + r.getString("warning"));
                }
                root.out.println(r.getString("context").isEmpty() ? "(nothing relevant found)" : r.getString("context"));
                root.err.println("dindex: " + r.getInteger("tokens") + " of " + budget + " tokens");
            }
            return Main.OK;
        }
    }
}
