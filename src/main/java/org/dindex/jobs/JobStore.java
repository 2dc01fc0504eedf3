package org.dindex.jobs;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Jobs on disk: one small JSON file per job in {@code <data>/jobs/}, replaced atomically (write, fsync, rename), so a
 * crash leaves either the old or the new record, never half of one. Blocking: callers run it off the event loop.
 */
final class JobStore {
    private static final Logger LOG = Logger.getLogger(JobStore.class.getName());

    private final Path dir;

    JobStore(Path dir) {
        this.dir = dir;
    }

    /** Every readable job record; unreadable files are logged and skipped (they never stop the daemon). */
    List<Job> loadAll() throws IOException {
        Files.createDirectories(dir);
        List<Job> jobs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                try {
                    jobs.add(Job.fromJson(new JsonObject(Files.readString(file))));
                } catch (IOException | RuntimeException e) {
                    LOG.warning("ignoring unreadable job record " + file + ": " + e.getMessage());
                }
            }
        }
        return jobs;
    }

    void save(JsonObject job) throws IOException {
        Path target = dir.resolve(job.getString("id") + ".json");
        Path tmp = dir.resolve(job.getString("id") + ".json.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(job.encodePrettily().getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void delete(String id) throws IOException {
        Files.deleteIfExists(dir.resolve(id + ".json"));
    }
}
