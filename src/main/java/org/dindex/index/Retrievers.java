package org.dindex.index;

import io.vertx.core.json.JsonObject;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.QueryBuilder;
import org.dindex.protocol.SearchFilters;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The index's two retrievers over one {@link IndexSnapshot}, and the reads of stored chunks that follow them. Each
 * retriever returns Lucene doc ids of chunks with their raw scores, best first, with the request's filters applied
 * inside the retriever (a filtered search finds its best matching chunks, not the filtered remains of the best
 * chunks). What the scores mean and how they combine is the search part's business; which fields hold what is this
 * part's.
 */
public final class Retrievers {
    private Retrievers() {
    }

    /**
     * BM25 over the chunks' text, and their titles boosted by {@code titleWeight} (0: text only).
     *
     * @return up to {@code depth} chunks by doc id, best first; empty when the query has no terms
     */
    public static Map<Integer, Float> bm25(IndexSnapshot snap, String query, float titleWeight,
                                           SearchFilters filters, BucketRanges only, int depth)
            throws IOException {
        Map<Integer, Float> hits = new LinkedHashMap<>();
        Query text = bm25Query(query, titleWeight);
        if (text == null) {
            return hits;
        }
        // Only chunks have text terms (IndexFields), so without filters the kind filter is not needed.
        Query q = filters.isEmpty() && only.isAll() ? text : new BooleanQuery.Builder()
                .add(text, BooleanClause.Occur.MUST)
                .add(FilterQueries.of(filters, only), BooleanClause.Occur.FILTER).build();
        for (ScoreDoc sd : snap.searcher().search(q, depth).scoreDocs) {
            hits.put(sd.doc, sd.score);
        }
        return hits;
    }

    /**
     * Dense retrieval: the segments' graphs searched with {@code beam}, the best candidates of all segments
     * rescored at full precision; an index or a filter of at most {@code exactBelow} chunks is scored exactly
     * instead (see {@link ChunkIndex#denseSearch}).
     *
     * @return up to {@code depth} chunks by doc id with the dot product of unit vectors, best first
     */
    public static Map<Integer, Float> dense(ChunkIndex index, IndexSnapshot snap, float[] queryVector,
                                            SearchFilters filters, BucketRanges only, int depth, int beam,
                                            int exactBelow) throws IOException {
        List<ChunkIndex.DenseHit> hits = index.denseSearch(snap, queryVector, depth, beam,
                filters.isEmpty() && only.isAll() ? null : FilterQueries.of(filters, only), exactBelow);
        Map<Integer, Float> dense = new LinkedHashMap<>();
        for (ChunkIndex.DenseHit h : hits) {
            dense.put(h.doc(), h.score());
        }
        return dense;
    }

    static Query bm25Query(String query, float titleWeight) {
        QueryBuilder builder = new QueryBuilder(IndexFields.ANALYZER);
        Query text = builder.createBooleanQuery(IndexFields.TEXT, query);
        if (titleWeight <= 0) {
            return text;
        }
        Query title = builder.createBooleanQuery(IndexFields.TITLE, query);
        if (text == null || title == null) {
            return text;
        }
        return new BooleanQuery.Builder().add(text, BooleanClause.Occur.SHOULD)
                .add(new BoostQuery(title, titleWeight), BooleanClause.Occur.SHOULD).build();
    }

    /**
     * A retrieved chunk's stored fields as JSON (chunk id, document, text, position...), read through
     * {@code stored} ({@code snapshot.searcher().storedFields()}, taken once for all the hits of a search).
     */
    public static JsonObject chunk(StoredFields stored, int doc) throws IOException {
        return StoredChunks.toJson(stored.document(doc, StoredChunks.FIELDS));
    }

    /** A retrieved chunk's id, read alone. */
    public static String chunkId(StoredFields stored, int doc) throws IOException {
        return stored.document(doc, Set.of(IndexFields.CHUNK_ID)).get(IndexFields.CHUNK_ID);
    }

    /** Stored chunks by chunk id; ids the snapshot does not hold are left out. */
    public static JsonObject chunks(IndexSnapshot snap, List<String> ids) throws IOException {
        IndexSearcher searcher = snap.searcher();
        StoredFields stored = searcher.storedFields();
        JsonObject out = new JsonObject();
        for (String id : ids) {
            ScoreDoc[] hit = searcher.search(new TermQuery(new Term(IndexFields.CHUNK_ID, id)), 1).scoreDocs;
            if (hit.length > 0) {
                out.put(id, chunk(stored, hit[0].doc));
            }
        }
        return out;
    }
}
