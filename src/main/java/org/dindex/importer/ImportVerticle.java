package org.dindex.importer;

import org.dindex.config.DaemonConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.bus.BusHandlers;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.JsonTypes;
import org.dindex.protocol.ErrorCode;
import org.dindex.jobs.Job;
import org.dindex.jobs.JobState;
import org.dindex.jobs.JobControl;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.dindex.collections.CollectionRegistry;
import org.dindex.protocol.CollectionNames;

/**
 * Serves {@code dindex.import}: validates the request (the file exists and is readable, options in range, a resumed
 * job is an unfinished import of the same file) and starts an {@link ImportJob}. Replies with the queued job.
 */
public final class ImportVerticle extends VerticleBase {
    /** Types of the job record. */
    public static final String JOB_TYPE = "import";
    /** Articles shorter than this (clean text) are stubs or disambiguation leftovers by default. */
    static final int DEFAULT_MIN_LENGTH = 100;

    /** Tunables from the daemon's configuration. */
    public record Settings(int batchDocuments, int checkpointEvery) {
        /** The settings the configuration sets ({@code import.*}). */
        public static Settings from(DaemonConfig config) {
            return new Settings(config.getInt(org.dindex.config.Settings.IMPORT_BATCH_DOCUMENTS),
                    config.getInt(org.dindex.config.Settings.IMPORT_CHECKPOINT_PAGES));
        }
    }

    private final BusHandlers handlers;
    private final JobControl jobs;
    private final Settings settings;
    private final CollectionRegistry collections;

    public ImportVerticle(BusHandlers handlers, JobControl jobs, Settings settings,
                          CollectionRegistry collections) {
        this.handlers = handlers;
        this.jobs = jobs;
        this.settings = settings;
        this.collections = collections;
    }

    @Override
    public Future<?> start() {
        handlers.serve(Addresses.IMPORT, body -> vertx.executeBlocking(() -> start(body), false)
                .map(job -> new JsonObject().put("job", job.toJson())));
        return Future.succeededFuture();
    }

    private Job start(JsonObject body) {
        String collection = collections.forNewJob(CollectionNames.of(body)).name();
        Path path = path(body);
        ImportJob.Format format = format(string(body, "format"), path);
        Set<Integer> namespaces = namespaces(body.getValue("namespaces"));
        long maxDocs = nonNegative(body, "max_docs", 0);
        int minLength = (int) nonNegative(body, "min_length",
                format == ImportJob.Format.JSONL ? 0 : DEFAULT_MIN_LENGTH);
        Job resumes = resumed(string(body, "resume"), path, collection);
        JsonObject params = new JsonObject().put("collection", collection).put("path", path.toString())
                .put("format", format.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .put("namespaces", new JsonArray(namespaces.stream().toList())).put("max_docs", maxDocs)
                .put("min_length", minLength);
        ImportJob job = new ImportJob(new ImportJob.Options(path, format, namespaces, maxDocs, minLength,
                settings.batchDocuments(), settings.checkpointEvery()));
        return jobs.submit(JOB_TYPE, params, job, resumes);
    }

    private static String string(JsonObject body, String key) {
        Object v = body.getValue(key);
        if (v != null && !(v instanceof String)) {
            throw DindexException.badRequest("'" + key + "' must be a string, got " + JsonTypes.describe(v));
        }
        return (String) v;
    }

    private static Path path(JsonObject body) {
        if (!(body.getValue("path") instanceof String s) || s.isBlank()) {
            throw DindexException.badRequest("'path' must name the file to import");
        }
        Path path;
        try {
            path = Path.of(s);
        } catch (InvalidPathException e) {
            throw DindexException.badRequest("'path' is not a valid path: " + e.getMessage());
        }
        if (!path.isAbsolute()) {
            throw DindexException.badRequest("'path' must be absolute (the daemon's working folder is not yours): "
                    + s);
        }
        if (!Files.exists(path)) {
            throw new DindexException(ErrorCode.NOT_FOUND, "no such file: " + path);
        }
        if (!Files.isRegularFile(path)) {
            throw DindexException.badRequest("not a regular file: " + path);
        }
        if (!Files.isReadable(path)) {
            throw DindexException.badRequest("the daemon cannot read " + path + " (permissions)");
        }
        return path;
    }

    static ImportJob.Format format(String name, Path path) {
        if (name == null) {
            String file = path.getFileName().toString().toLowerCase(Locale.ROOT);
            return file.endsWith(".jsonl") || file.endsWith(".jsonl.gz") || file.endsWith(".ndjson")
                    ? ImportJob.Format.JSONL : ImportJob.Format.WIKIPEDIA_XML;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "wikipedia-xml", "mediawiki-xml", "xml" -> ImportJob.Format.WIKIPEDIA_XML;
            case "jsonl" -> ImportJob.Format.JSONL;
            default -> throw DindexException.badRequest("unknown import format '" + name
                    + "' (wikipedia-xml or jsonl)");
        };
    }

    private static Set<Integer> namespaces(Object value) {
        if (value == null) {
            return Set.of(0);
        }
        if (!(value instanceof JsonArray array) || array.isEmpty()) {
            throw DindexException.badRequest("'namespaces' must be a non-empty list of namespace numbers");
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (Object o : array) {
            if (!(o instanceof Number n) || n.doubleValue() != n.intValue()) {
                throw DindexException.badRequest("'namespaces' must hold integers, got " + JsonTypes.describe(o));
            }
            out.add(n.intValue());
        }
        return out;
    }

    private static long nonNegative(JsonObject body, String key, long fallback) {
        Object v = body.getValue(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue()) {
            throw DindexException.badRequest("'" + key + "' must be a whole number >= 0, got " + JsonTypes.describe(v));
        }
        return n.longValue();
    }

    private Job resumed(String id, Path path, String collection) {
        if (id == null) {
            return null;
        }
        Job previous = jobs.require(id);
        if (!previous.type().equals(JOB_TYPE)) {
            throw DindexException.badRequest("job " + id + " is a " + previous.type() + " job, not an import");
        }
        JobState state = previous.state();
        if (!state.finished()) {
            throw new DindexException(ErrorCode.CONFLICT, "job " + id + " is still " + state.wireName()
                    + "; cancel it first");
        }
        if (state == JobState.COMPLETED) {
            throw new DindexException(ErrorCode.CONFLICT, "job " + id + " completed; there is nothing to resume"
                    + " (import the file again: unchanged documents are skipped)");
        }
        String into = previous.params().getString("collection", CollectionNames.DEFAULT);
        if (!into.equals(collection)) {
            throw DindexException.badRequest("job " + id + " imported into collection '" + into + "', not '"
                    + collection + "' (resume it with --collection " + into + ")");
        }
        if (!previous.params().getString("path").equals(path.toString())) {
            throw DindexException.badRequest("job " + id + " imported " + previous.params().getString("path")
                    + ", not " + path);
        }
        return previous;
    }
}
