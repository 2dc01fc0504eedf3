package org.dindex.search;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.lucene.index.StoredFields;
import org.dindex.index.BucketRanges;
import org.dindex.index.ChunkIndex;
import org.dindex.index.IndexFields;
import org.dindex.index.IndexSnapshot;
import org.dindex.index.Retrievers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Hybrid search on one {@link IndexSnapshot}: the index's two {@link Retrievers} (BM25, and dense over the segments'
 * jvector graphs, each with the request's filters inside), fused, grouped by document, with snippets and citations.
 * Blocking: runs on the search worker pool.
 */
public final class SearchService {
    private final SearchOptions options;
    private final Snippets snippets;

    /**
     * Where the dense half of a hybrid search runs while the calling thread does BM25, or null to run both in turn.
     * The two retrievers take about as long as each other at a million chunks, so side by side a hybrid search
     * costs about the slower of the two instead of their sum. Tasks given to it never wait on anything, so it
     * cannot deadlock however busy it is.
     */
    private volatile Executor denseBranch;

    /** Runs the dense half of hybrid searches on {@code executor}, beside BM25 on the caller's thread. */
    public SearchService denseBranchOn(Executor executor) {
        this.denseBranch = executor;
        return this;
    }

    public SearchService(SearchOptions options) {
        this.options = options;
        this.snippets = new Snippets(IndexFields.ANALYZER, options.snippetChars());
    }

    public SearchOptions options() {
        return options;
    }

    /** One chunk hit with everything the result needs ({@code chunk}: its stored fields as JSON). */
    public record Hit(int docId, Float dense, Float bm25, double fused, JsonObject chunk) {
    }

    /** Candidates of each retriever by Lucene doc id, with raw scores. */
    record Candidates(Map<Integer, Float> dense, Map<Integer, Float> bm25) {
    }

    /**
     * @param queryVector the embedded query, or null when it could not be embedded (then dense is skipped)
     * @param degraded    why the query could not be embedded, or null
     */
    public JsonObject search(ChunkIndex current, SearchRequest req, float[] queryVector, String degraded)
            throws IOException {
        long t0 = System.nanoTime();
        try (IndexSnapshot snap = current.acquire()) {
            List<Hit> hits = retrieve(current, snap, req, queryVector);
            JsonObject result = assemble(req, hits);
            result.put("mode", req.mode().name().toLowerCase(Locale.ROOT));
            if (degraded != null) {
                result.put("degraded", true).put("warning", "dense retrieval unavailable (" + degraded
                        + "); results are BM25 only");
            }
            return result.put("query_time_ms", (System.nanoTime() - t0) / 1e6);
        }
    }

    List<Hit> retrieve(ChunkIndex current, IndexSnapshot snap, SearchRequest req, float[] queryVector)
            throws IOException {
        Candidates c = gather(current, snap, req, queryVector, BucketRanges.ALL);
        Map<Integer, Float> dense = c.dense();
        Map<Integer, Float> bm25 = c.bm25();
        Map<Integer, Double> fused;
        boolean useDense = req.mode() == SearchRequest.Mode.DENSE && queryVector != null;
        if (req.mode() == SearchRequest.Mode.HYBRID && queryVector != null) {
            Fusion fusion = req.fusion() != null ? req.fusion() : options.fusion();
            fused = fusion.fuse(Fusion.Ranked.of(dense), Fusion.Ranked.of(bm25));
        } else {
            fused = new HashMap<>();
            (useDense ? dense : bm25).forEach((k, v) -> fused.put(k, v.doubleValue()));
        }
        List<Map.Entry<Integer, Double>> order = new ArrayList<>(fused.entrySet());
        order.sort(Map.Entry.<Integer, Double>comparingByValue().reversed().thenComparing(Map.Entry::getKey));
        List<Hit> hits = new ArrayList<>();
        StoredFields stored = snap.searcher().storedFields();
        for (var e : order.subList(0, Math.min(req.topK(), order.size()))) {
            hits.add(new Hit(e.getKey(), dense.get(e.getKey()), bm25.get(e.getKey()), e.getValue(),
                    Retrievers.chunk(stored, e.getKey())));
        }
        return hits;
    }

    /**
     * This index's candidates for a search spread over a cluster: each retriever's list with raw scores (dense: dot
     * product of unit vectors; BM25: Lucene's score) and the stored chunks, so that the coordinator can fuse every
     * member's lists once.
     */
    public JsonObject candidates(ChunkIndex current, SearchRequest req, float[] queryVector, BucketRanges only)
            throws IOException {
        try (IndexSnapshot snap = current.acquire()) {
            Candidates c = gather(current, snap, req, queryVector, only);
            JsonObject chunks = new JsonObject();
            // Payloads only for each list's top k: the fused top k almost always comes from them, and the
            // coordinator fetches any other it picks ({@link #chunks}); ids and scores for all.
            return new JsonObject().put("model", current.model())
                    .put("dense", list(snap, c.dense(), req.topK(), chunks))
                    .put("bm25", list(snap, c.bm25(), req.topK(), chunks)).put("chunks", chunks);
        }
    }

    private static JsonArray list(IndexSnapshot snap, Map<Integer, Float> scores, int withPayload,
                                  JsonObject chunks) throws IOException {
        List<Map.Entry<Integer, Float>> order = new ArrayList<>(scores.entrySet());
        order.sort(Map.Entry.<Integer, Float>comparingByValue().reversed());
        JsonArray out = new JsonArray();
        StoredFields stored = snap.searcher().storedFields();
        for (int i = 0; i < order.size(); i++) {
            var e = order.get(i);
            String id = Retrievers.chunkId(stored, e.getKey());
            if (i < withPayload && !chunks.containsKey(id)) {
                chunks.put(id, Retrievers.chunk(stored, e.getKey()));
            }
            out.add(new JsonArray().add(id).add(e.getValue()));
        }
        return out;
    }

    /** Stored chunks by id (the coordinator's second, rare, round: payloads it picked but did not get). */
    public JsonObject chunks(ChunkIndex current, List<String> ids) throws IOException {
        try (IndexSnapshot snap = current.acquire()) {
            return Retrievers.chunks(snap, ids);
        }
    }

    /** One collection of a search over several: its index, and the query as its model embedded it (or null). */
    public record Target(String collection, ChunkIndex index, String model, float[] queryVector) {
    }

    /**
     * A search over several collections, each on a snapshot of its own, fused once ({@link MergedFusion}: BM25 per
     * collection min-max normalised, dense raw when every collection embeds with the same model and normalised per
     * collection when not). Documents and citations name their collection.
     */
    public JsonObject searchMany(List<Target> targets, SearchRequest req, String degraded) throws IOException {
        long t0 = System.nanoTime();
        List<IndexSnapshot> snaps = new ArrayList<>();
        try {
            List<MergedFusion.Source> sources = new ArrayList<>();
            Map<String, Target> byName = new HashMap<>();
            Map<String, IndexSnapshot> snapOf = new HashMap<>();
            for (Target t : targets) {
                IndexSnapshot snap = t.index().acquire();
                snaps.add(snap);
                snapOf.put(t.collection(), snap);
                byName.put(t.collection(), t);
                Candidates c = gather(t.index(), snap, req, t.queryVector(), BucketRanges.ALL);
                sources.add(new MergedFusion.Source(t.collection(), byDocId(c.dense()), byDocId(c.bm25())));
            }
            boolean oneModel = targets.stream().map(Target::model).distinct().count() == 1;
            MergedFusion.Result fused = MergedFusion.fuse(req.mode(), req.fusion() != null ? req.fusion()
                    : options.fusion(), req.topK(), sources, !oneModel);
            List<Hit> hits = new ArrayList<>();
            for (var e : fused.top()) {
                int slash = e.getKey().indexOf('/');
                String collection = e.getKey().substring(0, slash);
                int doc = Integer.parseInt(e.getKey().substring(slash + 1));
                JsonObject chunk = Retrievers.chunk(snapOf.get(collection).searcher().storedFields(), doc)
                        .put("collection", collection);
                hits.add(new Hit(doc, fused.dense().get(e.getKey()), fused.bm25().get(e.getKey()), e.getValue(),
                        chunk));
            }
            JsonObject result = assemble(req, hits);
            result.put("mode", req.mode().name().toLowerCase(Locale.ROOT))
                    .put("collections", new JsonArray(new ArrayList<>(byName.keySet().stream()
                            .sorted(Comparator.comparingInt(n -> req.collections().indexOf(n))).toList())));
            if (degraded != null) {
                result.put("degraded", true).put("warning", "dense retrieval unavailable (" + degraded
                        + "); results are BM25 only");
            }
            return result.put("query_time_ms", (System.nanoTime() - t0) / 1e6);
        } finally {
            snaps.forEach(IndexSnapshot::close);
        }
    }

    private static Map<String, Float> byDocId(Map<Integer, Float> scores) {
        Map<String, Float> out = new LinkedHashMap<>();
        scores.forEach((k, v) -> out.put(Integer.toString(k), v));
        return out;
    }

    /** Groups hits by document with snippets and citation numbers (the shape of every search answer). */
    public JsonObject assembleHits(SearchRequest req, List<Hit> hits) {
        return assemble(req, hits);
    }

    private Candidates gather(ChunkIndex current, IndexSnapshot snap, SearchRequest req, float[] queryVector,
                              BucketRanges only) throws IOException {
        int depth = Math.max(req.candidates() != null ? req.candidates() : options.candidates(), req.topK());
        boolean wantBm25 = req.mode() != SearchRequest.Mode.DENSE || queryVector == null;
        boolean wantDense = req.mode() != SearchRequest.Mode.BM25 && queryVector != null;
        Executor branch = denseBranch;
        CompletableFuture<Map<Integer, Float>> denseLater = null;
        if (wantDense && wantBm25 && branch != null) {
            denseLater = CompletableFuture.supplyAsync(() -> {
                try {
                    return dense(current, snap, req, queryVector, only, depth);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, branch);
        }
        Map<Integer, Float> bm25 = wantBm25 ? Retrievers.bm25(snap, req.query(), req.titleWeight() != null
                ? req.titleWeight() : options.titleWeight(), req.filters(), only, depth) : Map.of();
        Map<Integer, Float> dense = Map.of();
        if (denseLater != null) {
            try {
                dense = denseLater.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof UncheckedIOException io) {
                    throw io.getCause();
                }
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        } else if (wantDense) {
            dense = dense(current, snap, req, queryVector, only, depth);
        }
        return new Candidates(dense, bm25);
    }

    private Map<Integer, Float> dense(ChunkIndex current, IndexSnapshot snap, SearchRequest req, float[] queryVector,
                                      BucketRanges only, int depth) throws IOException {
        return Retrievers.dense(current, snap, queryVector, req.filters(), only, depth, options.denseBeam(),
                options.exactBelow());
    }

    /** Groups hits by document (documents in order of their best chunk) and numbers citations. */
    JsonObject assemble(SearchRequest req, List<Hit> hits) {
        Snippets.Terms terms = snippets.terms(req.query());
        Map<String, JsonObject> docs = new LinkedHashMap<>();
        JsonArray citations = new JsonArray();
        int rank = 0;
        for (Hit h : hits) {
            rank++;
            JsonObject c = h.chunk();
            String docId = c.getString("document_id");
            // The same source indexed in two collections is two documents of a search over both.
            String collection = c.getString("collection");
            String key = collection == null ? docId : collection + "/" + docId;
            JsonObject existing = docs.get(key);
            if (existing == null) {
                int citation = docs.size() + 1;
                JsonObject doc = new JsonObject().put("document_id", docId).put("title", c.getString("title"))
                        .put("url", c.getString("url")).put("source", c.getString("source"))
                        .put("metadata", c.getJsonObject("metadata")).put("citation", citation)
                        .put("score", h.fused()).put("matched_by", new JsonArray()).put("chunks", new JsonArray());
                JsonObject cite = new JsonObject().put("number", citation).put("document_id", docId)
                        .put("title", c.getString("title")).put("url", c.getString("url"))
                        .put("source", c.getString("source"));
                if (collection != null) {
                    doc.put("collection", collection);
                    cite.put("collection", collection);
                }
                existing = doc;
                docs.put(key, doc);
                citations.add(cite);
            }
            JsonObject doc = existing;
            JsonArray matchedBy = new JsonArray();
            if (h.dense() != null) {
                matchedBy.add("dense");
            }
            if (h.bm25() != null) {
                matchedBy.add("bm25");
            }
            matchedBy.forEach(m -> {
                if (!doc.getJsonArray("matched_by").contains(m)) {
                    doc.getJsonArray("matched_by").add(m);
                }
            });
            JsonObject chunk = new JsonObject()
                    .put("chunk_id", c.getString("chunk_id"))
                    .put("rank", rank)
                    .put("citation", doc.getInteger("citation"))
                    .put("content", c.getString("content"))
                    .put("snippet", snippets.snippet(c.getString("content"), terms))
                    .put("section_hierarchy", c.getJsonArray("section_hierarchy"))
                    .put("position", c.getDouble("position"))
                    .put("chunk_index", c.getInteger("chunk_index"))
                    .put("previous_chunk_id", c.getString("previous_chunk_id"))
                    .put("next_chunk_id", c.getString("next_chunk_id"))
                    .put("matched_by", matchedBy)
                    .put("score", new JsonObject().put("dense", h.dense()).put("bm25", h.bm25())
                            .put("fused", h.fused()));
            doc.getJsonArray("chunks").add(chunk);
        }
        return new JsonObject().put("query", req.query())
                .put("results", new JsonArray(new ArrayList<>(docs.values())))
                .put("citations", citations)
                .put("total_documents", docs.size())
                .put("total_chunks", hits.size());
    }
}
