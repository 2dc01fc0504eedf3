package org.dindex.collections;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.index.ChunkIndex;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Snapshots of collections: consistent copies made while writes and searches go on, and their verified restore.
 *
 * <p><b>What a snapshot holds.</b> One Lucene commit of the collection: everything acknowledged before the snapshot
 * was asked for, since the collection is committed first on its writer thread and that commit is held
 * ({@code SnapshotDeletionPolicy}) while its files are copied. Writes after it are not in it; the write-ahead log is
 * not part of it (it is empty as of that commit). Files are hard-linked when the snapshot folder is on the same file
 * system as the collection (Lucene never changes a file once written, so a link is a copy that costs no space until
 * the collection's own merges delete its name), else copied and fsynced.
 *
 * <p><b>Layout.</b> {@code <id>/lucene/<files of the commit>}, {@code <id>/collection.json} (the collection's name,
 * model, dimensions, creation time), {@code <id>/manifest.json} (every file's size and SHA-256, the commit, the
 * counts, and the SHA-256 of the manifest's own content). Everything is built in a hidden {@code .partial-*} folder;
 * the manifest is written last (to a temporary file, fsynced, renamed), then the folder is renamed to its id. So a
 * snapshot cut off by a crash is never listed, and the daemon's snapshot folder is swept of partial ones at start.
 *
 * <p><b>Restore</b> reads the manifest, checks its own checksum, then every file's size and SHA-256 before anything
 * changes: a damaged or partial snapshot is refused with the file and the reason, and the live collection is not
 * touched. The files are linked (or copied) into a new folder, opened and checked as an index, and only then put in
 * place of (or beside) the collections there are.
 */
public final class Snapshots {
    private static final Logger LOG = Logger.getLogger(Snapshots.class.getName());
    static final String FOLDER = "snapshots";
    static final String MANIFEST = "manifest.json";
    static final String SETTINGS = "collection.json";
    static final String FORMAT = "dindex-snapshot";
    static final int VERSION = 1;
    private static final String PARTIAL = ".partial-";
    private static final Pattern ID = Pattern.compile("[a-z0-9_-]{1,64}-\\d{8}T\\d{6}Z(-\\d+)?");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    /** Testing only: a pause after each file copied, so that a test can kill a daemon mid-snapshot. */
    static final String PAUSE_PROPERTY = "dindex.snapshot.pause_per_file_ms";

    private final Path folder;

    public Snapshots(Path dataDir) {
        this.folder = dataDir.resolve(FOLDER);
    }

    /** The daemon's snapshot folder. */
    public Path folder() {
        return folder;
    }

    /** Removes snapshots that a crash or stop cut off (their hidden partial folders). Blocking. */
    public void sweep() {
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (var list = Files.list(folder)) {
            for (Path p : list.toList()) {
                if (p.getFileName().toString().startsWith(PARTIAL)) {
                    LOG.warning("removing " + p + ": a snapshot that a stop or crash cut off");
                    CollectionRegistry.deleteTree(p);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot list " + folder, e);
        }
    }

    // ---- create ---------------------------------------------------------------------------------------------

    /**
     * Copies what {@code held} holds of collection {@code c} into a new snapshot in {@code into} (null: the daemon's
     * snapshot folder) and returns its description. The caller releases {@code held} afterwards. Blocking.
     */
    public JsonObject create(Collection c, ChunkIndex.HeldCommit held, Path into) throws IOException {
        long t0 = System.nanoTime();
        Path parent = into == null ? folder : into;
        Files.createDirectories(parent);
        Instant now = Instant.now();
        String id = c.name() + "-" + STAMP.format(now);
        for (int i = 2; Files.exists(parent.resolve(id)); i++) {
            id = c.name() + "-" + STAMP.format(now) + "-" + i;
        }
        Path partial = parent.resolve(PARTIAL + id + "-" + System.nanoTime());
        Files.createDirectories(partial.resolve("lucene"));
        try {
            long pause = Long.getLong(PAUSE_PROPERTY, 0);
            JsonArray files = new JsonArray();
            long bytes = 0;
            int linked = 0;
            for (String name : held.files()) {
                Path source = held.luceneDir().resolve(name);
                Path target = partial.resolve("lucene").resolve(name);
                if (linkOrCopy(source, target)) {
                    linked++;
                }
                long size = Files.size(target);
                files.add(new JsonObject().put("path", "lucene/" + name).put("bytes", size)
                        .put("sha256", sha256(target)));
                bytes += size;
                if (pause > 0) {
                    sleep(pause);
                }
            }
            syncFolder(partial.resolve("lucene"));
            JsonObject settings = new JsonObject().put("name", c.name()).put("model", c.model().name())
                    .put("dimensions", c.model().dimensions()).put("created_at", c.createdAt().toString());
            byte[] settingsBytes = (settings.encodePrettily() + "\n").getBytes(StandardCharsets.UTF_8);
            writeDurably(partial.resolve(SETTINGS), settingsBytes);
            files.add(new JsonObject().put("path", SETTINGS).put("bytes", (long) settingsBytes.length)
                    .put("sha256", sha256(partial.resolve(SETTINGS))));
            bytes += settingsBytes.length;
            JsonObject manifest = new JsonObject().put("format", FORMAT).put("version", VERSION).put("id", id)
                    .put("collection", c.name()).put("model", c.model().name())
                    .put("dimensions", c.model().dimensions()).put("created_at", now.toString())
                    .put("documents", held.documents()).put("chunks", held.chunks())
                    .put("commit", new JsonObject().put("generation", held.generation())
                            .put("wal_seq", held.data().get("wal_seq"))
                            .put("committed_at", held.data().get("committed_at"))
                            .put("layout", held.data().get("layout")))
                    .put("bytes", bytes).put("files", files);
            manifest.put("manifest_sha256", sha256(manifest.encode()));
            // Written last and atomically: a folder without it is never a snapshot.
            writeDurably(partial.resolve(MANIFEST), (manifest.encodePrettily() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            syncFolder(partial);
            Path done = parent.resolve(id);
            Files.move(partial, done, StandardCopyOption.ATOMIC_MOVE);
            syncFolder(parent);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            LOG.info("snapshot " + id + " of " + c.name() + ": " + held.documents() + " documents, " + held.chunks()
                    + " chunks, " + files.size() + " files (" + linked + " linked), " + bytes + " bytes in "
                    + millis + " ms");
            return describe(manifest, done).put("millis", millis).put("linked_files", linked);
        } catch (IOException | RuntimeException e) {
            CollectionRegistry.deleteTree(partial);
            throw e;
        }
    }

    /** Hard-links {@code source} as {@code target}; copies it (and fsyncs the copy) when a link cannot be made. */
    static boolean linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
            return true;
        } catch (FileAlreadyExistsException | NoSuchFileException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            return false;
        }
    }

    // ---- list and delete ------------------------------------------------------------------------------------

    /** The snapshots in the daemon's folder with a readable manifest, oldest first; only {@code of}'s when given. */
    public JsonArray list(String of) {
        JsonArray out = new JsonArray();
        if (!Files.isDirectory(folder)) {
            return out;
        }
        List<JsonObject> found = new ArrayList<>();
        try (var list = Files.list(folder)) {
            for (Path p : list.sorted().toList()) {
                if (p.getFileName().toString().startsWith(".") || !Files.isRegularFile(p.resolve(MANIFEST))) {
                    continue;
                }
                try {
                    JsonObject manifest = readManifest(p);
                    if (of == null || of.equals(manifest.getString("collection"))) {
                        found.add(describe(manifest, p));
                    }
                } catch (DindexException e) {
                    LOG.fine("not listing " + p + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new DindexException(ErrorCode.INTERNAL, "cannot list " + folder + ": " + e.getMessage(), e);
        }
        found.sort(Comparator.comparing((JsonObject j) -> j.getString("created_at")));
        found.forEach(out::add);
        return out;
    }

    /** Deletes snapshot {@code id} from the daemon's folder. Blocking. */
    public void delete(String id) {
        Path dir = byId(id);
        readManifest(dir);  // only what is a snapshot
        CollectionRegistry.discardFolder(dir);
        LOG.info("snapshot " + id + " deleted");
    }

    /** The folder of snapshot {@code id} in the daemon's folder. */
    Path byId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw DindexException.badRequest("invalid snapshot id '" + id + "' (ids look like default-20261207T120000Z,"
                    + " see dindex snapshot list)");
        }
        Path dir = folder.resolve(id);
        if (!Files.isDirectory(dir)) {
            throw new DindexException(ErrorCode.NOT_FOUND, "no snapshot '" + id + "' in " + folder);
        }
        return dir;
    }

    /** A snapshot named by id (in the daemon's folder) or by the absolute path of its folder. */
    public Path resolve(String snapshot) {
        if (snapshot != null && snapshot.startsWith("/")) {
            Path dir = Path.of(snapshot).normalize();
            if (!Files.isDirectory(dir)) {
                throw new DindexException(ErrorCode.NOT_FOUND, "no snapshot folder " + dir);
            }
            return dir;
        }
        return byId(snapshot);
    }

    private static JsonObject describe(JsonObject manifest, Path dir) {
        return new JsonObject().put("id", manifest.getString("id")).put("collection", manifest.getString("collection"))
                .put("created_at", manifest.getString("created_at")).put("path", dir.toString())
                .put("model", manifest.getString("model")).put("dimensions", manifest.getInteger("dimensions"))
                .put("documents", manifest.getLong("documents")).put("chunks", manifest.getLong("chunks"))
                .put("bytes", manifest.getLong("bytes")).put("files", manifest.getJsonArray("files").size())
                .put("commit", manifest.getJsonObject("commit"));
    }

    // ---- verify and restore ---------------------------------------------------------------------------------

    /** A verified snapshot: its folder and manifest. */
    public record Verified(Path dir, JsonObject manifest) {
        public String collection() {
            return manifest.getString("collection");
        }

        public String model() {
            return manifest.getString("model");
        }

        public int dimensions() {
            return manifest.getInteger("dimensions");
        }
    }

    /**
     * Reads the manifest of the snapshot in {@code dir} and checks its own checksum.
     *
     * @throws DindexException bad_request saying what is wrong (no manifest: a partial snapshot)
     */
    static JsonObject readManifest(Path dir) {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw DindexException.badRequest(dir + " is not a complete snapshot: it has no " + MANIFEST
                    + " (a snapshot cut off while it was made, or not a snapshot)");
        }
        JsonObject manifest;
        try {
            manifest = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw DindexException.badRequest("the snapshot in " + dir + " is damaged: its " + MANIFEST
                    + " cannot be read (" + e.getMessage() + ")");
        }
        if (!FORMAT.equals(manifest.getValue("format"))) {
            throw DindexException.badRequest(dir + " is not a dindex snapshot (its " + MANIFEST + " has no format "
                    + FORMAT + ")");
        }
        if (!Integer.valueOf(VERSION).equals(manifest.getValue("version"))) {
            throw DindexException.badRequest("the snapshot in " + dir + " has version " + manifest.getValue("version")
                    + "; this daemon reads version " + VERSION);
        }
        Object recorded = manifest.remove("manifest_sha256");
        if (!(recorded instanceof String) || !recorded.equals(sha256(manifest.encode()))) {
            throw DindexException.badRequest("the snapshot in " + dir + " is damaged: " + MANIFEST
                    + " does not match its own checksum");
        }
        return manifest;
    }

    /**
     * Verifies every file the manifest of {@code dir} names: present, of its size, of its SHA-256. Nothing is changed.
     *
     * @throws DindexException bad_request naming the first file that is missing or differs
     */
    public Verified verify(Path dir) throws IOException {
        JsonObject manifest = readManifest(dir);
        JsonArray files = manifest.getJsonArray("files");
        boolean segments = false;
        for (Object o : files) {
            JsonObject f = (JsonObject) o;
            String rel = f.getString("path");
            Path file = dir.resolve(rel).normalize();
            if (rel == null || !file.startsWith(dir) || rel.contains("..")) {
                throw DindexException.badRequest("the snapshot in " + dir + " is damaged: its manifest names a file"
                        + " outside it: " + rel);
            }
            segments |= rel.startsWith("lucene/segments_");
            if (!Files.isRegularFile(file)) {
                throw DindexException.badRequest("the snapshot in " + dir + " is incomplete: " + rel + " is missing;"
                        + " nothing was restored");
            }
            long size = Files.size(file);
            if (size != f.getLong("bytes")) {
                throw DindexException.badRequest("the snapshot in " + dir + " is damaged: " + rel + " has " + size
                        + " bytes, the manifest says " + f.getLong("bytes") + "; nothing was restored");
            }
            if (!sha256(file).equals(f.getString("sha256"))) {
                throw DindexException.badRequest("the snapshot in " + dir + " is damaged: the SHA-256 of " + rel
                        + " does not match its manifest; nothing was restored");
            }
        }
        if (!segments) {
            throw DindexException.badRequest("the snapshot in " + dir + " is damaged: its manifest names no Lucene"
                    + " commit (segments_N)");
        }
        if (!CollectionNames.valid(manifest.getString("collection"))) {
            throw DindexException.badRequest("the snapshot in " + dir + " names no valid collection");
        }
        return new Verified(dir, manifest);
    }

    /** Links (or copies) a verified snapshot's Lucene files into {@code <target>/lucene/}. Blocking. */
    public void copyInto(Verified v, Path target) throws IOException {
        Path lucene = target.resolve("lucene");
        Files.createDirectories(lucene);
        for (Object o : v.manifest().getJsonArray("files")) {
            String rel = ((JsonObject) o).getString("path");
            if (rel.startsWith("lucene/")) {
                linkOrCopy(v.dir().resolve(rel), lucene.resolve(rel.substring("lucene/".length())));
            }
        }
        syncFolder(lucene);
        syncFolder(target);
    }

    // ---- files ----------------------------------------------------------------------------------------------

    static String sha256(Path file) throws IOException {
        MessageDigest digest = digest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code bytes} to a temporary file, fsyncs it and renames it to {@code file}. */
    static void writeDurably(Path file, byte[] bytes) throws IOException {
        RegistryFile.writeAtomically(file, bytes);
    }

    static void syncFolder(Path folder) {
        RegistryFile.syncFolder(folder);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
