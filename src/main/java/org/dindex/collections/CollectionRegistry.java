package org.dindex.collections;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.index.ChunkIndex;
import org.dindex.index.IndexMismatchException;
import org.dindex.index.IndexService;
import org.dindex.index.IntegrityCheck;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's collections by name, and the one place they are created, removed and replaced.
 *
 * <p>Folders: {@code default} lives where the index of a data dir from before collections always was,
 * {@code <data>/index/} (nothing is moved or rebuilt when such a data dir is opened); the others in
 * {@code <data>/collections/<name>/}; a restored collection in {@code <data>/collections/<name>-<time>/}. The list
 * is {@code <data>/collections.json} ({@link RegistryFile}), rewritten atomically on every change. A folder under
 * {@code collections/} that the list does not name is a leftover of a create, delete or restore cut off by a crash
 * and is removed at start.
 *
 * <p>Lookups are lock-free and may come from any thread. Changes ({@link #create}, {@link #remove},
 * {@link #install}) are blocking and must be serialized by the caller (the collections verticle runs them on one
 * worker thread).
 */
public final class CollectionRegistry implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CollectionRegistry.class.getName());
    static final String FOLDER = "collections";
    static final String DEFAULT_DIR = "index";
    private static final String TRASH_PREFIX = ".trash-";

    private final Vertx vertx;
    private final Path dataDir;
    private final Models models;
    private final Map<String, Collection> collections = new ConcurrentHashMap<>();
    /** Collections whose deletion has started: no new job may write to them. */
    private final Set<String> deleting = ConcurrentHashMap.newKeySet();

    private CollectionRegistry(Vertx vertx, Path dataDir, Models models) {
        this.vertx = vertx;
        this.dataDir = dataDir;
        this.models = models;
    }

    /** The folder of the {@code default} collection as {@code entries} (the registry file's) record it. */
    public static String defaultDir(List<RegistryFile.Entry> entries) {
        return entries.stream().filter(e -> e.name().equals(CollectionNames.DEFAULT)).map(RegistryFile.Entry::dir)
                .findFirst().orElse(DEFAULT_DIR);
    }

    /**
     * Opens every collection the registry file names: {@code default} is already open ({@code defaultIndex},
     * with the configured model), the others are opened here with their recorded models (loaded as needed) and
     * checked. Writes the file (a data dir from before collections gets one naming {@code default}) and removes
     * leftovers of cut-off changes.
     */
    public static CollectionRegistry open(Vertx vertx, Path dataDir, Models models, IndexService defaultIndex,
                                          List<RegistryFile.Entry> entries) throws IOException {
        CollectionRegistry registry = new CollectionRegistry(vertx, dataDir, models);
        RegistryFile.Entry recordedDefault = entries.stream()
                .filter(e -> e.name().equals(CollectionNames.DEFAULT)).findFirst().orElse(null);
        Models.Model configured = models.acquire(models.configuredName());
        String defaultDir = recordedDefault == null ? DEFAULT_DIR : recordedDefault.dir();
        registry.collections.put(CollectionNames.DEFAULT, new Collection(CollectionNames.DEFAULT, defaultDir,
                dataDir.resolve(defaultDir), recordedDefault == null || recordedDefault.createdAt() == null
                ? Instant.now() : Instant.parse(recordedDefault.createdAt()), defaultIndex, configured));
        try {
            for (RegistryFile.Entry e : entries) {
                if (e.name().equals(CollectionNames.DEFAULT)) {
                    continue;
                }
                if (!CollectionNames.valid(e.name()) || e.dir() == null || e.model() == null) {
                    LOG.warning("ignoring a malformed entry of " + RegistryFile.NAME + ": " + e);
                    continue;
                }
                registry.collections.put(e.name(), registry.openExisting(e));
            }
            registry.persist();
            registry.sweep();
        } catch (IOException | RuntimeException ex) {
            registry.collections.values().stream().filter(c -> !c.isDefault()).forEach(registry::closeQuietly);
            throw ex;
        }
        return registry;
    }

    private Collection openExisting(RegistryFile.Entry e) throws IOException {
        Models.Model model = models.acquire(e.model());
        try {
            Path path = dataDir.resolve(e.dir());
            ChunkIndex index = ChunkIndex.open(path, model.name(), model.dimensions());
            IntegrityCheck.Report report = IntegrityCheck.quick(index);
            if (!report.ok()) {
                LOG.warning("collection " + e.name() + ": index check found problems: " + report.problems());
            }
            LOG.info("collection " + e.name() + " opened: " + report.documents() + " documents, "
                    + report.chunks() + " chunks");
            return new Collection(e.name(), e.dir(), path, e.createdAt() == null ? Instant.now()
                    : Instant.parse(e.createdAt()), new IndexService(vertx, index, path), model);
        } catch (IOException | RuntimeException ex) {
            models.release(e.model());
            throw ex;
        }
    }

    /** The collection {@code name}, open. @throws DindexException not_found naming the ones there are */
    public Collection require(String name) {
        Collection c = collections.get(name);
        if (c == null) {
            throw new DindexException(ErrorCode.NOT_FOUND, "no collection '" + name + "' (collections: "
                    + String.join(", ", names()) + "; create it with: dindex collection create " + name + ")");
        }
        return c;
    }

    /** The collection a request addresses: its {@code collection} field, else {@code default}. */
    public Collection of(JsonObject body) {
        return require(CollectionNames.of(body));
    }

    /** The collection a job may write to: open, and not being deleted. */
    public Collection forNewJob(String name) {
        Collection c = require(name);
        if (deleting.contains(name)) {
            throw new DindexException(ErrorCode.CONFLICT, "collection '" + name + "' is being deleted");
        }
        c.ensureOpen();
        return c;
    }

    public Collection defaultCollection() {
        return require(CollectionNames.DEFAULT);
    }

    /** Names, {@code default} first, then in alphabetical order. */
    /** Binds the index gauges (WAL size, pending writes, chunks...), each summed over the open collections. */
    public void meter(MeterRegistry registry) {
        CollectionMeters.bind(this, registry);
    }

    /** The default collection's model and commit state, and the collections there are (for the daemon's status). */
    public JsonObject summary() {
        ChunkIndex ix = defaultCollection().index().index();
        return new JsonObject().put("model", ix.model()).put("pending_operations", ix.pendingOps())
                .put("last_commit_at", ix.lastCommitAt() == null ? null : ix.lastCommitAt().toString())
                .put("collections", new JsonArray(new ArrayList<>(names())));
    }

    public List<String> names() {
        return all().stream().map(Collection::name).toList();
    }

    /** Every collection, {@code default} first, then by name. */
    public List<Collection> all() {
        List<Collection> list = new ArrayList<>(collections.values());
        list.sort(Comparator.comparing((Collection c) -> !c.isDefault()).thenComparing(Collection::name));
        return list;
    }

    public boolean exists(String name) {
        return collections.containsKey(name);
    }

    public Models models() {
        return models;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The reply of {@code dindex.collections.list}: the collections and the models in memory. */
    public JsonObject describe() {
        JsonArray list = new JsonArray();
        Map<String, List<String>> byModel = new LinkedHashMap<>();
        for (Collection c : all()) {
            list.add(c.describe());
            byModel.computeIfAbsent(c.model().name(), k -> new ArrayList<>()).add(c.name());
        }
        return new JsonObject().put("collections", list).put("models", models.describe(byModel));
    }

    /**
     * Creates collection {@code name} embedding with {@code modelName} (null: the configured model): its folder,
     * an empty index, and its entry in the registry file. Blocking.
     */
    public Collection create(String name, String modelName) throws IOException {
        CollectionNames.check(name);
        if (collections.containsKey(name)) {
            throw new DindexException(ErrorCode.CONFLICT, "collection '" + name + "' already exists");
        }
        String modelToUse = modelName == null ? models.configuredName() : modelName;
        Models.Model model = models.acquire(modelToUse);
        String dir = FOLDER + "/" + name;
        Path path = dataDir.resolve(dir);
        Collection created = null;
        try {
            if (Files.exists(path)) {
                discardFolder(path);  // a leftover of a cut-off create or delete
            }
            Files.createDirectories(path.getParent());
            ChunkIndex index = ChunkIndex.open(path, model.name(), model.dimensions());
            created = new Collection(name, dir, path, Instant.now(), new IndexService(vertx, index, path), model);
            collections.put(name, created);
            persist();
            LOG.info("collection " + name + " created (model " + model.name() + ")");
            return created;
        } catch (IOException | RuntimeException e) {
            if (created != null) {
                collections.remove(name);
                closeQuietly(created);
            } else {
                models.release(model.name());
            }
            discardFolder(path);
            throw e;
        }
    }

    /**
     * The first step of deleting {@code name}: from now on no job may start writing to it. The caller then cancels
     * the jobs that do and calls {@link #remove}; {@link #abortDelete} undoes this step.
     */
    public Collection beginDelete(String name) {
        Collection c = require(name);
        if (c.isDefault()) {
            throw DindexException.badRequest("the default collection cannot be deleted (to empty it: dindex clear"
                    + " --yes; to replace it: dindex snapshot restore SNAPSHOT --as default --yes)");
        }
        if (!deleting.add(name)) {
            throw new DindexException(ErrorCode.CONFLICT, "collection '" + name + "' is already being deleted");
        }
        return c;
    }

    public void abortDelete(String name) {
        deleting.remove(name);
    }

    /**
     * Takes {@code name} out of the registry (and its file): requests for it are refused from now on, while
     * searches that already hold a snapshot of it finish on that snapshot. The caller then closes its index after
     * the writes queued before ({@link IndexService#closeAfterWrites}) and {@link #discard}s it. Blocking.
     */
    public Collection remove(String name) throws IOException {
        Collection c = require(name);
        c.state(Collection.State.CLOSING);
        collections.remove(name);
        try {
            persist();
        } catch (IOException | RuntimeException e) {
            collections.put(name, c);
            c.state(Collection.State.OPEN);
            throw e;
        } finally {
            deleting.remove(name);
        }
        return c;
    }

    /** Removes the folder of a collection taken out of the registry (its index closed) and lets go of its model. */
    public void discard(Collection c) {
        c.state(Collection.State.CLOSED);
        models.release(c.model().name());
        discardFolder(c.path());
        LOG.info("collection " + c.name() + " deleted");
    }

    /**
     * Opens the prepared folder {@code dir} (a Lucene index with its commit, from a snapshot) as collection
     * {@code name} with {@code modelName}'s model and checks it, without adding it anywhere yet: see
     * {@link #register} and {@link #replace}. The default collection keeps the configured model. Blocking.
     */
    public Collection openRestored(String name, String dir, String modelName, int dimensions) throws IOException {
        CollectionNames.check(name);
        boolean isDefault = name.equals(CollectionNames.DEFAULT);
        if (isDefault && !models.configuredName().equals(modelName)) {
            throw DindexException.badRequest("the snapshot was made with model " + modelName + " but the default"
                    + " collection embeds with " + models.configuredName() + " (embedding.model): restore it under"
                    + " another name (--as NAME)");
        }
        Models.Model model = models.acquire(isDefault ? models.configuredName() : modelName);
        Path path = dataDir.resolve(dir);
        ChunkIndex index = null;
        try {
            if (model.dimensions() != dimensions) {
                throw DindexException.badRequest("the snapshot has " + dimensions + " dimensions but model "
                        + model.name() + " makes " + model.dimensions());
            }
            try {
                index = ChunkIndex.open(path, model.name(), model.dimensions());
            } catch (IndexMismatchException e) {
                throw DindexException.badRequest(e.getMessage());
            }
            IntegrityCheck.Report report = IntegrityCheck.quick(index);
            if (!report.ok()) {
                throw DindexException.badRequest("the restored index does not pass its check: " + report.problems());
            }
            return new Collection(name, dir, path, Instant.now(), new IndexService(vertx, index, path), model);
        } catch (IOException | RuntimeException e) {
            if (index != null) {
                try {
                    index.close();
                } catch (IOException | RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            models.release(model.name());
            throw e;
        }
    }

    /** Adds a collection {@link #openRestored} opened, under a name no collection has. Blocking. */
    public void register(Collection c) throws IOException {
        if (collections.putIfAbsent(c.name(), c) != null) {
            throw new DindexException(ErrorCode.CONFLICT, "collection '" + c.name() + "' already exists");
        }
        try {
            persist();
        } catch (IOException | RuntimeException e) {
            collections.remove(c.name());
            throw e;
        }
        LOG.info("collection " + c.name() + " restored into " + c.dir());
    }

    /**
     * Puts {@code fresh} in place of the collection of its name, in one change of the registry file, and returns
     * the one it replaced (taken out: the caller closes its index after the writes queued before and
     * {@link #discard}s it). Blocking.
     */
    public Collection replace(Collection fresh) throws IOException {
        Collection old = require(fresh.name());
        old.state(Collection.State.CLOSING);
        collections.put(fresh.name(), fresh);
        try {
            persist();
        } catch (IOException | RuntimeException e) {
            collections.put(fresh.name(), old);
            old.state(Collection.State.OPEN);
            throw e;
        } finally {
            deleting.remove(fresh.name());
        }
        LOG.info("collection " + fresh.name() + " replaced by a restored snapshot in " + fresh.dir());
        return old;
    }

    /** From now on no job may start writing to {@code name} (it is about to be replaced); see {@link #abortDelete}. */
    public void blockJobs(String name) {
        require(name);
        if (!deleting.add(name)) {
            throw new DindexException(ErrorCode.CONFLICT, "collection '" + name + "' is already being deleted or"
                    + " replaced");
        }
    }

    /** Closes a collection {@link #openRestored} opened that will not be used, and removes its folder. */
    public void abandon(Collection c) {
        closeQuietly(c);
        discardFolder(c.path());
    }

    /** A new folder name for a restored collection, relative to the data dir. */
    public String newFolder(String name) {
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")
                .withZone(ZoneOffset.UTC).format(Instant.now());
        String dir = FOLDER + "/" + name + "-" + stamp;
        for (int i = 2; Files.exists(dataDir.resolve(dir)); i++) {
            dir = FOLDER + "/" + name + "-" + stamp + "-" + i;
        }
        return dir;
    }

    private void persist() throws IOException {
        List<RegistryFile.Entry> entries = new ArrayList<>();
        for (Collection c : all()) {
            entries.add(new RegistryFile.Entry(c.name(), c.dir(), c.model().name(), c.model().dimensions(),
                    c.createdAt().toString()));
        }
        Files.createDirectories(dataDir);
        RegistryFile.write(dataDir, entries);
    }

    /** Removes what cut-off changes left under {@code collections/}: folders no collection uses. */
    private void sweep() {
        try (var list = Files.list(dataDir)) {
            for (Path p : list.toList()) {
                if (p.getFileName().toString().startsWith(TRASH_PREFIX)) {
                    deleteTree(p);  // a replaced default collection's old folder, cut off while it was deleted
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "cannot list " + dataDir, e);
        }
        Path folder = dataDir.resolve(FOLDER);
        if (!Files.isDirectory(folder)) {
            return;
        }
        Set<Path> used = new HashSet<>();
        collections.values().forEach(c -> used.add(c.path().toAbsolutePath().normalize()));
        try (var list = Files.list(folder)) {
            for (Path p : list.toList()) {
                if (Files.isDirectory(p) && !used.contains(p.toAbsolutePath().normalize())) {
                    LOG.warning("removing " + p + ": no collection uses it (left by a create, delete or restore"
                            + " that a stop or crash cut off)");
                    discardFolder(p);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list " + folder, e);
        }
    }

    /** Renames {@code path} out of the way (atomic), then deletes it; a crash in between leaves only trash. */
    static void discardFolder(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        Path target = path;
        if (!path.getFileName().toString().startsWith(TRASH_PREFIX)) {
            target = path.resolveSibling(TRASH_PREFIX + path.getFileName() + "-" + System.nanoTime());
            try {
                Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                target = path;
            }
        }
        deleteTree(target);
    }

    static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.WARNING, "cannot delete " + root + " completely", e);
        }
    }

    private void closeQuietly(Collection c) {
        try {
            c.index().close();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "closing collection " + c.name(), e);
        }
        models.release(c.model().name());
    }

    /** Closes every collection's index (the default too) and the models. */
    @Override
    public void close() {
        for (Collection c : all()) {
            try {
                c.index().close();
            } catch (IOException | RuntimeException e) {
                LOG.warning("closing collection " + c.name() + ": " + e.getMessage());
            }
        }
        models.close();
    }

}
