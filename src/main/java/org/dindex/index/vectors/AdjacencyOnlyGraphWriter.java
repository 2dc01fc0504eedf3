package org.dindex.index.vectors;

import io.github.jbellis.jvector.disk.IndexWriter;
import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.disk.OnDiskSequentialGraphIndexWriter;
import io.github.jbellis.jvector.graph.disk.OrdinalMapper;

import java.io.IOException;
import java.util.Map;

/**
 * Writes a jvector graph that holds adjacency lists only, no vectors.
 *
 * <p>jvector's writer builders insist on a vector feature (inline or separated vectors, or NVQ) because a standalone
 * jvector index reranks from its own file. Here the full-precision vectors already live in Lucene's flat vector file
 * of the same segment, and reranking reads them there: storing them again would double the segment, and spreading
 * adjacency lists across vector-sized records would make a graph walk touch far more pages. jvector's on-disk format
 * itself allows no features (it records a feature count, and {@code OnDiskGraphIndex} loads such a file); only the
 * builder's check is skipped, by calling its protected build step directly.
 *
 * <p>The sequential writer suits Lucene: {@code IndexOutput} cannot seek, and it writes the header up front and a
 * footer pointing back at it, which is what {@code OnDiskGraphIndex.load} looks for at the end of the slice.
 */
final class AdjacencyOnlyGraphWriter extends OnDiskSequentialGraphIndexWriter.Builder {
    /**
     * jvector's on-disk graph version, pinned so that a jvector upgrade cannot silently change what segments hold;
     * reading accepts whatever versions the jvector on the classpath reads.
     */
    static final int GRAPH_VERSION = 6;

    private AdjacencyOnlyGraphWriter(ImmutableGraphIndex graph, IndexWriter out) {
        super(graph, out);
    }

    /**
     * Writes {@code graph}, whose nodes must be exactly 0 to size-1 (they stay the vector ordinals), to {@code out}.
     */
    static void write(ImmutableGraphIndex graph, IndexWriter out) throws IOException {
        AdjacencyOnlyGraphWriter builder = new AdjacencyOnlyGraphWriter(graph, out);
        builder.withVersion(GRAPH_VERSION);
        builder.withMapper(new OrdinalMapper.IdentityMapper(graph.size(0) - 1));
        try (OnDiskSequentialGraphIndexWriter writer = builder.reallyBuild(graph.getDimension())) {
            writer.write(Map.of());
        }
    }
}
