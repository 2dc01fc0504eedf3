package org.dindex.index;

import org.apache.lucene.document.IntField;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;

import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;

/**
 * A part of the document-hash space ({@link DocumentIds#bucket}): the shards a cluster member answers for, or copies
 * to another member. A member may hold documents of shards it does not serve (a copy being filled, one left over
 * after its shard moved), so a clustered search reads only the ranges the coordinator assigns it.
 *
 * @param ranges bucket ranges, each {@code [from, to)}; {@link #ALL} is the whole space
 */
public record BucketRanges(List<Range> ranges) {
    /** Buckets {@code from} (inclusive) to {@code to} (exclusive). */
    public record Range(int from, int to) {
        public Range {
            if (from < 0 || to > DocumentIds.BUCKETS || from > to) {
                throw new IllegalArgumentException("bad bucket range [" + from + ", " + to + ")");
            }
        }
    }

    public static final BucketRanges ALL = new BucketRanges(List.of(new Range(0, DocumentIds.BUCKETS)));

    public BucketRanges {
        ranges = List.copyOf(ranges);
    }

    public boolean isAll() {
        return ranges.size() == 1 && ranges.get(0).from() == 0 && ranges.get(0).to() == DocumentIds.BUCKETS;
    }

    public boolean contains(int bucket) {
        for (Range r : ranges) {
            if (bucket >= r.from() && bucket < r.to()) {
                return true;
            }
        }
        return false;
    }

    /** {@code [[from, to], ...]}, as members send it to each other. */
    public JsonArray toJson() {
        JsonArray out = new JsonArray();
        ranges.forEach(r -> out.add(new JsonArray().add(r.from()).add(r.to())));
        return out;
    }

    /** Reads {@link #toJson}; null reads as {@link #ALL}. */
    public static BucketRanges fromJson(JsonArray json) {
        if (json == null) {
            return ALL;
        }
        List<Range> out = new ArrayList<>();
        for (Object o : json) {
            JsonArray pair = (JsonArray) o;
            out.add(new Range(pair.getInteger(0), pair.getInteger(1)));
        }
        return new BucketRanges(out);
    }

    /** Matches documents (chunks and records) whose bucket lies in a range; nothing when there is none. */
    public Query query() {
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        for (Range r : ranges) {
            if (r.to() > r.from()) {
                b.add(IntField.newRangeQuery(IndexFields.BUCKET, r.from(), r.to() - 1), BooleanClause.Occur.SHOULD);
            }
        }
        return b.setMinimumNumberShouldMatch(1).build();
    }
}
