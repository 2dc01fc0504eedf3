package org.dindex.watch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.extract.ExtractedDocument;
import org.dindex.extract.ExtractionException;
import org.dindex.extract.Extractors;
import org.dindex.files.FileIndexer;
import org.dindex.files.FileSelection;
import org.dindex.files.SourceNames;
import org.dindex.index.DocumentIds;
import org.dindex.index.IndexService;
import org.dindex.index.IndexSnapshot;
import org.dindex.index.IndexedSources;
import org.dindex.jobs.JobContext;
import org.dindex.jobs.JobFailure;
import org.dindex.jobs.JobRunner;
import org.dindex.platform.BackgroundPriority;
import org.dindex.protocol.Addresses;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps folders in sync with the index until it is cancelled: a {@code dindex watch} job.
 *
 * <p><b>One thread.</b> Everything runs on a thread the job owns ({@code dindex-watch-<id>}, at background priority):
 * waiting for file-system events, walking folders, reading and extracting files. It talks to the rest of the daemon
 * over the bus like any other writer ({@code dindex.index.submit}, {@code dindex.delete}, {@code dindex.commit}), so
 * no event loop ever waits on a disk.
 *
 * <p><b>One operation: reconcile.</b> The job remembers, per file it looked at, the modification time and size it was
 * indexed with. Reconciling a path compares that with the disk under the path: files that are new or whose time or
 * size differ are read and sent (the daemon still skips one whose content hash did not change, so nothing is embedded
 * again for a touch), files that are gone (deleted, renamed away, newly ignored) leave the index. Everything else is
 * a question of which path to reconcile when:
 * <ul>
 *   <li>at start (and when the daemon starts again after a stop or crash) each folder as a whole, its memory seeded
 *       from what the index holds under it (the timestamp of a file's document is its modification time), so only
 *       what changed while nobody watched is read;</li>
 *   <li>after an event, the path it names, once nothing has happened to that path for {@code watch.debounce_ms}
 *       (an editor's burst of saves, a rename's two events, a copied folder's files: one update) or at the latest
 *       every 20 such periods for a file that never stops changing;</li>
 *   <li>after the kernel dropped events (an {@code OVERFLOW}), every folder again;</li>
 *   <li>without inotify (below), every folder every {@code watch.scan_interval_ms}.</li>
 * </ul>
 *
 * <p><b>inotify.</b> {@link WatchService} watches one folder per key (on Linux, one inotify watch each), so every
 * folder of the tree is registered as the walk meets it, new ones included. Watches come out of a {@link WatchBudget}
 * shared by all watch jobs; when it is spent, or the kernel refuses one, the job closes its watch service, says why in
 * its stage and in an event, and scans periodically instead. A folder moved within the tree keeps its inotify watch,
 * whose key still names the old place: it is dropped when the old place is reported deleted, and re-registered if
 * the kernel hands the old key back for the new place.
 *
 * <p>A watched folder that disappears fails the job (its documents stay: the folder may only be unmounted).
 */
public final class WatchJob implements JobRunner {
    private static final Logger LOG = Logger.getLogger(WatchJob.class.getName());
    /** Requests awaiting their reply: one embeds while the next is read. */
    static final int IN_FLIGHT = 2;
    static final int DELETE_BATCH = 1000;
    /** A path that keeps changing is reconciled at least every this many debounce periods. */
    static final int MAX_DELAY_PERIODS = 20;
    private static final long REPLY_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(10);

    /**
     * @param roots            folders to keep in sync (absolute, normalized, none inside another)
     * @param debounceMs       quiet time after a path's last event before it is reconciled
     * @param scanIntervalMs   period of the scans without inotify, and of the check that the folders exist
     * @param maxDocumentBytes larger files are skipped ({@code index.max_document_bytes})
     * @param dataDir          the daemon's data folder, never walked (its index and logs change as the watch works)
     */
    public record Options(List<Path> roots, FileSelection.Rules rules, long debounceMs, long scanIntervalMs,
                          long maxDocumentBytes, Path dataDir) {
        public Options {
            roots = List.copyOf(roots);
        }
    }

    private final Options options;
    private final WatchBudget budget;
    /** The index of the collection the watch keeps its folders in (looked up each time: it may be replaced). */
    private final Supplier<IndexService> index;

    WatchJob(Options options, WatchBudget budget, Supplier<IndexService> index) {
        this.options = options;
        this.budget = budget;
        this.index = index;
    }

    @Override
    public Future<Void> run(JobContext ctx) {
        Promise<Void> done = Promise.promise();
        Thread.ofPlatform().daemon().name("dindex-watch-" + ctx.job().id()).start(() -> {
            BackgroundPriority.lower();
            try {
                new Session(ctx).run();
                done.complete();
            } catch (Throwable e) {
                done.fail(e);
            }
        });
        return done.future();
    }

    /** What the job knows of a file: how it was when last looked at, and whether its document is in the index. */
    private record Known(long modifiedMillis, long modifiedNanos, long size, boolean indexed) {
        /** A document the index holds: only its timestamp (milliseconds) is known. */
        static Known fromIndex(long timestamp) {
            return new Known(timestamp, -1, -1, true);
        }

        static Known of(BasicFileAttributes a, boolean indexed) {
            return new Known(a.lastModifiedTime().toMillis(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                    a.size(), indexed);
        }

        boolean same(BasicFileAttributes a) {
            return modifiedMillis == a.lastModifiedTime().toMillis()
                    && (modifiedNanos < 0 || modifiedNanos == a.lastModifiedTime().to(TimeUnit.NANOSECONDS))
                    && (size < 0 || size == a.size());
        }
    }

    /** A path with events not yet acted on: when the first and the latest came (nanoTime). */
    private static final class Dirty {
        final long first;
        long last;

        Dirty(long now) {
            first = now;
            last = now;
        }
    }

    /** A file read and sent, with the attributes it had before it was read. */
    private record Sent(String source, BasicFileAttributes attributes) {
    }

    private record InFlight(Future<JsonObject> reply, List<Sent> files) {
    }

    private final class Session {
        final JobContext ctx;
        final FileSelection selection;
        final long debounceNanos = TimeUnit.MILLISECONDS.toNanos(options.debounceMs());
        final long maxDelayNanos = debounceNanos * MAX_DELAY_PERIODS;
        /** Source name to what is known of it; sorted, so a folder's files are one range. */
        final TreeMap<String, Known> known = new TreeMap<>();
        final CountDownLatch stopped = new CountDownLatch(1);
        volatile WatchService watcher;
        final Map<WatchKey, Path> folders = new HashMap<>();
        /** The same keys by folder name, sorted so a folder's subfolders are one range. */
        final TreeMap<String, WatchKey> keys = new TreeMap<>();
        /** Why the job scans instead of watching; null while it watches. */
        String fallback;
        /** Paths with pending events, the one with the oldest latest event first. */
        final LinkedHashMap<Path, Dirty> dirty = new LinkedHashMap<>();
        long nextMaxDelayCheck;
        boolean rescan;
        /** A request failed (the index refused writes): the files are sent again at the next periodic check. */
        boolean retry;
        String lastStage;
        // The round under way: files to send, requests in flight, documents to remove.
        final List<Sent> batchFiles = new ArrayList<>();
        JsonArray batch = new JsonArray();
        int batchChars;
        final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
        final List<String> removals = new ArrayList<>();
        boolean written;

        Session(JobContext ctx) {
            this.ctx = ctx;
            this.selection = new FileSelection(options.rules()).never(options.dataDir());
        }

        void run() throws Exception {
            ctx.onCancel(this::wake);
            try {
                requireFolders();
                ctx.stage("starting");
                openWatcher();
                catchUp();
                loop();
            } catch (ClosedWatchServiceException e) {
                if (!ctx.cancelRequested()) {
                    throw e;
                }
            } finally {
                awaitInFlight();
                closeWatcher();
            }
        }

        /**
         * Cancelled, or the daemon stops: wakes a thread waiting without inotify at once; one waiting for events
         * wakes within a second (closing the watch service from here would block the canceller's event loop).
         */
        private void wake() {
            stopped.countDown();
        }

        private void requireFolders() {
            for (Path root : options.roots()) {
                if (!Files.isDirectory(root)) {
                    throw new JobFailure("the watched folder " + root + " no longer exists; the watch stopped (what"
                            + " it indexed stays: 'dindex delete --source " + prefix(SourceNames.of(root))
                            + "' removes it)");
                }
            }
        }

        private void openWatcher() {
            try {
                watcher = FileSystems.getDefault().newWatchService();
            } catch (IOException e) {
                watcher = null;
                fallBack("no inotify instance could be had (" + e.getMessage() + "; fs.inotify.max_user_instances"
                        + " limits them)");
            }
        }

        /** {@code body} addressed to the watch's collection ({@code dindex.index.submit} gets it from the job). */
        private JsonObject inCollection(JsonObject body) {
            return body.put("collection", WatchVerticle.collectionOf(ctx.job().params()));
        }

        /** Compares every folder with what the index holds under it and brings the index up to date. */
        private void catchUp() throws Exception {
            ctx.stage("catching up");
            await(bodyOf(ctx.vertx().eventBus().<JsonObject>request(Addresses.COMMIT, inCollection(new JsonObject()),
                    delivery())));
            for (Path root : options.roots()) {
                String prefix = prefix(SourceNames.of(root));
                Map<String, Long> indexed;
                try (IndexSnapshot snapshot = index.get().acquire()) {
                    indexed = IndexedSources.timestamps(snapshot, prefix);
                }
                indexed.forEach((source, timestamp) -> known.put(source, Known.fromIndex(timestamp)));
            }
            fullScan();
        }

        private void loop() throws Exception {
            long interval = TimeUnit.MILLISECONDS.toNanos(options.scanIntervalMs());
            long nextCheck = System.nanoTime() + interval;
            nextMaxDelayCheck = System.nanoTime() + maxDelayNanos / 4;
            while (!ctx.cancelRequested()) {
                long now = System.nanoTime();
                long wait = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(Math.min(nextDue(now),
                        nextCheck - now), TimeUnit.SECONDS.toNanos(1)));
                WatchService w = watcher;
                if (w != null) {
                    WatchKey key = w.poll(wait, TimeUnit.NANOSECONDS);
                    while (key != null && !ctx.cancelRequested()) {
                        handle(key);
                        key = watcher == null ? null : watcher.poll();
                    }
                } else {
                    stopped.await(wait, TimeUnit.NANOSECONDS);
                }
                if (ctx.cancelRequested()) {
                    return;
                }
                if (rescan) {
                    rescan = false;
                    dirty.clear();
                    fullScan();
                }
                processDue();
                if (System.nanoTime() - nextCheck >= 0) {
                    nextCheck = System.nanoTime() + interval;
                    requireFolders();
                    if (watcher == null || retry) {
                        retry = false;
                        fullScan();
                    }
                }
            }
        }

        // ---- events ------------------------------------------------------------------------------------------

        private void handle(WatchKey key) {
            Path dir = folders.get(key);
            List<WatchEvent<?>> events = key.pollEvents();
            if (dir == null) {
                return;  // a key given up while its events were queued
            }
            for (WatchEvent<?> event : events) {
                ctx.count("events", event.count());
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    if (!rescan) {  // the JDK may signal one overflow on every key: one rescan for all
                        rescan = true;
                        ctx.count("overflows", 1);
                        LOG.info("watch " + ctx.job().id() + ": the kernel dropped events; scanning every folder"
                                + " again");
                        ctx.event(new JsonObject().put("kind", "overflow").put("reason", "the kernel dropped events"
                                + " (more than fs.inotify.max_queued_events at once); scanning every folder again"));
                    }
                    continue;
                }
                Path child = dir.resolve((Path) event.context());
                if (options.rules().gitignore() && child.getFileName().toString().equals(".gitignore")) {
                    // What is ignored below this folder may have changed: look at all of it again.
                    selection.forget(dir);
                    markDirty(dir);
                    continue;
                }
                if (event.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
                    unwatch(child);
                } else if (event.kind() == StandardWatchEventKinds.ENTRY_MODIFY && keys.containsKey(child.toString())) {
                    continue;  // a watched folder's own attributes; its content has its own events
                }
                markDirty(child);
            }
            if (!key.reset()) {
                // The folder is gone or cannot be read any more: its key is dead.
                forget(key);
                markDirty(dir);
            }
        }

        private void markDirty(Path path) {
            long now = System.nanoTime();
            Dirty d = dirty.remove(path);
            if (d == null) {
                d = new Dirty(now);
            }
            d.last = now;
            dirty.put(path, d);  // to the end: the map stays ordered by latest event
        }

        private long nextDue(long now) {
            if (dirty.isEmpty()) {
                return Long.MAX_VALUE;
            }
            Dirty head = dirty.values().iterator().next();
            return Math.min(head.last + debounceNanos, nextMaxDelayCheck) - now;
        }

        /** Reconciles every path whose events have settled (or that waited too long), in one round. */
        private void processDue() throws Exception {
            long now = System.nanoTime();
            List<Path> due = new ArrayList<>();
            for (Iterator<Map.Entry<Path, Dirty>> it = dirty.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Path, Dirty> e = it.next();
                if (now - e.getValue().last < debounceNanos) {
                    break;
                }
                due.add(e.getKey());
                it.remove();
            }
            if (now - nextMaxDelayCheck >= 0) {
                nextMaxDelayCheck = now + maxDelayNanos / 4;
                for (Iterator<Map.Entry<Path, Dirty>> it = dirty.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<Path, Dirty> e = it.next();
                    if (now - e.getValue().first >= maxDelayNanos) {
                        due.add(e.getKey());
                        it.remove();
                    }
                }
            }
            if (due.isEmpty()) {
                return;
            }
            Set<Path> set = new HashSet<>(due);
            due.sort(null);
            for (Path p : due) {
                if (ctx.cancelRequested()) {
                    return;
                }
                if (coveredByAnother(p, set)) {
                    continue;
                }
                Path root = rootOf(p);
                if (root != null) {
                    reconcile(root, p);
                }
            }
            flush();
        }

        private boolean coveredByAnother(Path p, Set<Path> due) {
            for (Path q = p.getParent(); q != null; q = q.getParent()) {
                if (due.contains(q)) {
                    return true;
                }
            }
            return false;
        }

        private Path rootOf(Path p) {
            for (Path root : options.roots()) {
                if (p.startsWith(root)) {
                    return root;
                }
            }
            return null;
        }

        // ---- reconciling -------------------------------------------------------------------------------------

        private void fullScan() throws Exception {
            ctx.count("scans", 1);
            selection.forgetAll();
            for (Path root : options.roots()) {
                reconcile(root, root);
            }
            flush();
        }

        /**
         * Brings the index in line with the disk under {@code path} (a file or a folder, under {@code root}): new and
         * changed files are read and sent, files that are gone or no longer selected are removed. Folders met are
         * watched.
         */
        private void reconcile(Path root, Path path) throws Exception {
            if (!Files.isDirectory(root)) {
                // Fails the job: a watched folder that vanished (or was unmounted) does not empty the index. Checked
                // first, since its files' deletions are reported (and due) before its own.
                requireFolders();
            }
            String source = SourceNames.of(path);
            BasicFileAttributes attributes = path.equals(root) ? attributes(path, true) : attributes(path, false);
            Set<String> seen = new HashSet<>();
            boolean folder = attributes != null && attributes.isDirectory();
            if (attributes != null && selection.selected(root, path, folder)) {
                if (folder) {
                    selection.walk(root, path, new FileSelection.Visitor() {
                        @Override
                        public void folder(Path dir) {
                            watch(dir);
                        }

                        @Override
                        public void file(Path file, BasicFileAttributes a) throws IOException {
                            String s = SourceNames.of(file);
                            seen.add(s);
                            consider(file, s, a);
                        }

                        @Override
                        public boolean stopped() {
                            return ctx.cancelRequested();
                        }
                    });
                } else if (attributes.isRegularFile()) {
                    seen.add(source);
                    consider(path, source, attributes);
                }
            }
            if (ctx.cancelRequested()) {
                return;  // a walk cut short says nothing of what is gone
            }
            List<String> gone = new ArrayList<>();
            if (known.containsKey(source) && !seen.contains(source)) {
                gone.add(source);
            }
            String prefix = prefix(source);
            for (String s : known.subMap(prefix, true, prefixEnd(prefix), false).keySet()) {
                if (!seen.contains(s)) {
                    gone.add(s);
                }
            }
            for (String s : gone) {
                Known k = known.remove(s);
                if (k != null && k.indexed()) {
                    removals.add(s);
                }
            }
        }

        /**
         * The attributes of {@code path}, or null when it does not exist or is not for a walk to take: a symbolic
         * link is followed to a regular file only, as walks do (a link to a folder is not walked), unless
         * {@code follow} (the watched folder itself may be a link).
         */
        private BasicFileAttributes attributes(Path path, boolean follow) {
            try {
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (a.isSymbolicLink()) {
                    a = Files.readAttributes(path, BasicFileAttributes.class);
                    return follow || a.isRegularFile() ? a : null;
                }
                return a;
            } catch (IOException e) {
                return null;
            }
        }

        /** A file met by a reconcile: sent when it is new or changed. */
        private void consider(Path file, String source, BasicFileAttributes attributes) {
            Known k = known.get(source);
            if (k != null && k.same(attributes)) {
                return;
            }
            ExtractedDocument doc;
            try {
                doc = Extractors.extract(file, options.maxDocumentBytes());
            } catch (RuntimeException e) {
                // An extractor's bug must not end the watch: this file is reported, the others go on.
                LOG.log(Level.WARNING, "watch " + ctx.job().id() + ": extracting " + source
                        + " failed", e);
                ctx.count("failed", 1);
                ctx.event(new JsonObject().put("kind", "failed").put("path", source).put("reason", "extraction"
                        + " failed: " + message(e)));
                known.put(source, Known.of(attributes, k != null && k.indexed()));
                return;
            } catch (ExtractionException e) {
                if (e.reason() == ExtractionException.Reason.UNREADABLE && !Files.exists(file)) {
                    return;  // deleted under us: its event follows
                }
                ctx.count("skipped", 1);
                ctx.event(new JsonObject().put("kind", "skipped").put("path", source).put("reason", e.getMessage()));
                if (k != null && k.indexed()) {
                    removals.add(source);  // what the index holds is no longer the file's content
                }
                known.put(source, Known.of(attributes, false));
                return;
            }
            batch.add(FileIndexer.document(file, doc, null, null, Map.of(),
                    attributes.lastModifiedTime().toMillis()).toJson());
            batchFiles.add(new Sent(source, attributes));
            batchChars += (int) Math.min(Integer.MAX_VALUE / 2, doc.length());
            if (batch.size() >= FileIndexer.BATCH_DOCS || batchChars >= FileIndexer.BATCH_CHARS) {
                send();
            }
        }

        private void send() {
            if (batch.isEmpty()) {
                return;
            }
            inFlight.add(new InFlight(ctx.submit(batch), List.copyOf(batchFiles)));
            batch = new JsonArray();
            batchFiles.clear();
            batchChars = 0;
            while (inFlight.size() >= IN_FLIGHT) {
                settle(inFlight.poll());
            }
        }

        /** Waits for a request's reply and records each file's outcome. */
        private void settle(InFlight request) {
            JsonObject reply;
            try {
                reply = await(request.reply());
            } catch (Exception e) {
                // Not recorded as known: the next scan (at the next periodic check) sends these files again.
                retry = true;
                LOG.warning("watch " + ctx.job().id() + ": indexing " + request.files().size() + " files failed"
                        + " (tried again in " + seconds(options.scanIntervalMs()) + "): " + e.getMessage());
                ctx.count("failed", request.files().size());
                for (Sent f : request.files()) {
                    ctx.event(new JsonObject().put("kind", "failed").put("path", f.source())
                            .put("reason", message(e)));
                }
                return;
            }
            JsonArray results = reply.getJsonArray("results", new JsonArray());
            for (int i = 0; i < request.files().size() && i < results.size(); i++) {
                Sent f = request.files().get(i);
                JsonObject r = results.getJsonObject(i);
                String status = r.getString("status", "failed");
                int chunks = r.getInteger("chunks", 0);
                switch (status) {
                    case "indexed", "replaced" -> {
                        written = true;
                        known.put(f.source(), Known.of(f.attributes(), true));
                        ctx.count(status, 1);
                        ctx.count("chunks", chunks);
                        ctx.event(new JsonObject().put("kind", status).put("path", f.source()).put("chunks", chunks));
                    }
                    case "unchanged" -> {
                        known.put(f.source(), Known.of(f.attributes(), true));
                        ctx.count("unchanged", 1);
                    }
                    default -> {
                        Known k = known.put(f.source(), Known.of(f.attributes(), false));
                        if (k != null && k.indexed()) {
                            removals.add(f.source());
                        }
                        ctx.count("failed", 1);
                        ctx.event(new JsonObject().put("kind", "failed").put("path", f.source())
                                .put("reason", r.getString("error")));
                    }
                }
            }
        }

        private void awaitInFlight() {
            while (!inFlight.isEmpty()) {
                settle(inFlight.poll());
            }
        }

        /** Ends a round: sends what is left, removes what is gone, commits, reports. */
        private void flush() throws Exception {
            if (!ctx.cancelRequested()) {
                send();
            }
            awaitInFlight();
            if (!removals.isEmpty() && !ctx.cancelRequested()) {
                for (int i = 0; i < removals.size(); i += DELETE_BATCH) {
                    List<String> part = removals.subList(i, Math.min(removals.size(), i + DELETE_BATCH));
                    JsonArray ids = new JsonArray();
                    part.forEach(s -> ids.add(DocumentIds.forSource(s)));
                    JsonObject reply = await(bodyOf(ctx.vertx().eventBus().<JsonObject>request(Addresses.DELETE,
                            inCollection(new JsonObject().put("doc_ids", ids)), delivery())));
                    ctx.count("removed", reply.getInteger("deleted_documents", 0));
                    part.forEach(s -> ctx.event(new JsonObject().put("kind", "removed").put("path", s)));
                }
                removals.clear();
            }
            if (written) {
                written = false;
                await(bodyOf(ctx.vertx().eventBus().<JsonObject>request(Addresses.COMMIT, inCollection(new JsonObject()),
                        delivery())));
            }
            ctx.progress(known.values().stream().filter(Known::indexed).count(), -1, "files");
            String stage = fallback != null ? "scanning every " + seconds(options.scanIntervalMs()) + ": " + fallback
                    : "watching " + keys.size() + (keys.size() == 1 ? " folder" : " folders");
            if (!stage.equals(lastStage)) {
                lastStage = stage;
                ctx.stage(stage);
            }
        }

        // ---- inotify -----------------------------------------------------------------------------------------

        /** Watches {@code dir} (a folder a walk met) unless it already is, or the job scans instead. */
        private void watch(Path dir) {
            WatchService w = watcher;
            if (w == null) {
                return;
            }
            WatchKey existing = keys.get(dir.toString());
            if (existing != null && existing.isValid()) {
                return;
            }
            if (existing != null) {
                forget(existing);
            }
            if (!budget.take()) {
                fallBack("the folders to watch need more inotify watches than " + budget.describe());
                return;
            }
            try {
                WatchKey key = register(w, dir);
                Path was = folders.get(key);
                if (was != null && !was.equals(dir)) {
                    // The kernel knows this folder under its old place (it moved): the key still names that.
                    unwatch(was);
                    key = register(w, dir);
                }
                folders.put(key, dir);
                keys.put(dir.toString(), key);
            } catch (NoSuchFileException | NotDirectoryException | AccessDeniedException e) {
                budget.give(1);  // gone, or not ours to read: the walk skips it too
            } catch (IOException e) {
                budget.give(1);
                String m = String.valueOf(e.getMessage());
                fallBack(m.contains("inotify watches") ? "the system's inotify watches ran out (" + budget.system()
                        + ", shared by every program of this user)" : "cannot watch " + dir + ": " + m);
            }
        }

        private WatchKey register(WatchService w, Path dir) throws IOException {
            return dir.register(w, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        }

        /** Stops watching {@code path} and every folder below it (it was deleted or moved away). */
        private void unwatch(Path path) {
            String name = path.toString();
            if (!keys.containsKey(name)) {
                return;
            }
            List<WatchKey> drop = new ArrayList<>();
            drop.add(keys.get(name));
            String prefix = prefix(name);
            drop.addAll(keys.subMap(prefix, true, prefixEnd(prefix), false).values());
            drop.forEach(this::forget);
        }

        private void forget(WatchKey key) {
            Path dir = folders.remove(key);
            if (dir != null) {
                keys.remove(dir.toString(), key);
                budget.give(1);
            }
            key.cancel();
        }

        /** Gives up inotify for this job: closes its watch service and scans periodically from now on. */
        private void fallBack(String reason) {
            if (fallback != null) {
                return;
            }
            fallback = reason;
            String message = reason + "; scanning the folders every " + seconds(options.scanIntervalMs())
                    + " instead (changes show up within that time)";
            LOG.warning("watch " + ctx.job().id() + ": " + message);
            ctx.event(new JsonObject().put("kind", "fallback").put("reason", message));
            closeWatcher();
        }

        private void closeWatcher() {
            WatchService w = watcher;
            watcher = null;
            budget.give(folders.size());
            folders.clear();
            keys.clear();
            if (w != null) {
                try {
                    w.close();
                } catch (IOException ignored) {
                    // nothing more to release
                }
            }
        }

        private <T> T await(Future<T> future) throws Exception {
            try {
                return future.toCompletionStage().toCompletableFuture().get(REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }

    private static <T> Future<T> bodyOf(Future<Message<T>> reply) {
        return reply.map(Message::body);
    }

    private static DeliveryOptions delivery() {
        return new DeliveryOptions().setSendTimeout(REPLY_TIMEOUT_MS);
    }

    /** {@code source} as the prefix of what lies below it. */
    static String prefix(String source) {
        return source.endsWith("/") ? source : source + "/";
    }

    /** The first string after every string that starts with {@code prefix} (which ends with '/'). */
    private static String prefixEnd(String prefix) {
        return prefix.substring(0, prefix.length() - 1) + (char) ('/' + 1);
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms / 1000.0 + " s";
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
