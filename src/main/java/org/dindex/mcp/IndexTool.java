package org.dindex.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ScrapeRequest;
import org.dindex.client.Dindex;
import org.dindex.files.FileIndexer;
import org.dindex.files.WebPages;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code index}: files and folders are extracted here and submitted like {@code dindex index} does (the same
 * {@link FileIndexer}), then committed so they are searchable when the tool answers; URLs become a scrape job of
 * depth 0 (just those pages, {@link WebPages}, as {@code dindex index URL} does) that the tool waits for, within a
 * bound, and otherwise reports by id.
 */
final class IndexTool implements DindexTool {
    static final int DEFAULT_WAIT_SECONDS = 120;

    private final DaemonAccess daemon;

    IndexTool(DaemonAccess daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return "index";
    }

    @Override
    public String description() {
        return "Add local files or folders (recursively, skipping hidden files and what .gitignore files exclude;"
                + " .txt, .md, .html, .pdf and other text) and/or single web"
                + " pages to the dindex index, so that search and context find them. Answers once the content is"
                + " searchable. Re-indexing an unchanged file or page is cheap (it is skipped); a changed one is"
                + " replaced. To crawl a whole site, use 'scrape'.";
    }

    @Override
    public Schema schema() {
        return new Schema()
                .strings("paths", false, "Absolute paths of files or folders on this machine. Entries starting"
                        + " with http:// or https:// are treated as urls.")
                .strings("urls", false, "Web pages to fetch and index, just these pages (no links followed).")
                .stringMap("metadata", "Metadata for every indexed file, e.g. {\"project\": \"apollo\"}; search"
                        + " can filter on it (metadata_equals).")
                .bool("hidden", false, "Also index hidden files and folders (names starting with a dot).")
                .string("collection", false, "The collection (named index) to add them to; absent: the default"
                        + " collection.")
                .integer("wait_seconds", 1, 600, DEFAULT_WAIT_SECONDS, "For urls: how long to wait for the pages"
                        + " to be fetched and indexed before answering with the job id instead.");
    }

    @Override
    public McpSchema.ToolAnnotations annotations() {
        return new McpSchema.ToolAnnotations("Index files or pages", false, false, true, true, null);
    }

    @Override
    public ToolResult call(ToolArgs args) throws Exception {
        List<Path> paths = new ArrayList<>();
        List<String> urls = new ArrayList<>(args.strings("urls"));
        for (String p : args.strings("paths")) {
            if (p.startsWith("http://") || p.startsWith("https://")) {
                urls.add(p);
            } else {
                paths.add(Path.of(p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p));
            }
        }
        if (paths.isEmpty() && urls.isEmpty()) {
            throw new ToolException("give 'paths' (files or folders) or 'urls' (web pages) to index");
        }
        int wait = args.integer("wait_seconds", DEFAULT_WAIT_SECONDS, 1, 600);
        FileIndexer.Options options = new FileIndexer.Options(null, null, args.stringMap("metadata"),
                daemon.maxDocumentBytes(), true);
        for (Path p : paths) {
            refuseUnreadable(p);
        }
        List<Path> files = paths.isEmpty() ? List.of() : collect(paths, Boolean.TRUE.equals(args.bool("hidden")));
        for (Path f : files) {
            refuseUnreadable(f);  // a link inside a permitted folder may lead out of it
        }

        JsonObject out = new JsonObject();
        List<String> lines = new ArrayList<>();
        boolean anyIndexed = false;
        String collection = collection(args);
        try (Dindex dindex = daemon.dindex().inCollection(collection)) {
            if (!paths.isEmpty()) {
                FileIndexer.Summary summary = new FileIndexer(options).index(files, dindex,
                        () -> daemon.dindexRunning().inCollection(collection), (done, total, chunks) -> { });
                out.put("files", summary.toJson());
                anyIndexed = !summary.nothingIndexed();
                lines.add(describe(summary));
            }
            if (!urls.isEmpty()) {
                ScrapeRequest request;
                try {
                    request = WebPages.scrapeRequest(urls);
                } catch (DindexException e) {
                    throw new ToolException(e.getMessage());
                }
                JsonObject job = dindex.scrape(request).raw();
                JsonObject done = JobReports.await(dindex, job.getString("id"), Duration.ofSeconds(wait));
                out.put("urls", done);
                anyIndexed |= !JobReports.finished(done)
                        || done.getJsonObject("counters", new JsonObject()).getInteger("indexed", 0) > 0;
                lines.add("urls: " + JobReports.summary(done));
            }
        }
        String text = String.join("\n", lines) + "\n" + out.encode();
        return new ToolResult(text, out, !anyIndexed);
    }

    /** The tool's {@code collection}, checked against the naming rule; null for the default. */
    static String collection(ToolArgs args) {
        String name = args.string("collection");
        if (name != null) {
            try {
                CollectionNames.check(name);
            } catch (DindexException e) {
                throw new ToolException(e.getMessage());
            }
        }
        return name;
    }

    private void refuseUnreadable(Path path) {
        String refusal = daemon.readRefusal(path);
        if (refusal != null) {
            throw new ToolException(refusal);
        }
    }

    private static List<Path> collect(List<Path> paths, boolean hidden) throws IOException {
        try {
            return FileIndexer.collect(paths, hidden);
        } catch (DindexException e) {
            throw new ToolException(e.getMessage() + " (paths are read on the machine that runs dindex; give"
                    + " absolute paths)");
        }
    }

    private static String describe(FileIndexer.Summary s) {
        Map<String, Integer> counts = s.counts();
        StringBuilder sb = new StringBuilder("files: ").append(s.outcomes().size()).append(" found; indexed ")
                .append(counts.get("indexed")).append(", replaced ").append(counts.get("replaced"))
                .append(", unchanged ").append(counts.get("unchanged")).append(", skipped ")
                .append(counts.get("skipped")).append(", failed ").append(counts.get("failed")).append("; ")
                .append(s.chunks()).append(" chunks");
        if (s.outcomes().isEmpty()) {
            sb.append(" (no files there)");
        } else if (!s.nothingIndexed()) {
            sb.append("; searchable now");
        }
        return sb.toString();
    }
}
