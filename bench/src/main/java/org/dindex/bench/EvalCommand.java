package org.dindex.bench;

import org.dindex.cli.DindexCommand;
import org.dindex.cli.Examples;
import org.dindex.cli.Main;
import org.dindex.cli.Progress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.config.ConfigLoader;
import org.dindex.config.DaemonConfig;
import org.dindex.config.RuntimePaths;
import org.dindex.config.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.HashMap;
import org.dindex.cli.Examples;
import org.dindex.config.Settings;

/**
 * {@code dindex eval --beir DIR}: retrieval quality (nDCG@10, Recall@100, MRR@10) of bm25, dense and hybrid on a
 * BEIR folder, indexed into a temporary data dir by a dedicated daemon (the user's index is never touched).
 */
@Command(name = "eval", footerHeading = Examples.HEADING,
        footer = {
                "  dindex eval --beir ~/beir/nfcorpus",
                "  dindex eval --beir ~/beir/scifact --mode dense,hybrid --json"},
        description = "Measure retrieval quality on a BEIR-format dataset (temporary index).")
final class EvalCommand implements Callable<Integer> {
    @ParentCommand
    DindexCommand root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @Option(names = "--beir", required = true, paramLabel = "DIR", description = "Folder with corpus.jsonl,"
            + " queries.jsonl and qrels/.")
    Path dir;

    @Option(names = "--split", defaultValue = "test", description = "Qrels split (default ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--mode", split = ",", description = "Modes to evaluate (default: bm25,dense,hybrid).")
    List<String> modes = new ArrayList<>(List.of("bm25", "dense", "hybrid"));

    @Option(names = "--fusion-grid", description = "Also evaluate a grid of fusion settings (RRF k and weights,"
            + " linear alpha) on the same index.")
    boolean grid;

    @Option(names = "--candidates-grid", description = "Also evaluate the configured hybrid with 20, 50, 100 and"
            + " 300 candidates per retriever (top_k equals the depth, so Recall@100 is capped by it).")
    boolean candidatesGrid;

    @Option(names = "--model", description = "Embedding model for the temporary index (default: the configured"
            + " one).")
    String model;

    @Option(names = "--out", description = "Write the JSON result to this file.")
    Path out;

    @Option(names = "--json", description = "Print JSON instead of the table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        for (String f : List.of("corpus.jsonl", "queries.jsonl", "qrels/" + split + ".tsv")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(),
                        dir.resolve(f) + " not found: --beir needs a BEIR folder");
            }
        }
        DaemonConfig config = model == null ? root.loadConfig()
                : new ConfigLoader(root.env()).load(root.paths().configFile(), Map.of("embedding.model", model));
        Map<String, String> env = new HashMap<>(root.env());
        if (model != null) {
            env.put("DINDEX_EMBEDDING_MODEL", model);
        }
        try (TemporaryDaemon daemon = new TemporaryDaemon(config, env, "dindex-eval")) {
            daemon.start();
            RuntimePaths paths = daemon.paths();
            BeirEvaluation eval = new BeirEvaluation(dir, split);
            Progress progress = new Progress(root.err(), json);
            long documents = Files.lines(dir.resolve("corpus.jsonl")).filter(l -> !l.isBlank()).count();
            long t0 = System.nanoTime();
            long chunks = eval.index(paths.socket(), done -> {
                synchronized (progress) {
                    progress.update(done, documents, 0);
                }
            });
            progress.finish();
            double indexSeconds = (System.nanoTime() - t0) / 1e9;
            String modelName = config.getString(Settings.EMBEDDING_MODEL);
            JsonArray rows = eval.evaluate(paths.socket(), variants());
            JsonObject result = new JsonObject().put("benchmark", "beir").put("dataset", dir.toString())
                    .put("split", split).put("model", modelName).put("documents", documents).put("chunks", chunks)
                    .put("index_seconds", indexSeconds).put("date", Instant.now().toString())
                    .put("machine", Machine.describe()).put("rows", rows);
            if (out != null) {
                Files.writeString(out, result.encodePrettily() + "\n");
            }
            root.out().print(json ? result.encodePrettily() + "\n" : BeirEvaluation.table(result));
            return Main.OK;
        }
    }

    private List<BeirEvaluation.Variant> variants() {
        List<BeirEvaluation.Variant> list = new ArrayList<>();
        for (String m : modes) {
            list.add(new BeirEvaluation.Variant(m + " (configured)", m, null));
        }
        if (candidatesGrid) {
            for (int c : new int[]{20, 50, 100, 300}) {
                list.add(new BeirEvaluation.Variant("hybrid (configured) candidates=" + c, "hybrid", null, null, c));
            }
        }
        if (grid) {
            list.add(new BeirEvaluation.Variant("bm25 title=1.0", "bm25", null, 1.0));
            list.add(new BeirEvaluation.Variant("hybrid rrf k=60 title=1.0", "hybrid", null, 1.0));
            list.add(new BeirEvaluation.Variant("hybrid linear a=0.5 title=1.0", "hybrid",
                    new JsonObject().put("method", "linear").put("alpha", 0.5), 1.0));
            for (double k : new double[]{60}) {
                for (double[] w : new double[][]{{1.5, 1}, {1, 1.5}}) {
                    list.add(new BeirEvaluation.Variant(String.format("rrf k=%.0f dense=%.1f bm25=%.1f", k, w[0],
                            w[1]), "hybrid", new JsonObject().put("method", "rrf").put("rrf_k", k)
                            .put("dense_weight", w[0]).put("bm25_weight", w[1])));
                }
            }
            for (double a : new double[]{0.4, 0.5, 0.6}) {
                list.add(new BeirEvaluation.Variant(String.format("linear alpha=%.1f", a), "hybrid",
                        new JsonObject().put("method", "linear").put("alpha", a)));
            }
        }
        return list;
    }
}
