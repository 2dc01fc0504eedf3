package org.dindex.scrape;

import org.dindex.config.DaemonConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.bus.BusHandlers;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.JsonTypes;
import org.dindex.jobs.Job;
import org.dindex.jobs.JobControl;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.net.URISyntaxException;
import org.dindex.collections.CollectionRegistry;
import org.dindex.protocol.CollectionNames;

/** Serves {@code dindex.scrape}: validates the request and starts a {@link ScrapeJob}; replies with the queued job. */
public final class ScrapeVerticle extends VerticleBase {
    public static final String JOB_TYPE = "scrape";

    /** The daemon-wide scrape settings (the per-request ones come with each request). */
    public record Settings(String userAgent, long requestTimeoutMs, long maxPageBytes, AddressPolicy addressPolicy) {
        /** The settings the configuration sets ({@code scrape.*}). */
        public static Settings from(DaemonConfig config) {
            return new Settings(config.getString(org.dindex.config.Settings.SCRAPE_USER_AGENT),
                    config.getLong(org.dindex.config.Settings.SCRAPE_TIMEOUT_MS),
                    config.getLong(org.dindex.config.Settings.SCRAPE_MAX_PAGE_BYTES), new AddressPolicy(
                    config.getBoolean(org.dindex.config.Settings.SCRAPE_ALLOW_LOOPBACK),
                    config.getBoolean(org.dindex.config.Settings.SCRAPE_ALLOW_PRIVATE)));
        }
    }

    private final BusHandlers handlers;
    private final JobControl jobs;
    private final Settings settings;
    private final CollectionRegistry collections;

    public ScrapeVerticle(BusHandlers handlers, JobControl jobs, Settings settings,
                          CollectionRegistry collections) {
        this.handlers = handlers;
        this.jobs = jobs;
        this.settings = settings;
        this.collections = collections;
    }

    @Override
    public Future<?> start() {
        handlers.serve(Addresses.SCRAPE, body -> {
            String collection = collections.forNewJob(CollectionNames.of(body)).name();
            CrawlOptions options = options(body);
            JsonObject params = body.copy().put("collection", collection).put("urls", new JsonArray(options.seeds()))
                    .put("depth", options.maxDepth()).put("max_pages", options.maxPages())
                    .put("delay_ms", options.delayMs()).put("concurrency", options.concurrency())
                    .put("stay_on_domain", options.stayOnDomain()).put("max_requests", options.maxRequests());
            Job job = jobs.submit(JOB_TYPE, params, new ScrapeJob(options), null);
            return Future.succeededFuture(new JsonObject().put("job", job.toJson()));
        });
        return Future.succeededFuture();
    }

    private CrawlOptions options(JsonObject body) {
        if (!(body.getValue("urls") instanceof JsonArray urls) || urls.isEmpty()) {
            throw DindexException.badRequest("'urls' must be a non-empty list of http(s) URLs");
        }
        List<String> seeds = new ArrayList<>();
        for (Object o : urls) {
            seeds.add(seed(o));
        }
        try {
            return new CrawlOptions(seeds, (int) number(body, "depth", 2, 0, 20),
                    (int) number(body, "max_pages", 100, 1, 1_000_000), JsonTypes.bool(body, "stay_on_domain", false),
                    number(body, "delay_ms", 1000, 0, 600_000), (int) number(body, "concurrency", 4, 1, 64),
                    pattern(body, "include"), pattern(body, "exclude"), settings.userAgent(),
                    settings.requestTimeoutMs(), settings.maxPageBytes(), 5, settings.addressPolicy(),
                    (int) number(body, "max_requests", 0, 0, 100_000_000));
        } catch (IllegalArgumentException e) {
            throw DindexException.badRequest(e.getMessage());
        }
    }

    private static String seed(Object o) {
        if (!(o instanceof String s) || s.isBlank()) {
            throw DindexException.badRequest("every URL must be a string, got " + JsonTypes.describe(o));
        }
        try {
            URI uri = new URI(s.strip());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw DindexException.badRequest("not an http(s) URL: " + s);
            }
            return uri.toString();
        } catch (URISyntaxException e) {
            throw DindexException.badRequest("not a valid URL: " + s + " (" + e.getReason() + ")");
        }
    }

    private static long number(JsonObject body, String key, long fallback, long min, long max) {
        Object v = body.getValue(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < min
                || n.longValue() > max) {
            throw DindexException.badRequest("'" + key + "' must be a whole number from " + min + " to " + max
                    + ", got " + JsonTypes.describe(v));
        }
        return n.longValue();
    }

    private static Pattern pattern(JsonObject body, String key) {
        Object v = body.getValue(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw DindexException.badRequest("'" + key + "' must be a regular expression string");
        }
        try {
            return Pattern.compile(s);
        } catch (PatternSyntaxException e) {
            throw DindexException.badRequest("'" + key + "' is not a valid regular expression: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }
}
