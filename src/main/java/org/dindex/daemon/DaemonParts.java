package org.dindex.daemon;

import io.vertx.core.VerticleBase;
import org.dindex.bus.SocketBridge;
import org.dindex.bus.BusHandlers;
import org.dindex.collections.CollectionRegistry;
import org.dindex.collections.CollectionsVerticle;
import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;
import org.dindex.http.HttpOptions;
import org.dindex.http.HttpVerticle;
import org.dindex.importer.ImportVerticle;
import org.dindex.index.CommitVerticle;
import org.dindex.index.Commits;
import org.dindex.index.IndexAdminVerticle;
import org.dindex.ingest.IngestVerticle;
import org.dindex.ingest.WriteForwarding;
import org.dindex.jobs.JobRegistry;
import org.dindex.jobs.JobsVerticle;
import org.dindex.metrics.Metrics;
import org.dindex.metrics.MetricsHistory;
import org.dindex.scrape.ScrapeVerticle;
import org.dindex.search.SearchOptions;
import org.dindex.search.SearchService;
import org.dindex.search.SearchVerticle;
import org.dindex.watch.WatchVerticle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The daemon's verticles, in the order they start (they stop in reverse): each part made from the configuration by
 * its own options, given only the parts it calls, through the small interfaces those parts own.
 */
final class DaemonParts {
    private final CollectionRegistry collections;
    private final DaemonConfig config;
    private final Path dataDir;
    private final Metrics metrics = new Metrics();
    private SearchVerticle search;
    private HttpVerticle http;
    private final WriteForwarding forwarding;
    private CommitVerticle commits;

    DaemonParts(CollectionRegistry collections, DaemonConfig config, Path dataDir, WriteForwarding forwarding) {
        this.forwarding = forwarding;
        this.collections = collections;
        this.config = config;
        this.dataDir = dataDir;
    }

    List<VerticleBase> verticles(BusHandlers handlers) {
        collections.meter(metrics.registry());
        collections.defaultCollection().embeddings().meter(metrics);
        // Jobs stop first (verticles stop in reverse order) so the final commit covers their last writes.
        JobsVerticle jobs = new JobsVerticle(handlers, dataDir.resolve("jobs"), JobRegistry.Options.from(config),
                config.shutdownTimeout().dividedBy(3)).meter(metrics);
        commits = new CommitVerticle(handlers, collections, config.getLong(Settings.COMMIT_EVERY_CHUNKS),
                config.getLong(Settings.COMMIT_INTERVAL_MS)).meter(metrics);
        search = new SearchVerticle(handlers, collections, SearchOptions.from(config), metrics,
                config.getBoolean(Settings.CLUSTER_ENABLED));
        List<VerticleBase> parts = new ArrayList<>(List.of(
                commits,
                new IndexAdminVerticle(handlers, collections, commits),
                new IngestVerticle(handlers, collections, commits, forwarding).meter(metrics),
                search,
                jobs,
                new CollectionsVerticle(handlers, collections, jobs),
                new ImportVerticle(handlers, jobs, ImportVerticle.Settings.from(config), collections),
                new ScrapeVerticle(handlers, jobs, ScrapeVerticle.Settings.from(config), collections),
                new WatchVerticle(handlers, jobs, collections, WatchVerticle.Settings.from(config, dataDir))));
        if (config.getBoolean(Settings.HTTP_ENABLED)) {
            // Last to start, first to stop: no HTTP request arrives while the parts behind it are not there.
            http = new HttpVerticle(HttpOptions.from(config), metrics,
                    new MetricsHistory(metrics.registry(), jobs::running));
            parts.add(http);
        }
        return parts;
    }

    /** Binds the meters of the socket bridge, which exists only once the daemon serves its socket. */
    void serving(SocketBridge bridge) {
        bridge.meter(metrics);
    }

    /** The search verticle's service (after {@link #verticles}): the cluster coordinator assembles answers with it. */
    SearchService searchService() {
        return search.service();
    }

    /** The daemon's meters (the cluster part binds its own). */
    Metrics metrics() {
        return metrics;
    }

    /** Commit control (after {@link #verticles}): a cluster member's copies of shards are written through it. */
    Commits commits() {
        return commits;
    }

    /** The HTTP server's URL, or null when HTTP is off (or not started yet). */
    String httpUrl() {
        return http == null ? null : http.url();
    }

    void close() {
        metrics.close();
    }
}
