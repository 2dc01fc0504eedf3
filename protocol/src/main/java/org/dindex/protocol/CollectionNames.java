package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Collection names and the {@code collection} field every request that touches an index may carry (absent: the
 * {@value #DEFAULT} collection). A search or context request may instead name several in {@code collections}.
 * The one place the naming rule and its message are written.
 */
public final class CollectionNames {
    private CollectionNames() {
    }

    /** The collection that exists from the start and that requests without a {@code collection} address. */
    public static final String DEFAULT = "default";
    /** The request field naming one collection. */
    public static final String FIELD = "collection";
    /** The search and context field naming several collections, searched together and fused once. */
    public static final String MANY = "collections";
    public static final int MAX_LENGTH = 64;
    /** Collections one search may name. */
    public static final int MAX_PER_SEARCH = 16;
    /** The rule, as error messages state it. */
    public static final String RULE = "lower-case letters, digits, '-' and '_', at most " + MAX_LENGTH
            + " characters";

    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1," + MAX_LENGTH + "}");

    /** Whether {@code name} follows the rule. */
    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * {@code value} as a collection name.
     *
     * @throws DindexException {@link ErrorCode#BAD_REQUEST} naming the value and the rule
     */
    public static String check(Object value) {
        if (!(value instanceof String s)) {
            throw DindexException.badRequest("a collection name must be a string of " + RULE + ", got "
                    + JsonTypes.describe(value));
        }
        if (!valid(s)) {
            throw DindexException.badRequest("invalid collection name '" + abbreviate(s) + "': use " + RULE);
        }
        return s;
    }

    /** The collection a request addresses: its {@code collection} field (checked), else {@value #DEFAULT}. */
    public static String of(JsonObject body) {
        Object value = body == null ? null : body.getValue(FIELD);
        return value == null ? DEFAULT : check(value);
    }

    /**
     * The collections a search or context request names: {@code collections} (checked, duplicates dropped, at
     * least one), else its one {@code collection}, else {@value #DEFAULT}. Naming both is refused.
     */
    public static List<String> many(JsonObject body) {
        Object value = body == null ? null : body.getValue(MANY);
        if (value == null) {
            return List.of(of(body));
        }
        if (body.getValue(FIELD) != null) {
            throw DindexException.badRequest("give 'collection' or 'collections', not both");
        }
        if (!(value instanceof JsonArray array) || array.isEmpty()) {
            throw DindexException.badRequest("'collections' must be a non-empty array of collection names, got "
                    + JsonTypes.describe(value));
        }
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (Object o : array) {
            names.add(check(o));
        }
        if (names.size() > MAX_PER_SEARCH) {
            throw DindexException.badRequest("'collections' names " + names.size() + " collections, the limit is "
                    + MAX_PER_SEARCH);
        }
        return List.copyOf(names);
    }

    /** Adds {@code collection} to {@code body} when it is not null; returns {@code body}. */
    public static JsonObject put(JsonObject body, String collection) {
        if (collection != null) {
            body.put(FIELD, collection);
        }
        return body;
    }

    /** Adds one collection as {@code collection}, several as {@code collections}, none as nothing. */
    public static JsonObject putMany(JsonObject body, List<String> collections) {
        if (collections == null || collections.isEmpty()) {
            return body;
        }
        return collections.size() == 1 ? body.put(FIELD, collections.get(0))
                : body.put(MANY, new JsonArray(new ArrayList<>(collections)));
    }

    /** Reads what {@link #putMany} writes; null when the body names none. */
    public static List<String> readMany(JsonObject body) {
        if (body.getJsonArray(MANY) != null) {
            return SearchResult.strings(body.getJsonArray(MANY));
        }
        return body.getString(FIELD) == null ? null : List.of(body.getString(FIELD));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
