package org.dindex.http;

import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * API-key checks. A key may come as {@code Authorization: Bearer KEY}, a bare {@code Authorization: KEY} (what the
 * Rust original's clients send), {@code X-API-Key: KEY}, or, for WebSocket upgrades only (browsers cannot set headers
 * there), an {@code api_key} query parameter. Comparison is constant-time so response timing tells nothing about a
 * key's prefix. Keys never appear in logs or error messages.
 */
final class ApiKeys {
    private final List<byte[]> keys;

    ApiKeys(List<String> keys) {
        this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    boolean required() {
        return !keys.isEmpty();
    }

    /** The outcome of checking a request: null when it may pass, else the problem in words. */
    String problem(HttpServerRequest request, boolean allowQueryParameter) {
        if (keys.isEmpty()) {
            return null;
        }
        String given = presented(request, allowQueryParameter);
        if (given == null || given.isEmpty()) {
            return "an API key is required (Authorization: Bearer KEY, or X-API-Key: KEY)";
        }
        byte[] bytes = given.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] key : keys) {
            ok |= MessageDigest.isEqual(key, bytes);
        }
        return ok ? null : "the API key is not valid";
    }

    private static String presented(HttpServerRequest request, boolean allowQueryParameter) {
        String auth = request.getHeader("Authorization");
        if (auth != null) {
            auth = auth.strip();
            return auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : auth;
        }
        String header = request.getHeader("X-API-Key");
        if (header != null) {
            return header.strip();
        }
        return allowQueryParameter ? request.getParam("api_key") : null;
    }
}
