package org.dindex.collections;

import io.vertx.core.json.JsonObject;
import org.dindex.embed.EmbeddingService;
import org.dindex.index.ChunkIndex;
import org.dindex.index.IndexService;
import org.dindex.ingest.Chunker;
import org.dindex.protocol.CollectionNames;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A named index in the daemon: its own Lucene index with vectors and write-ahead log (its folder), the embedding
 * model it was built with (shared with other collections of that model, {@link Models}), and its own commit
 * schedule (the chunks written since its last commit; the {@code CommitVerticle} commits each collection on its
 * own). Writes to a collection being deleted or replaced are refused.
 */
public final class Collection {
    /** Where a collection is in its life. */
    public enum State { OPEN, CLOSING, CLOSED }

    private final String name;
    private final String dir;
    private final Path path;
    private final Instant createdAt;
    private final IndexService index;
    private final Models.Model model;
    private final AtomicLong writtenSinceCommit = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private volatile State state = State.OPEN;

    Collection(String name, String dir, Path path, Instant createdAt, IndexService index, Models.Model model) {
        this.name = name;
        this.dir = dir;
        this.path = path;
        this.createdAt = createdAt;
        this.index = index;
        this.model = model;
    }

    public String name() {
        return name;
    }

    /** Its folder, relative to the data dir (as the registry file records it). */
    public String dir() {
        return dir;
    }

    /** Its folder (holding {@code lucene/} and {@code wal/}). */
    public Path path() {
        return path;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public boolean isDefault() {
        return CollectionNames.DEFAULT.equals(name);
    }

    public IndexService index() {
        return index;
    }

    public Models.Model model() {
        return model;
    }

    public EmbeddingService embeddings() {
        return model.embeddings();
    }

    public Chunker chunker() {
        return model.chunker();
    }

    public State state() {
        return state;
    }

    void state(State state) {
        this.state = state;
    }

    /** Refuses a write (or a job) to a collection that is going away. */
    public void ensureOpen() {
        if (state != State.OPEN) {
            throw new DindexException(ErrorCode.NOT_FOUND, "collection '" + name + "' is being deleted or replaced");
        }
    }

    /** Adds to the chunks written since the last commit; returns the new total (the commit schedule reads it). */
    public long written(long chunks) {
        return writtenSinceCommit.addAndGet(chunks);
    }

    /** A commit started: the count of chunks since the last one starts again. */
    public void committing() {
        writtenSinceCommit.set(0);
    }

    /** A commit succeeded. */
    public void committed() {
        commits.incrementAndGet();
    }

    /** Commits since the daemon started. */
    public long commits() {
        return commits.get();
    }

    /** Name, model, folder and what its last commit holds; counts read from the current snapshot. */
    public JsonObject describe() {
        ChunkIndex ix = index.index();
        JsonObject json = new JsonObject().put("name", name).put("default", isDefault())
                .put("model", model.name()).put("dimensions", model.dimensions())
                .put("created_at", createdAt.toString()).put("dir", dir);
        if (state == State.OPEN) {
            try {
                long[] counts = ix.counts();
                json.put("documents", counts[0]).put("chunks", counts[1]);
            } catch (RuntimeException | IOException e) {
                json.put("documents", 0).put("chunks", 0);
            }
            json.put("pending_operations", ix.pendingOps())
                    .put("last_commit_at", ix.lastCommitAt() == null ? null : ix.lastCommitAt().toString());
        }
        return json.put("state", state.name().toLowerCase(Locale.ROOT));
    }
}
