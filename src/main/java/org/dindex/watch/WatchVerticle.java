package org.dindex.watch;

import org.dindex.config.DaemonConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.BusHandlers;
import org.dindex.collections.CollectionRegistry;
import org.dindex.protocol.CollectionNames;
import org.dindex.files.FileSelection;
import org.dindex.index.IndexService;
import org.dindex.jobs.Job;
import org.dindex.jobs.JobState;
import org.dindex.jobs.JobControl;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.JsonTypes;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Serves {@code dindex.watch}: validates the request (absolute folders that exist and are not watched already, globs
 * that parse) and starts a {@link WatchJob}, which runs until cancelled outside the {@code jobs.max_concurrent} slots.
 * At start it resumes every watch a stop or crash interrupted, under the same id: the daemon's watches outlive it.
 */
public final class WatchVerticle extends VerticleBase {
    private static final Logger LOG = Logger.getLogger(WatchVerticle.class.getName());
    public static final String JOB_TYPE = "watch";

    /** Tunables from the daemon's configuration. */
    public record Settings(long debounceMs, long scanIntervalMs, int maxInotifyWatches, long maxDocumentBytes,
                           Path dataDir) {
        public Settings {
            dataDir = dataDir.toAbsolutePath().normalize();
        }

        /** The settings the configuration sets ({@code watch.*}, {@code index.max_document_bytes}). */
        public static Settings from(DaemonConfig config, Path dataDir) {
            return new Settings(config.getLong(org.dindex.config.Settings.WATCH_DEBOUNCE_MS),
                    config.getLong(org.dindex.config.Settings.WATCH_SCAN_INTERVAL_MS),
                    config.getInt(org.dindex.config.Settings.WATCH_MAX_INOTIFY_WATCHES),
                    config.getLong(org.dindex.config.Settings.MAX_DOCUMENT_BYTES), dataDir);
        }
    }

    private final BusHandlers handlers;
    private final JobControl jobs;
    private final CollectionRegistry collections;
    private final Settings settings;
    private WatchBudget budget;

    public WatchVerticle(BusHandlers handlers, JobControl jobs, CollectionRegistry collections, Settings settings) {
        this.handlers = handlers;
        this.jobs = jobs;
        this.collections = collections;
        this.settings = settings;
    }

    /** The index of the collection a watch keeps its folders in, looked up each time (it may be replaced). */
    private Supplier<IndexService> indexOf(String collection) {
        return () -> collections.require(collection).index();
    }

    /** The collection a watch job writes to ({@code params.collection}; a watch from before collections: default). */
    static String collectionOf(JsonObject params) {
        return params.getString("collection", CollectionNames.DEFAULT);
    }

    @Override
    public Future<?> start() {
        return vertx.executeBlocking(() -> WatchBudget.of(settings.maxInotifyWatches()), false).map(b -> {
            budget = b;
            handlers.serve(Addresses.WATCH, body -> vertx.executeBlocking(() -> start(body), false)
                    .map(job -> new JsonObject().put("job", job.toJson())));
            resumeInterrupted();
            return b;
        });
    }

    /** Runs again every watch the daemon's stop (or a crash) interrupted; a broken one is logged and left. */
    private void resumeInterrupted() {
        for (Job job : jobs.list()) {
            if (job.type().equals(JOB_TYPE) && job.state() == JobState.INTERRUPTED) {
                try {
                    jobs.restart(job.id(), new WatchJob(options(job.params(), false), budget,
                            indexOf(collectionOf(job.params()))));
                    LOG.info("resuming watch " + job.id() + " of " + job.params().getJsonArray("paths").encode());
                } catch (RuntimeException e) {
                    LOG.warning("cannot resume watch " + job.id() + ": " + e.getMessage());
                }
            }
        }
    }

    private synchronized Job start(JsonObject body) {
        String collection = collections.forNewJob(CollectionNames.of(body)).name();
        WatchJob.Options options = options(body, true);
        for (Job running : jobs.list()) {
            // The same folder may be kept in two collections, not twice in one.
            if (running.type().equals(JOB_TYPE) && !running.state().finished()
                    && collectionOf(running.params()).equals(collection)) {
                for (Path root : options.roots()) {
                    for (Object o : running.params().getJsonArray("paths", new JsonArray())) {
                        Path other = Path.of((String) o);
                        if (root.startsWith(other) || other.startsWith(root)) {
                            throw new DindexException(ErrorCode.CONFLICT, (root.equals(other) ? root + " is"
                                    : root.startsWith(other) ? root + " is inside " + other + ", which is"
                                    : root + " holds " + other + ", which is") + " already watched by "
                                    + running.id() + " (cancel it first: dindex cancel " + running.id() + ")");
                        }
                    }
                }
            }
        }
        JsonObject params = new JsonObject().put("collection", collection)
                .put("paths", new JsonArray(options.roots().stream().map(Path::toString).toList()))
                .put("include", new JsonArray(options.rules().include()))
                .put("exclude", new JsonArray(options.rules().exclude()))
                .put("hidden", options.rules().hidden()).put("gitignore", options.rules().gitignore());
        return jobs.startUnqueued(JOB_TYPE, params, new WatchJob(options, budget, indexOf(collection)));
    }

    /**
     * The job's options from a request or from a job's params. A new request must name folders that exist; a job
     * resumed at start checks them itself, so that a folder gone while the daemon was down fails the job visibly.
     */
    private WatchJob.Options options(JsonObject body, boolean checkFolders) {
        if (!(body.getValue("paths") instanceof JsonArray array) || array.isEmpty()) {
            throw DindexException.badRequest("'paths' must be a non-empty list of absolute folder paths");
        }
        List<Path> roots = new ArrayList<>();
        for (Object o : array) {
            Path p = folder(o, checkFolders);
            if (p.startsWith(settings.dataDir())) {
                throw DindexException.badRequest(p + " is the daemon's data folder or inside it: its index and logs"
                        + " cannot be watched");
            }
            if (roots.stream().noneMatch(p::startsWith)) {
                roots.removeIf(r -> r.startsWith(p));  // a folder inside another is watched with it
                roots.add(p);
            }
        }
        FileSelection.Rules rules = new FileSelection.Rules(JsonTypes.bool(body, "hidden", false),
                JsonTypes.bool(body, "gitignore", true),
                globs(body, "include"), globs(body, "exclude"));
        try {
            new FileSelection(rules);
        } catch (IllegalArgumentException e) {
            throw DindexException.badRequest(e.getMessage());
        }
        return new WatchJob.Options(roots, rules, settings.debounceMs(), settings.scanIntervalMs(),
                settings.maxDocumentBytes(), settings.dataDir());
    }

    private static Path folder(Object o, boolean check) {
        if (!(o instanceof String s) || s.isBlank()) {
            throw DindexException.badRequest("every path must be a folder path string, got " + JsonTypes.describe(o));
        }
        Path path;
        try {
            path = Path.of(s).normalize();
        } catch (InvalidPathException e) {
            throw DindexException.badRequest("not a valid path: " + e.getMessage());
        }
        if (!path.isAbsolute()) {
            throw DindexException.badRequest("paths must be absolute (the daemon's working folder is not yours): "
                    + s);
        }
        if (check) {
            if (!Files.exists(path)) {
                throw new DindexException(ErrorCode.NOT_FOUND, "no such folder: " + path);
            }
            if (!Files.isDirectory(path)) {
                throw DindexException.badRequest("not a folder: " + path + " (watch keeps folders in sync; index a"
                        + " single file with 'dindex index')");
            }
            if (!Files.isReadable(path)) {
                throw DindexException.badRequest("the daemon cannot read " + path + " (permissions)");
            }
        }
        return path;
    }

    private static List<String> globs(JsonObject body, String key) {
        Object v = body.getValue(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof JsonArray array)) {
            throw DindexException.badRequest("'" + key + "' must be a list of globs, got " + JsonTypes.describe(v));
        }
        List<String> out = new ArrayList<>();
        for (Object o : array) {
            if (!(o instanceof String s)) {
                throw DindexException.badRequest("'" + key + "' must hold glob strings, got " + JsonTypes.describe(o));
            }
            out.add(s);
        }
        return out;
    }
}
