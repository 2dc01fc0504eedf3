package org.dindex.scrape;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.extract.Block;
import org.dindex.jobs.JobContext;
import org.dindex.jobs.JobFailure;
import org.dindex.jobs.JobRunner;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A scrape as a job: runs a {@link Crawler}, indexes each page through {@code dindex.index.submit} (so a page
 * scraped again replaces its chunks: its source is its URL), forwards every URL's fate to the job's stream and keeps
 * the counters.
 */
public final class ScrapeJob implements JobRunner {
    private final CrawlOptions options;

    public ScrapeJob(CrawlOptions options) {
        this.options = options;
    }

    @Override
    public Future<Void> run(JobContext ctx) {
        ctx.stage("crawling");
        ctx.progress(0, options.maxPages(), "pages");
        // Pages handed to the index and not yet written, by URL. A cancel ends the crawl at once and reports these
        // URLs skipped ("cancelled"), but their writes go on: their final event waits for the write's outcome, so
        // the log says "indexed" exactly for what the index holds.
        Map<String, Written> writing = new ConcurrentHashMap<>();
        Crawler crawler = new Crawler(ctx.vertx(), options, page -> {
            Future<Integer> written = index(ctx, page).onSuccess(chunks -> {
                ctx.count("indexed", 1);
                ctx.count("chunks", chunks);
                ctx.progress(ctx.job().counter("indexed"), options.maxPages(), "pages");
            });
            writing.put(page.url(), new Written(page, written));
            return written.onComplete(ar -> writing.remove(page.url()));
        }, event -> {
            Written pending = event.kind() == UrlEvent.Kind.SKIPPED ? writing.get(event.url()) : null;
            if (pending != null) {
                pending.future().onComplete(ar -> report(ctx, ar.succeeded() ? new UrlEvent(event.url(),
                        UrlEvent.Kind.INDEXED, event.depth(), pending.page().status(), null, ar.result(),
                        pending.page().words(), System.currentTimeMillis(), null, pending.page().title(), 0)
                        : event));
            } else {
                report(ctx, event);
            }
        });
        ctx.onCancel(crawler::cancel);
        // A cancelled crawl ends at once, but pages already handed over may still be written: wait for them, so
        // the job's final commit covers every page it counts as indexed.
        return crawler.run().compose(summary -> {
            ctx.count("requests", summary.requests());
            ctx.event(new JsonObject().put("kind", "stopped").put("url", "").put("reason", summary.stoppedBy()));
            return Future.join(writing.values().stream().map(Written::future).toList()).otherwiseEmpty();
        }).mapEmpty();
    }

    private record Written(ScrapedPage page, Future<Integer> future) {
    }

    private static void report(JobContext ctx, UrlEvent event) {
        ctx.event(event.toJson());
        switch (event.kind()) {
            case SKIPPED -> ctx.count("skipped", 1);
            case FAILED -> ctx.count("failed", 1);
            default -> {
            }
        }
    }

    private static Future<Integer> index(JobContext ctx, ScrapedPage page) {
        JsonArray blocks = new JsonArray();
        for (Block b : page.content().blocks()) {
            blocks.add(new JsonObject().put("section", new JsonArray(b.section())).put("text", b.text()));
        }
        JsonObject doc = new JsonObject().put("source", page.url()).put("url", page.url()).put("title", page.title())
                .put("format", page.content().format()).put("timestamp", page.fetchedAtMillis())
                .put("metadata", new JsonObject().put("content_type", page.contentType()))
                .put("blocks", blocks);
        return ctx.submit(new JsonArray().add(doc)).map(reply -> {
            JsonObject result = reply.getJsonArray("results").getJsonObject(0);
            if ("failed".equals(result.getString("status"))) {
                throw new JobFailure(result.getString("error", "indexing failed"));
            }
            return result.getInteger("chunks", 0);
        });
    }
}
