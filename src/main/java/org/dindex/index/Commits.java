package org.dindex.index;

import io.vertx.core.Future;
import org.dindex.collections.Collection;

/**
 * What the writing parts need of commit control: to say that chunks were written, and to have a collection
 * committed now. Owned here, implemented by {@link CommitVerticle}, so that a writer never holds the verticle.
 */
public interface Commits {
    /** After a durable write of {@code chunks} chunks to {@code collection}: commits when enough piled up. */
    void written(Collection collection, int chunks);

    /** Commits {@code collection} now, after every write to it submitted before. */
    Future<ChunkIndex.CommitInfo> commit(Collection collection);
}
