package org.dindex.index;

import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodesIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector graph snapshot: a restart loads the saved graph instead of rebuilding it, a stale snapshot is reconciled
 * with the index, and an unusable one is ignored. Real Lucene, real jvector; graph search forced (exactBelow 0).
 */
class GraphSnapshotTest {
    private static final int DIMS = ChunkIndexTest.DIMS;
    /** Its seeded random unit vectors and documents. */
    private final ChunkIndexTest fixtures = new ChunkIndexTest();

    @TempDir
    Path data;

    private final Map<String, DocumentRecord> docs = new HashMap<>();

    private List<WriteOp> upserts(String prefix, int count) {
        List<WriteOp> ops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            DocumentRecord d = fixtures.doc(prefix + i, 10, "h" + i);
            docs.put(prefix + i, d);
            ops.add(new WriteOp.Upsert(d));
        }
        return ops;
    }

    private static List<ChunkIndex.DenseHit> search(ChunkIndex index, float[] q) {
        try (IndexSnapshot s = index.acquire()) {
            return index.denseSearch(s, q, 10, 100, null, 0);
        }
    }

    /** Every node's neighbours at every level, the graph's whole structure. */
    private static Map<String, List<Integer>> structure(ImmutableGraphIndex graph) throws Exception {
        Map<String, List<Integer>> out = new TreeMap<>();
        try (ImmutableGraphIndex.View view = graph.getView()) {
            for (int level = 0; level <= graph.getMaxLevel(); level++) {
                NodesIterator nodes = graph.getNodes(level);
                while (nodes.hasNext()) {
                    int n = nodes.nextInt();
                    List<Integer> neighbours = new ArrayList<>();
                    NodesIterator it = view.getNeighborsIterator(level, n);
                    while (it.hasNext()) {
                        neighbours.add(it.nextInt());
                    }
                    neighbours.sort(null);
                    out.put(level + ":" + n, neighbours);
                }
            }
            out.put("entry", List.of(view.entryNode().node, view.entryNode().level));
        }
        return out;
    }

    @Test
    void aRestartLoadsTheSavedGraphWithItsExactStructure() throws Exception {
        Map<String, List<Integer>> before;
        List<List<ChunkIndex.DenseHit>> hits = new ArrayList<>();
        List<float[]> queries = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            queries.add(fixtures.unit());
        }
        try (ChunkIndex index = ChunkIndex.open(data, "m", DIMS)) {
            index.write(upserts("/a", 300));
            index.commit();
            before = structure(index.vectorStore().graph());
            for (float[] q : queries) {
                hits.add(search(index, q));
            }
        }
        assertTrue(Files.size(ChunkIndex.graphFile(data)) > 3000 * 8, "the snapshot is written at close");
        try (ChunkIndex index = ChunkIndex.open(data, "m", DIMS)) {
            assertTrue(index.graphOrigin().startsWith("loaded 3000 nodes"), index.graphOrigin());
            assertTrue(index.graphOrigin().endsWith(", 0 vectors inserted"), index.graphOrigin());
            assertEquals(before, structure(index.vectorStore().graph()), "same nodes, neighbours and entry point");
            for (int i = 0; i < queries.size(); i++) {
                assertEquals(hits.get(i), search(index, queries.get(i)), "query " + i);
            }
            assertTrue(IntegrityCheck.run(index).ok());
        }
    }

    @Test
    void aStaleSnapshotIsReconciledWithDeletesAndLaterWrites() throws Exception {
        Path old = data.resolveSibling(data.getFileName() + "-graph-1.bin");
        try (ChunkIndex index = ChunkIndex.open(data, "m", DIMS)) {
            index.write(upserts("/a", 300));
            index.commit();
        }
        Files.copy(ChunkIndex.graphFile(data), old, StandardCopyOption.REPLACE_EXISTING);
        List<String> deletedIds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            deletedIds.add(docs.get("/a" + i).docId());
        }
        try (ChunkIndex index = ChunkIndex.open(data, "m", DIMS)) {
            index.write(List.of(new WriteOp.DeleteDocuments(deletedIds)));
            index.write(upserts("/b", 50));
            index.commit();
        }
        // As if the daemon had been killed before it could save the graph again.
        Files.copy(old, ChunkIndex.graphFile(data), StandardCopyOption.REPLACE_EXISTING);
        try (ChunkIndex index = ChunkIndex.open(data, "m", DIMS)) {
            assertTrue(index.graphOrigin().startsWith("loaded 3000 nodes"), index.graphOrigin());
            assertTrue(index.graphOrigin().contains("(200 since deleted), 500 vectors inserted"), index.graphOrigin());
            assertTrue(index.vectorStore().ordinalHighWater() >= 3500, "ordinals are never reused");
            for (int i = 0; i < 50; i += 7) {
                ChunkRecord c = docs.get("/b" + i).chunks().get(3);
                List<ChunkIndex.DenseHit> hits = search(index, c.vector());
                assertEquals(1f, hits.get(0).score(), 1e-4, "a chunk written after the snapshot is found by its vector");
            }
            for (int i = 0; i < 20; i++) {
                ChunkRecord c = docs.get("/a" + i).chunks().get(0);
                assertFalse(search(index, c.vector()).stream().anyMatch(h -> h.score() > 0.9999f),
                        "a chunk deleted after the snapshot is never returned");
            }
            assertEquals(2800 + 500, index.vectorStore().liveCount());
            assertTrue(IntegrityCheck.run(index).ok());
        }
        Files.deleteIfExists(old);
    }

    @Test
    void anUnusableSnapshotIsIgnoredAndTheGraphRebuilt() throws Exception {
        try (ChunkIndex index = ChunkIndex.open(data, "m", DIMS)) {
            index.write(upserts("/a", 100));
            index.commit();
        }
        Path file = ChunkIndex.graphFile(data);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        try (ChunkIndex index = ChunkIndex.open(data, "m", DIMS)) {
            assertEquals("built from 1000 stored vectors", index.graphOrigin());
            ChunkRecord c = docs.get("/a7").chunks().get(2);
            assertEquals(1f, search(index, c.vector()).get(0).score(), 1e-4);
        }
        Files.write(file, "not a graph".getBytes());
        try (ChunkIndex index = ChunkIndex.open(data, "m", DIMS)) {
            assertEquals("built from 1000 stored vectors", index.graphOrigin());
            assertEquals(1000, index.vectorStore().liveCount());
        }
        try (ChunkIndex index = ChunkIndex.open(data, "m", DIMS)) {
            assertTrue(index.graphOrigin().startsWith("loaded 1000 nodes"), "the rebuilt graph was saved again: "
                    + index.graphOrigin());
        }
    }
}
