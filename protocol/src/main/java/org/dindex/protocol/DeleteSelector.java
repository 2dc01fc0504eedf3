package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A request to {@link Addresses#DELETE}: exactly one selector, the documents with these ids ({@code doc_ids}) or
 * every document whose source (absolute path or URL) starts with a prefix ({@code source_prefix}). The daemon
 * refuses both, neither, or an empty prefix (everything is {@link Addresses#CLEAR}).
 *
 * @param documentIds  the documents' ids; null when selecting by prefix
 * @param sourcePrefix the sources' common start; null when selecting by id
 * @param collection   the collection to delete from; null: the default (or a {@code Dindex} view's)
 */
public record DeleteSelector(List<String> documentIds, String sourcePrefix, String collection) {
    public DeleteSelector(List<String> documentIds, String sourcePrefix) {
        this(documentIds, sourcePrefix, null);
    }

    public DeleteSelector {
        if ((documentIds == null) == (sourcePrefix == null)) {
            throw new IllegalArgumentException("give exactly one of documentIds or sourcePrefix");
        }
        documentIds = documentIds == null ? null : List.copyOf(documentIds);
    }

    public static DeleteSelector documents(List<String> ids) {
        return new DeleteSelector(ids, null);
    }

    public static DeleteSelector sourcePrefix(String prefix) {
        return new DeleteSelector(null, prefix);
    }

    /** The same selection in {@code collection}. */
    public DeleteSelector inCollection(String collection) {
        return new DeleteSelector(documentIds, sourcePrefix, collection);
    }

    public JsonObject toJson() {
        return CollectionNames.put(documentIds != null
                ? new JsonObject().put("doc_ids", new JsonArray(new ArrayList<>(documentIds)))
                : new JsonObject().put("source_prefix", sourcePrefix), collection);
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static DeleteSelector fromJson(JsonObject body) {
        JsonArray ids = body.getJsonArray("doc_ids");
        return (ids != null ? documents(SearchResult.strings(ids)) : sourcePrefix(body.getString("source_prefix")))
                .inCollection(body.getString(CollectionNames.FIELD));
    }
}
