package org.dindex.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Names a JSON value by its type for error messages, so that "must be an integer, got the string \"5\"" tells a
 * client what it sent: printing the value alone ({@code got 5}) hides that it was a string.
 */
public final class JsonTypes {
    private JsonTypes() {
    }

    /** E.g. {@code the string "5"}, {@code the number 5}, {@code an object}, {@code an array}, {@code null}. */
    public static String describe(Object value) {
        return switch (value) {
            case null -> "null";
            case String s -> "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
            case Number n -> "the number " + n;
            case Boolean b -> "the boolean " + b;
            case JsonObject ignored -> "an object";
            case Map<?, ?> ignored -> "an object";
            case JsonArray ignored -> "an array";
            case List<?> ignored -> "an array";
            default -> value.getClass().getSimpleName();
        };
    }

    /**
     * The boolean {@code body} holds under {@code key}, {@code fallback} when absent or null; any other type is a
     * {@code bad_request} naming the key and what was sent.
     */
    public static boolean bool(JsonObject body, String key, boolean fallback) {
        Object v = body.getValue(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw DindexException.badRequest("'" + key + "' must be true or false, got " + describe(v));
        }
        return b;
    }
}
