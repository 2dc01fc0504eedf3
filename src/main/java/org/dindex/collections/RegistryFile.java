package org.dindex.collections;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code <data>/collections.json}: the collections a daemon holds, each with its folder, model and creation time.
 * Written whole to a temporary file, fsynced, renamed over the old one and the folder fsynced, so a crash leaves
 * either the old list or the new one. A data dir without the file (one from before collections) holds the
 * {@code default} collection in {@code index/}, where it always was.
 */
public final class RegistryFile {
    static final String NAME = "collections.json";
    static final int VERSION = 1;

    /** One collection as the file records it; {@code dir} is relative to the data dir. */
    public record Entry(String name, String dir, String model, int dimensions, String createdAt) {
        JsonObject toJson() {
            return new JsonObject().put("name", name).put("dir", dir).put("model", model)
                    .put("dimensions", dimensions).put("created_at", createdAt);
        }

        static Entry fromJson(JsonObject j) {
            return new Entry(j.getString("name"), j.getString("dir"), j.getString("model"),
                    j.getInteger("dimensions", 0), j.getString("created_at"));
        }
    }

    private RegistryFile() {
    }

    /** The entries of the file in {@code dataDir}, or an empty list when there is none. */
    public static List<Entry> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(NAME);
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonObject json;
        try {
            json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
        } catch (DecodeException e) {
            throw new IOException(file + " is not valid JSON (" + e.getMessage() + ")", e);
        }
        List<Entry> entries = new ArrayList<>();
        for (Object o : json.getJsonArray("collections", new JsonArray())) {
            entries.add(Entry.fromJson((JsonObject) o));
        }
        return entries;
    }

    /** Replaces the file in {@code dataDir} with {@code entries}, atomically and durably. */
    static void write(Path dataDir, List<Entry> entries) throws IOException {
        JsonArray list = new JsonArray();
        entries.forEach(e -> list.add(e.toJson()));
        byte[] bytes = (new JsonObject().put("version", VERSION).put("collections", list).encodePrettily() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        writeAtomically(dataDir.resolve(NAME), bytes);
    }

    /** Writes {@code bytes} to a temporary file beside {@code file}, fsyncs it, renames it over {@code file}. */
    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        syncFolder(file.getParent());
    }

    /** Makes a rename or a new file in {@code folder} durable (the folder's own entry). */
    static void syncFolder(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a folder; the rename itself is still atomic
        }
    }
}
