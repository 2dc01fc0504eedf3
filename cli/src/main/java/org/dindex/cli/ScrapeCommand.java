package org.dindex.cli;

import org.dindex.protocol.ScrapeRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code dindex scrape URL...}: a background job that crawls web sites politely and indexes their pages. */
@Command(name = "scrape", footerHeading = Examples.HEADING,
        footer = {
                "  dindex scrape https://example.org/docs --depth 2 --max-pages 200",
                "  dindex scrape https://example.org/ --include '/blog/' --delay-ms 2000 --detach"},
        description = {"Crawl web pages (HTML, PDF, plain text) and index them, as a background job.",
        "Honours robots.txt, waits between requests to one host, skips duplicates and crawler traps."})
final class ScrapeCommand implements Callable<Integer> {
    @ParentCommand
    DindexCommand root;

    @Parameters(paramLabel = "URL", arity = "1..*", description = "Start pages (http or https).")
    List<String> urls;

    @Option(names = "--depth", paramLabel = "N", description = "Links followed from a start page (default 2).")
    Integer depth;

    @Option(names = "--max-pages", paramLabel = "N", description = "Stop after indexing N pages (default 100).")
    Integer maxPages;

    @Option(names = "--max-requests", paramLabel = "N", description = "Stop after N HTTP requests in all, robots.txt,"
            + " redirects, retries and skipped pages included (default: 10 per page of --max-pages, at least 100).")
    Integer maxRequests;

    @Option(names = "--stay-on-domain", description = "Only follow links to the start pages' hosts.")
    boolean stayOnDomain;

    @Option(names = "--delay-ms", paramLabel = "MS", description = "Pause between requests to one host (default"
            + " 1000; a larger robots.txt Crawl-delay wins).")
    Long delayMs;

    @Option(names = "--concurrency", paramLabel = "N", description = "Requests in flight across hosts (default 4).")
    Integer concurrency;

    @Option(names = "--include", paramLabel = "REGEX", description = "Only URLs matching REGEX (searched anywhere"
            + " in the URL).")
    String include;

    @Option(names = "--exclude", paramLabel = "REGEX", description = "Skip URLs matching REGEX.")
    String exclude;

    @picocli.CommandLine.Mixin
    JobStartOptions start;

    @Override
    public Integer call() {
        ScrapeRequest request = new ScrapeRequest(urls, stayOnDomain, depth, maxPages, maxRequests, delayMs,
                concurrency, include, exclude);
        return JobCommands.start(root, start, d -> d.scrape(request));
    }
}
