package org.dindex.http.original;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes JSON into the test model of the Rust original's types ({@link OriginalApi}) as strictly as its clients do
 * (its Swift library's {@code Decodable} types, serde on the Rust side): every component is required and non-null
 * unless it is an {@link Optional}; {@code long} components take only whole JSON numbers that are not negative (the
 * original's integers are all unsigned: {@code 42.0} or {@code -1} fail, as they fail a {@code UInt64}); {@code double}
 * takes any number; strings, booleans, arrays and objects take only their own JSON type. Fields the model does not
 * name are ignored, as those clients ignore them: that is what lets our replies be a superset.
 */
public final class StrictJson {
    /** The only values a string component may take (an enum on the original's side). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD})
    public @interface OneOf {
        String[] value();
    }

    /** Why a value does not decode, with the JSON path of the offending field. */
    public static final class DecodeError extends RuntimeException {
        DecodeError(String path, String problem) {
            super(path + ": " + problem);
        }
    }

    private StrictJson() {
    }

    public static <R extends Record> R decode(Class<R> type, String json) {
        Object parsed;
        try {
            parsed = new JsonArray("[" + json + "]").getValue(0);
        } catch (RuntimeException e) {
            throw new DecodeError("$", "not JSON: " + e.getMessage());
        }
        return type.cast(value(type, parsed, "$"));
    }

    public static <R extends Record> R decode(Class<R> type, JsonObject json) {
        return type.cast(value(type, json, "$"));
    }

    private static Object value(Type type, Object json, String path) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type arg = p.getActualTypeArguments()[p.getActualTypeArguments().length - 1];
            if (raw == List.class) {
                if (!(json instanceof JsonArray array)) {
                    throw new DecodeError(path, "expected an array, got " + describe(json));
                }
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < array.size(); i++) {
                    out.add(required(arg, array.getValue(i), path + "[" + i + "]"));
                }
                return out;
            }
            if (raw == Map.class) {
                if (!(json instanceof JsonObject object)) {
                    throw new DecodeError(path, "expected an object, got " + describe(json));
                }
                Map<String, Object> out = new LinkedHashMap<>();
                for (String key : object.fieldNames()) {
                    out.put(key, required(arg, object.getValue(key), path + "." + key));
                }
                return out;
            }
            throw new IllegalArgumentException("unsupported model type " + type);
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            if (!(json instanceof String)) {
                throw new DecodeError(path, "expected a string, got " + describe(json));
            }
            return json;
        }
        if (c == boolean.class || c == Boolean.class) {
            if (!(json instanceof Boolean)) {
                throw new DecodeError(path, "expected true or false, got " + describe(json));
            }
            return json;
        }
        if (c == long.class || c == Long.class) {
            if (!(json instanceof Integer || json instanceof Long || json instanceof BigInteger)) {
                throw new DecodeError(path, "expected a whole number, got " + describe(json));
            }
            if (((Number) json).longValue() < 0 || json instanceof BigInteger b && b.bitLength() > 63) {
                throw new DecodeError(path, "expected an unsigned whole number, got " + json);
            }
            return ((Number) json).longValue();
        }
        if (c == double.class || c == Double.class) {
            if (!(json instanceof Number n)) {
                throw new DecodeError(path, "expected a number, got " + describe(json));
            }
            return n.doubleValue();
        }
        if (c.isRecord()) {
            if (!(json instanceof JsonObject object)) {
                throw new DecodeError(path, "expected an object, got " + describe(json));
            }
            RecordComponent[] components = c.getRecordComponents();
            Object[] args = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                RecordComponent rc = components[i];
                String field = path + "." + rc.getName();
                Object v = object.getValue(rc.getName());
                if (rc.getType() == Optional.class) {
                    Type inner = ((ParameterizedType) rc.getGenericType()).getActualTypeArguments()[0];
                    args[i] = v == null ? Optional.empty() : Optional.of(value(inner, v, field));
                } else {
                    if (!object.containsKey(rc.getName())) {
                        throw new DecodeError(field, "missing");
                    }
                    args[i] = required(rc.getGenericType(), v, field);
                }
                OneOf allowed = rc.getAnnotation(OneOf.class);
                Object decoded = args[i] instanceof Optional<?> o ? o.orElse(null) : args[i];
                if (allowed != null && decoded != null && !Arrays.asList(allowed.value()).contains(decoded)) {
                    throw new DecodeError(field, "expected one of " + Arrays.toString(allowed.value()) + ", got "
                            + decoded);
                }
            }
            try {
                var ctor = c.getDeclaredConstructor(Arrays.stream(components).map(RecordComponent::getType)
                        .toArray(Class<?>[]::new));
                ctor.setAccessible(true);
                return ctor.newInstance(args);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalArgumentException("unsupported model type " + type);
    }

    private static Object required(Type type, Object json, String path) {
        if (json == null) {
            throw new DecodeError(path, "null where a value is required");
        }
        return value(type, json, path);
    }

    private static String describe(Object json) {
        if (json == null) {
            return "null";
        }
        if (json instanceof Double || json instanceof Float) {
            return "the fractional number " + json;
        }
        return "the " + json.getClass().getSimpleName().replace("JsonObject", "object")
                .replace("JsonArray", "array").toLowerCase(java.util.Locale.ROOT) + " " + json;
    }
}
