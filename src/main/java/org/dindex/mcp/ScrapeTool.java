package org.dindex.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.protocol.ScrapeRequest;

import java.time.Duration;
import java.util.List;

/**
 * {@code scrape}: starts a crawl as a background job in the daemon (robots.txt, per-host delays and trap detection
 * are the daemon's), and by default returns at once with the job id for {@code job_status}.
 */
final class ScrapeTool implements DindexTool {
    private final DaemonAccess daemon;

    ScrapeTool(DaemonAccess daemon) {
        this.daemon = daemon;
    }

    @Override
    public String name() {
        return "scrape";
    }

    @Override
    public String description() {
        return "Crawl web pages starting from the given URLs and index them (HTML, PDF, plain text), as a background"
                + " job in the dindex daemon. The crawl is polite (robots.txt, a pause between requests to a host),"
                + " so it can take minutes: by default this returns at once with a job id; follow it with"
                + " job_status. To index only the given pages, use 'index' with urls instead.";
    }

    @Override
    public Schema schema() {
        return new Schema()
                .strings("urls", true, "Start pages, http or https.")
                .integer("depth", 0, 10, 2, "How many links deep to follow from a start page (0: only the start"
                        + " pages).")
                .integer("max_pages", 1, 10_000, 100, "Stop after indexing this many pages.")
                .bool("stay_on_domain", true, "Only follow links to the start pages' hosts.")
                .string("include", false, "Only crawl URLs matching this regular expression (found anywhere in"
                        + " the URL).")
                .string("exclude", false, "Skip URLs matching this regular expression.")
                .integer("wait_seconds", 0, 600, 0, "Wait up to this long for the crawl to finish before"
                        + " answering (0: answer at once).")
                .string("collection", false, "The collection (named index) to add the pages to; absent: the"
                        + " default collection.");
    }

    @Override
    public McpSchema.ToolAnnotations annotations() {
        return new McpSchema.ToolAnnotations("Crawl and index web pages", false, false, true, true, null);
    }

    @Override
    public ToolResult call(ToolArgs args) throws InterruptedException {
        List<String> urls = args.strings("urls");
        int depth = args.integer("depth", 2, 0, 10);
        int maxPages = args.integer("max_pages", 100, 1, 10_000);
        Boolean stayOnDomain = args.has("stay_on_domain") ? args.bool("stay_on_domain") : Boolean.TRUE;
        if (urls.isEmpty()) {
            throw new ToolException("'urls' is required: at least one http or https URL");
        }
        ScrapeRequest request = new ScrapeRequest(urls, stayOnDomain, depth, maxPages, null, null, null,
                args.string("include"), args.string("exclude"), IndexTool.collection(args));
        int wait = args.integer("wait_seconds", 0, 0, 600);
        try (Dindex dindex = daemon.dindex()) {
            JsonObject job = dindex.scrape(request).raw();
            JsonObject shown = wait > 0 ? JobReports.await(dindex, job.getString("id"), Duration.ofSeconds(wait))
                    : JobReports.brief(job, null);
            boolean failed = JobReports.finished(shown) && !"completed".equals(shown.getString("state"));
            return new ToolResult(JobReports.summary(shown) + "\n" + shown.encode(), shown, failed);
        }
    }
}
