package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A request to {@link Addresses#IMPORT}: a MediaWiki XML dump or a JSONL file on the daemon's machine. Null fields
 * are left out, and the daemon uses its defaults (shown).
 *
 * @param path       the file, absolute (the daemon's working folder is not the caller's)
 * @param format     wikipedia-xml or jsonl (from the file name: *.jsonl[.gz] and *.ndjson are jsonl)
 * @param namespaces MediaWiki namespaces to import ([0], articles only)
 * @param maxDocs    stop after importing this many documents (0: no limit)
 * @param minLength  skip articles shorter than this many characters of clean text (200 for dumps, 0 for JSONL)
 * @param resume     the id of an interrupted, cancelled or failed import of the same file to continue
 * @param collection the collection to import into; null: the default (or a {@code Dindex} view's)
 */
public record ImportRequest(String path, String format, List<Integer> namespaces, Long maxDocs, Integer minLength,
                            String resume, String collection) {
    public ImportRequest(String path, String format, List<Integer> namespaces, Long maxDocs, Integer minLength,
                         String resume) {
        this(path, format, namespaces, maxDocs, minLength, resume, null);
    }

    public ImportRequest {
        namespaces = namespaces == null ? null : List.copyOf(namespaces);
    }

    /** An import of {@code file} (made absolute) with the daemon's defaults. */
    public static ImportRequest of(Path file) {
        return new ImportRequest(file.toAbsolutePath().normalize().toString(), null, null, null, null, null, null);
    }

    public ImportRequest inCollection(String collection) {
        return new ImportRequest(path, format, namespaces, maxDocs, minLength, resume, collection);
    }

    public JsonObject toJson() {
        JsonObject body = new JsonObject().put("path", path);
        if (format != null) {
            body.put("format", format);
        }
        if (namespaces != null) {
            body.put("namespaces", new JsonArray(new ArrayList<>(namespaces)));
        }
        if (maxDocs != null) {
            body.put("max_docs", maxDocs);
        }
        if (minLength != null) {
            body.put("min_length", minLength);
        }
        if (resume != null) {
            body.put("resume", resume);
        }
        return CollectionNames.put(body, collection);
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static ImportRequest fromJson(JsonObject body) {
        List<Integer> namespaces = null;
        if (body.getJsonArray("namespaces") != null) {
            namespaces = new ArrayList<>();
            for (Object o : body.getJsonArray("namespaces")) {
                namespaces.add(((Number) o).intValue());
            }
        }
        return new ImportRequest(body.getString("path"), body.getString("format"), namespaces,
                body.getLong("max_docs"), body.getInteger("min_length"), body.getString("resume"),
                body.getString(CollectionNames.FIELD));
    }
}
