package org.dindex.index;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies, on the last committed snapshot, that the index is whole. {@link #run} ({@code dindex check}) reads every
 * live document (which also exercises Lucene's stored-field checksums): chunk ids are unique; every chunk has its
 * embedding in the vector field and nothing else has one; each document record's chunk count matches its chunks; no
 * chunk lacks its document record. {@link #quick} (at every start) compares counts only, from the index's
 * statistics and the vector segments, in milliseconds whatever the size.
 */
public final class IntegrityCheck {
    /** What a check found: counts and a list of problems (empty when healthy). */
    public record Report(int documents, int chunks, int vectors, List<String> problems, long millis) {
        public boolean ok() {
            return problems.isEmpty();
        }

        public JsonObject toJson() {
            return new JsonObject().put("ok", ok()).put("documents", documents).put("chunks", chunks)
                    .put("vectors", vectors).put("problems", new JsonArray(new ArrayList<>(problems)))
                    .put("check_ms", millis);
        }
    }

    private static final int MAX_PROBLEMS = 50;

    private IntegrityCheck() {
    }

    public static Report run(ChunkIndex index) throws IOException {
        long t0 = System.nanoTime();
        List<String> problems = new ArrayList<>();
        Set<String> chunkIds = new HashSet<>();
        Map<String, Integer> chunksPerDoc = new HashMap<>();
        Map<String, Integer> declared = new HashMap<>();
        int chunks = 0;
        int vectors = 0;
        try (IndexSnapshot snap = index.acquire()) {
            for (LeafReaderContext leaf : snap.searcher().getIndexReader().leaves()) {
                Bits live = leaf.reader().getLiveDocs();
                StoredFields stored = leaf.reader().storedFields();
                FixedBitSet withVector = docsWithVectors(leaf);
                vectors += live == null ? withVector.cardinality() : countLive(withVector, live);
                for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
                    if (live != null && !live.get(doc)) {
                        continue;
                    }
                    Document d = stored.document(doc);
                    String docId = d.get(IndexFields.DOC_ID);
                    if (d.get(IndexFields.CHUNK_ID) != null) {
                        chunks++;
                        String chunkId = d.get(IndexFields.CHUNK_ID);
                        if (!chunkIds.add(chunkId)) {
                            add(problems, "duplicate chunk id " + chunkId);
                        }
                        chunksPerDoc.merge(docId, 1, Integer::sum);
                        if (!withVector.get(doc)) {
                            add(problems, "chunk " + chunkId + " has no embedding");
                        }
                    } else {
                        if (withVector.get(doc)) {
                            add(problems, "the record of document " + docId + " has an embedding");
                        }
                        declared.put(docId, d.getField(IndexFields.CHUNK_COUNT).numericValue().intValue());
                    }
                }
            }
            if (vectors != chunks) {
                add(problems, "the vector segments hold " + vectors + " embeddings for " + chunks + " chunks");
            }
            declared.forEach((doc, n) -> {
                int actual = chunksPerDoc.getOrDefault(doc, 0);
                if (actual != n) {
                    add(problems, "document " + doc + " declares " + n + " chunks but has " + actual);
                }
            });
            chunksPerDoc.keySet().stream().filter(d -> !declared.containsKey(d)).limit(MAX_PROBLEMS)
                    .forEach(d -> add(problems, "chunks of document " + d + " have no document record"));
            return new Report(declared.size(), chunks, vectors, problems, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /**
     * The start-up check: live chunks (counted by their {@code kind} term) against live embeddings (from the vector
     * segments), and document records. Reads no stored document, so it costs milliseconds at any size.
     */
    public static Report quick(ChunkIndex index) throws IOException {
        long t0 = System.nanoTime();
        List<String> problems = new ArrayList<>();
        try (IndexSnapshot snap = index.acquire()) {
            var searcher = snap.searcher();
            int chunks = searcher.count(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)));
            int documents = searcher.count(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)));
            int vectors = 0;
            for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                Bits live = leaf.reader().getLiveDocs();
                FixedBitSet withVector = docsWithVectors(leaf);
                vectors += live == null ? withVector.cardinality() : countLive(withVector, live);
            }
            if (vectors != chunks) {
                add(problems, "the vector segments hold " + vectors + " embeddings for " + chunks + " chunks (run"
                        + " dindex check for details)");
            }
            return new Report(documents, chunks, vectors, problems, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private static FixedBitSet docsWithVectors(LeafReaderContext leaf) throws IOException {
        FixedBitSet docs = new FixedBitSet(Math.max(1, leaf.reader().maxDoc()));
        FloatVectorValues values = leaf.reader().getFloatVectorValues(IndexFields.EMBEDDING);
        if (values != null) {
            DocIdSetIterator it = values.iterator();
            for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                docs.set(doc);
            }
        }
        return docs;
    }

    private static int countLive(FixedBitSet docs, Bits live) {
        int n = 0;
        for (int doc = docs.nextSetBit(0); doc != DocIdSetIterator.NO_MORE_DOCS;
             doc = doc + 1 < docs.length() ? docs.nextSetBit(doc + 1) : DocIdSetIterator.NO_MORE_DOCS) {
            if (live.get(doc)) {
                n++;
            }
        }
        return n;
    }

    private static void add(List<String> problems, String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        }
    }
}
