package org.dindex.index;

import org.dindex.protocol.SearchFilters;
import org.apache.lucene.document.LongField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.BytesRef;

/**
 * Turns a request's {@link SearchFilters} into one Lucene filter query. It matches document records as well as chunks
 * (both carry source, ids, metadata and timestamps): every use pairs it with something only chunks have, the text
 * query for BM25 and the vector-ordinal doc values for dense search, so a {@code kind} clause would only slow the
 * conjunction down. Without filters it matches every chunk.
 */
final class FilterQueries {
    private FilterQueries() {
    }

    /** The request's filters restricted to the buckets {@code only} (a clustered search's shards). */
    static Query of(SearchFilters f, BucketRanges only) {
        if (only.isAll()) {
            return of(f);
        }
        return new BooleanQuery.Builder().add(of(f), BooleanClause.Occur.FILTER)
                .add(only.query(), BooleanClause.Occur.FILTER).build();
    }

    static Query of(SearchFilters f) {
        if (f.isEmpty()) {
            return new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK));
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        if (f.sourceUrlPrefix() != null) {
            b.add(new PrefixQuery(new Term(IndexFields.SOURCE, f.sourceUrlPrefix())), BooleanClause.Occur.FILTER);
        }
        if (!f.documentIds().isEmpty()) {
            b.add(new TermInSetQuery(IndexFields.DOC_ID, f.documentIds().stream().map(BytesRef::new).toList()),
                    BooleanClause.Occur.FILTER);
        }
        f.metadataEquals().forEach((k, v) -> b.add(new TermQuery(new Term(IndexFields.META, k + "=" + v)),
                BooleanClause.Occur.FILTER));
        f.metadataContains().forEach((k, v) -> b.add(new WildcardQuery(new Term(IndexFields.META,
                escape(k) + "=*" + escape(v) + "*")), BooleanClause.Occur.FILTER));
        f.metadataOneOf().forEach((k, values) -> b.add(new TermInSetQuery(IndexFields.META, values.stream()
                .map(v -> new BytesRef(k + "=" + v)).toList()), BooleanClause.Occur.FILTER));
        if (f.minTimestamp() != null || f.maxTimestamp() != null) {
            b.add(LongField.newRangeQuery(IndexFields.TIMESTAMP,
                    f.minTimestamp() == null ? Long.MIN_VALUE : f.minTimestamp(),
                    f.maxTimestamp() == null ? Long.MAX_VALUE : f.maxTimestamp()), BooleanClause.Occur.FILTER);
        }
        return b.build();
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?");
    }
}
