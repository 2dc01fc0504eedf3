package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A request to {@link Addresses#WATCH}: folders on the daemon's machine to keep in sync with the index, as a job that
 * runs until it is cancelled (and is resumed when the daemon starts again). Null fields are left out, and the daemon
 * uses its defaults (shown).
 *
 * @param paths     the folders, absolute (the daemon's working folder is not the caller's)
 * @param include   globs a file must match one of to be indexed (none: every file)
 * @param exclude   globs that skip files and folders (none)
 * @param hidden    also index hidden files and folders (false)
 * @param gitignore  skip what {@code .gitignore} files exclude (true)
 * @param collection the collection to keep them in; null: the default (or a {@code Dindex} view's)
 */
public record WatchRequest(List<String> paths, List<String> include, List<String> exclude, Boolean hidden,
                           Boolean gitignore, String collection) {
    public WatchRequest(List<String> paths, List<String> include, List<String> exclude, Boolean hidden,
                        Boolean gitignore) {
        this(paths, include, exclude, hidden, gitignore, null);
    }

    public WatchRequest inCollection(String collection) {
        return new WatchRequest(paths, include, exclude, hidden, gitignore, collection);
    }

    public WatchRequest {
        paths = List.copyOf(paths);
        include = include == null ? null : List.copyOf(include);
        exclude = exclude == null ? null : List.copyOf(exclude);
    }

    /** A watch of {@code folders} (made absolute) with the daemon's defaults. */
    public static WatchRequest of(List<Path> folders) {
        return new WatchRequest(folders.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList(), null,
                null, null, null);
    }

    public JsonObject toJson() {
        JsonObject body = new JsonObject().put("paths", new JsonArray(new ArrayList<>(paths)));
        if (include != null && !include.isEmpty()) {
            body.put("include", new JsonArray(new ArrayList<>(include)));
        }
        if (exclude != null && !exclude.isEmpty()) {
            body.put("exclude", new JsonArray(new ArrayList<>(exclude)));
        }
        if (hidden != null) {
            body.put("hidden", hidden);
        }
        if (gitignore != null) {
            body.put("gitignore", gitignore);
        }
        return CollectionNames.put(body, collection);
    }

    /** Reads what {@link #toJson} writes (lenient: the daemon validates requests itself). */
    public static WatchRequest fromJson(JsonObject body) {
        return new WatchRequest(SearchResult.strings(body.getJsonArray("paths")),
                body.getJsonArray("include") == null ? null : SearchResult.strings(body.getJsonArray("include")),
                body.getJsonArray("exclude") == null ? null : SearchResult.strings(body.getJsonArray("exclude")),
                body.getBoolean("hidden"), body.getBoolean("gitignore"), body.getString(CollectionNames.FIELD));
    }
}
