package org.dindex.index;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.TopDocs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Documents read back whole from a snapshot: what a cluster member sends to fill another member's copy of a shard.
 * A copy is compared document by document ({@link #list}: id, content hash and indexing time, in id order) and the
 * documents that differ are sent as they are stored ({@link #read}: records with their chunks and vectors), so the
 * receiving member writes exactly what the source holds and embeds nothing.
 */
public final class StoredDocuments {
    private StoredDocuments() {
    }

    /** What identifies a document's version: equal entries hold equal chunks. */
    public record Entry(String docId, String contentHash, long indexedAt) {
    }

    private static final Set<String> ENTRY_FIELDS = Set.of(IndexFields.DOC_ID, IndexFields.CONTENT_HASH,
            IndexFields.INDEXED_AT);

    /** How many documents (not chunks) lie in {@code only}'s buckets. */
    public static int count(IndexSnapshot snap, BucketRanges only) throws IOException {
        return snap.searcher().count(new BooleanQuery.Builder()
                .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)), BooleanClause.Occur.FILTER)
                .add(only.query(), BooleanClause.Occur.FILTER).build());
    }

    /** Up to {@code limit} documents in {@code only}'s buckets with ids after {@code after} (null: from the first). */
    public static List<Entry> list(IndexSnapshot snap, BucketRanges only, String after, int limit)
            throws IOException {
        IndexSearcher s = snap.searcher();
        BooleanQuery.Builder q = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)), BooleanClause.Occur.FILTER)
                .add(only.query(), BooleanClause.Occur.FILTER);
        if (after != null) {
            q.add(TermRangeQuery.newStringRange(IndexFields.DOC_ID, after, null, false, false),
                    BooleanClause.Occur.FILTER);
        }
        TopDocs top = s.search(q.build(), limit, new Sort(new SortField(IndexFields.RECORD_ORDER, SortField.Type.STRING)));
        StoredFields stored = s.storedFields();
        List<Entry> out = new ArrayList<>(top.scoreDocs.length);
        for (ScoreDoc sd : top.scoreDocs) {
            Document d = stored.document(sd.doc, ENTRY_FIELDS);
            Long at = StoredChunks.longValue(d, IndexFields.INDEXED_AT);
            out.add(new Entry(d.get(IndexFields.DOC_ID), d.get(IndexFields.CONTENT_HASH), at == null ? 0 : at));
        }
        return out;
    }

    /** The documents with these ids as stored, in the given order; ids the snapshot does not hold are left out. */
    public static List<DocumentRecord> read(IndexSnapshot snap, List<String> docIds) throws IOException {
        IndexSearcher s = snap.searcher();
        StoredFields stored = s.storedFields();
        List<DocumentRecord> out = new ArrayList<>();
        for (String docId : docIds) {
            TopDocs record = s.search(byKind(IndexFields.KIND_DOC, docId), 1);
            if (record.scoreDocs.length == 0) {
                continue;
            }
            Document r = stored.document(record.scoreDocs[0].doc);
            ScoreDoc[] chunkDocs = LuceneStore.allMatches(s, byKind(IndexFields.KIND_CHUNK, docId));
            int[] ids = new int[chunkDocs.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = chunkDocs[i].doc;
            }
            float[][] vectors = snap.vectors(ids);
            List<ChunkRecord> chunks = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                if (vectors[i] == null) {
                    continue;  // unsearchable by vector anyway (check reports such chunks)
                }
                Document c = stored.document(ids[i]);
                String section = c.get(IndexFields.SECTION);
                chunks.add(new ChunkRecord(c.get(IndexFields.CHUNK_ID), number(c, IndexFields.ORDINAL),
                        orEmpty(c.get(IndexFields.TEXT)), section == null || section.isEmpty() ? List.of()
                        : List.of(section.split(IndexFields.SECTION_SEPARATOR, -1)),
                        c.getField(IndexFields.POSITION) == null ? 0
                                : c.getField(IndexFields.POSITION).numericValue().doubleValue(),
                        number(c, IndexFields.TOKENS), vectors[i]));
            }
            chunks.sort(Comparator.comparingInt(ChunkRecord::ordinal));
            Map<String, String> metadata = new HashMap<>();
            try {
                String json = r.get(IndexFields.METADATA);
                new JsonObject(json == null ? "{}" : json).forEach(e -> metadata.put(e.getKey(),
                        String.valueOf(e.getValue())));
            } catch (DecodeException unreadable) {
                // the document keeps everything else
            }
            Long timestamp = StoredChunks.longValue(r, IndexFields.TIMESTAMP);
            Long indexedAt = StoredChunks.longValue(r, IndexFields.INDEXED_AT);
            out.add(new DocumentRecord(docId, orEmpty(r.get(IndexFields.SOURCE)), r.get(IndexFields.RECORD_TITLE),
                    r.get(IndexFields.URL), orEmpty(r.get(IndexFields.CONTENT_HASH)), metadata,
                    timestamp == null ? 0 : timestamp, indexedAt == null ? 0 : indexedAt, chunks));
        }
        return out;
    }

    private static Query byKind(String kind, String docId) {
        return new BooleanQuery.Builder()
                .add(new TermQuery(new Term(IndexFields.KIND, kind)), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(IndexFields.DOC_ID, docId)), BooleanClause.Occur.FILTER).build();
    }

    private static int number(Document d, String field) {
        Long v = StoredChunks.longValue(d, field);
        return v == null ? 0 : v.intValue();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
