package org.dindex.index;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.util.Bits;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dindex check}: verifies, on the last committed snapshot, that the stores agree. Every live document is read
 * (which also exercises Lucene's stored-field checksums); chunk ids are unique; every chunk's vector ordinal is
 * visible in the vector store and no other ordinal is; each document record's chunk count matches its chunks; no
 * chunk lacks its document record.
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
        Set<Integer> ordinals = new HashSet<>();
        int chunks = 0;
        try (IndexSnapshot snap = index.acquire()) {
            for (LeafReaderContext leaf : snap.searcher().getIndexReader().leaves()) {
                Bits live = leaf.reader().getLiveDocs();
                StoredFields stored = leaf.reader().storedFields();
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
                        var ord = d.getField(IndexFields.VECTOR_ORDINAL);
                        if (ord == null) {
                            add(problems, "chunk " + chunkId + " has no vector ordinal");
                        } else {
                            int o = ord.numericValue().intValue();
                            if (!snap.vectors().get(o) || !index.vectorStore().contains(o)) {
                                add(problems, "chunk " + chunkId + ": vector " + o + " missing from the vector store");
                            }
                            if (!ordinals.add(o)) {
                                add(problems, "vector ordinal " + o + " used by two chunks");
                            }
                        }
                    } else {
                        declared.put(docId, d.getField(IndexFields.CHUNK_COUNT).numericValue().intValue());
                    }
                }
            }
            int vectors = snap.vectors().live();
            if (vectors != chunks) {
                add(problems, "the vector store holds " + vectors + " vectors for " + chunks + " chunks");
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

    private static void add(List<String> problems, String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(problem);
        }
    }
}
