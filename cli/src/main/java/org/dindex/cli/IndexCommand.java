package org.dindex.cli;

import org.dindex.client.Dindex;
import org.dindex.files.FileIndexer;
import org.dindex.config.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code dindex index PATH...}: extracts files here and streams them to the daemon ({@link FileIndexer}), shows
 * progress, and waits until the content is searchable.
 */
@Command(name = "index", description = "Index files and folders (recursively; hidden ones skipped).")
final class IndexCommand implements Callable<Integer> {
    @ParentCommand
    DindexCommand root;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders to index.")
    List<Path> paths;

    @Option(names = "--title", description = "Title of the document (a single file only).")
    String title;

    @Option(names = "--url", description = "URL to cite for the document (a single file only).")
    String url;

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Metadata for every document (repeatable).")
    Map<String, String> meta = new LinkedHashMap<>();

    @Option(names = "--hidden", description = "Include hidden files and folders.")
    boolean hidden;

    @Option(names = "--no-wait", description = "Return once the documents are durable, before they are searchable.")
    boolean noWait;

    @Option(names = "--json", description = "Print the summary as JSON (no progress).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<Path> files = FileIndexer.collect(paths, hidden);
        if ((title != null || url != null) && files.size() != 1) {
            throw new picocli.CommandLine.ParameterException(root.spec.commandLine(),
                    "--title and --url apply to a single file, but " + files.size() + " files were given");
        }
        FileIndexer indexer = new FileIndexer(new FileIndexer.Options(title, url, meta,
                root.loadConfig().getLong(Settings.MAX_DOCUMENT_BYTES), !noWait));
        Progress progress = new Progress(root.err, json);
        FileIndexer.Summary summary;
        try (Dindex first = root.dindex()) {
            summary = indexer.index(files, first, root::dindexRunning, progress::update);
        } finally {
            progress.finish();
        }
        return report(summary);
    }

    private int report(FileIndexer.Summary summary) {
        if (json) {
            root.out.println(summary.toJson().encodePrettily());
        } else {
            Map<String, Integer> counts = summary.counts();
            summary.problems().forEach(p -> root.err.println("dindex: " + p.status() + ": " + p.reason()));
            root.out.printf("indexed %d, replaced %d, unchanged %d, skipped %d, failed %d; %d chunks in %.1f s%s%n",
                    counts.get("indexed"), counts.get("replaced"), counts.get("unchanged"), counts.get("skipped"),
                    counts.get("failed"), summary.chunks(), summary.seconds(),
                    noWait ? " (searchable at the next commit)" : "");
        }
        return summary.nothingIndexed() ? Main.FAILURE : Main.OK;
    }
}
