package org.dindex.search;

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
import org.dindex.index.IndexFields;

/** Turns {@link SearchRequest.Filters} into one Lucene filter query over chunk documents. */
final class FilterQueries {
    private FilterQueries() {
    }

    static Query of(SearchRequest.Filters f) {
        BooleanQuery.Builder b = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)), BooleanClause.Occur.FILTER);
        if (f.sourcePrefix() != null) {
            b.add(new PrefixQuery(new Term(IndexFields.SOURCE, f.sourcePrefix())), BooleanClause.Occur.FILTER);
        }
        if (!f.documentIds().isEmpty()) {
            b.add(new TermInSetQuery(IndexFields.DOC_ID, f.documentIds().stream().map(BytesRef::new).toList()),
                    BooleanClause.Occur.FILTER);
        }
        f.metadataEquals().forEach((k, v) -> b.add(new TermQuery(new Term(IndexFields.META, k + "=" + v)),
                BooleanClause.Occur.FILTER));
        f.metadataContains().forEach((k, v) -> b.add(new WildcardQuery(new Term(IndexFields.META,
                escape(k) + "=*" + escape(v) + "*")), BooleanClause.Occur.FILTER));
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
