package org.dindex.index;

import org.apache.lucene.document.Document;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The documents an index snapshot holds under a source prefix, with their timestamps (for files: the modification
 * time they were indexed with). A watch compares them with the folder to find what changed while it was not
 * watching, without reading unchanged files again. Reads document records only (one per document, not per chunk).
 */
public final class IndexedSources {
    private IndexedSources() {
    }

    /** Source to timestamp (epoch milliseconds) of every document whose source starts with {@code prefix}. */
    public static Map<String, Long> timestamps(IndexSnapshot snapshot, String prefix) throws IOException {
        IndexSearcher searcher = new IndexSearcher(snapshot.searcher().getIndexReader());
        Query q = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)), BooleanClause.Occur.FILTER)
                .add(new PrefixQuery(new Term(IndexFields.SOURCE, prefix)), BooleanClause.Occur.FILTER)
                .build();
        Map<String, Long> out = new HashMap<>();
        StoredFields stored = searcher.storedFields();
        Set<String> fields = Set.of(IndexFields.SOURCE, IndexFields.TIMESTAMP);
        for (ScoreDoc sd : LuceneStore.allMatches(searcher, q)) {
            Document d = stored.document(sd.doc, fields);
            Long timestamp = StoredChunks.longValue(d, IndexFields.TIMESTAMP);
            out.put(d.get(IndexFields.SOURCE), timestamp == null ? 0 : timestamp);
        }
        return out;
    }
}
