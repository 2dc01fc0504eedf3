package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.files.FileIndexer;
import org.dindex.files.WebPages;
import org.dindex.config.Settings;
import org.dindex.protocol.JobInfo;
import org.dindex.protocol.ScrapeRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code dindex index PATH|URL...}: extracts files here and streams them to the daemon ({@link FileIndexer}), shows
 * progress, and waits until the content is searchable. URLs are single web pages, fetched and indexed by the
 * daemon's scraper as a depth-0 scrape job ({@link WebPages}): the same fetcher, content types and address policy
 * as {@code dindex scrape}, no links followed.
 */
@Command(name = "index", footerHeading = Examples.HEADING,
        footer = {
                "  dindex index docs README.md",
                "  dindex index notes/ --meta project=apollo --meta year=2024",
                "  dindex index report.pdf --title 'Annual report' --no-wait",
                "  dindex index https://example.org/faq.html"},
        description = {"Index files and folders (recursively; hidden ones and what .gitignore files exclude skipped)"
                + " and single web pages (http or https URLs: HTML, PDF or text, fetched by the daemon like a"
                + " scrape, no links followed)."})
final class IndexCommand implements Callable<Integer> {
    @ParentCommand
    DindexCommand root;

    @Parameters(arity = "1..*", paramLabel = "PATH|URL", description = "Files, folders or web pages to index.")
    List<String> arguments;

    @Option(names = "--title", description = "Title of the document (a single file only).")
    String title;

    @Option(names = "--url", description = "URL to cite for the document (a single file only).")
    String url;

    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Metadata for every document (repeatable).")
    Map<String, String> meta = new LinkedHashMap<>();

    @picocli.CommandLine.Mixin
    FileSelectionOptions selection;

    @Option(names = "--no-wait", description = "Return once the documents are durable, before they are searchable.")
    boolean noWait;

    @Option(names = "--collection", paramLabel = "NAME", description = "The collection to index into (default:"
            + " default).")
    String collection;

    @Option(names = "--json", description = "Print the summary as JSON (no progress).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Main.quietLibraries();  // the extractors' libraries log through java.util.logging
        List<Path> paths = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (String a : arguments) {
            if (WebPages.isUrl(a)) {
                urls.add(a);
            } else if (a.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
                throw new picocli.CommandLine.ParameterException(root.spec.commandLine(), "only http and https"
                        + " URLs can be indexed, not " + a);
            } else {
                paths.add(Path.of(a));
            }
        }
        List<Path> files = paths.isEmpty() ? List.of() : FileIndexer.collect(paths, selection.rules());
        if ((title != null || url != null) && (files.size() != 1 || !urls.isEmpty())) {
            throw new picocli.CommandLine.ParameterException(root.spec.commandLine(),
                    "--title and --url apply to a single file, but " + files.size() + " files"
                            + (urls.isEmpty() ? "" : " and " + urls.size() + " URLs") + " were given");
        }
        ScrapeRequest pagesRequest = urls.isEmpty() ? null : WebPages.scrapeRequest(urls);
        FileIndexer.Summary summary = null;
        if (!paths.isEmpty()) {
            FileIndexer indexer = new FileIndexer(new FileIndexer.Options(title, url, meta,
                    root.loadConfig().getLong(Settings.MAX_DOCUMENT_BYTES), !noWait));
            Progress progress = new Progress(root.err, json);
            try (Dindex first = root.dindex(collection)) {
                summary = indexer.index(files, first, () -> root.dindexRunning().inCollection(collection),
                        progress::update);
            } finally {
                progress.finish();
            }
        }
        JsonObject pages = pagesRequest == null ? null : pages(pagesRequest);
        return report(summary, pages);
    }

    /**
     * Fetches and indexes the pages as a depth-0 scrape job, following it (per-URL lines on stderr), and returns the
     * job with each page's outcome. The job's final commit makes them searchable, so there is nothing to wait for
     * after it, whatever {@code --no-wait} says.
     */
    private JsonObject pages(ScrapeRequest request) {
        try (Dindex dindex = root.dindex(collection)) {
            JobInfo job = dindex.scrape(request);
            JsonObject last = new JobFollower(dindex, root.err, json).follow(job.id());
            return new JsonObject().put("job", last.getString("id")).put("state", last.getString("state"))
                    .put("error", last.getString("error"))
                    .put("pages", WebPages.outcomes(dindex.jobEvents(job.id()).events()));
        }
    }

    private int report(FileIndexer.Summary summary, JsonObject pages) {
        long pagesIndexed = pages == null ? 0 : pages.getJsonArray("pages").stream()
                .filter(p -> "indexed".equals(((JsonObject) p).getString("status"))).count();
        if (json) {
            JsonObject out = summary == null ? new JsonObject() : summary.toJson();
            if (pages != null) {
                out.put("urls", pages);
            }
            root.out.println(out.encodePrettily());
        } else {
            if (summary != null) {
                Map<String, Integer> counts = summary.counts();
                summary.problems().forEach(p -> root.err.println("dindex: " + p.status() + ": " + p.reason()));
                root.out.printf("indexed %d, replaced %d, unchanged %d, skipped %d, failed %d; %d chunks in %.1f s%s%n",
                        counts.get("indexed"), counts.get("replaced"), counts.get("unchanged"), counts.get("skipped"),
                        counts.get("failed"), summary.chunks(), summary.seconds(),
                        noWait ? " (searchable at the next commit)" : "");
            }
            if (pages != null) {
                for (Object o : pages.getJsonArray("pages")) {
                    JsonObject p = (JsonObject) o;
                    root.out.println(p.getString("status") + " " + p.getString("url") + ("indexed".equals(
                            p.getString("status")) ? " (" + p.getInteger("chunks") + " chunks)" : ": "
                            + p.getString("reason")));
                }
                if (pages.getString("error") != null) {
                    root.err.println("dindex: job " + pages.getString("job") + " " + pages.getString("state") + ": "
                            + pages.getString("error"));
                }
            }
        }
        boolean filesIndexed = summary != null && !summary.nothingIndexed();
        return filesIndexed || pagesIndexed > 0 ? Main.OK : Main.FAILURE;
    }
}
