package org.dindex.http;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Real HTTP requests to a daemon for the HTTP tests. Every JSON response it receives is checked against the OpenAPI
 * document the daemon serves ({@link OpenApiCheck}): a response the document does not describe fails the test that
 * received it, so the document stays true for every route the tests exercise.
 */
final class ApiClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Reply(int status, String body, HttpHeaders headers) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private final String base;
    private final String key;

    /** {@code key} goes in {@code Authorization: Bearer} by {@link #api}; null for a daemon without keys. */
    ApiClient(String base, String key) {
        this.base = base;
        this.key = key;
    }

    String base() {
        return base;
    }

    Reply send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Reply reply = new Reply(r.statusCode(), r.body(), r.headers());
        OpenApiCheck.verify(method, path, reply);
        return reply;
    }

    /** A request with the key, and a JSON body when one is given (none at all otherwise, as curl sends it). */
    Reply api(String method, String path, JsonObject body) throws Exception {
        String[] auth = key == null ? new String[0] : new String[] {"Authorization", "Bearer " + key};
        if (body == null) {
            return send(method, path, null, auth);
        }
        String[] headers = java.util.Arrays.copyOf(auth, auth.length + 2);
        headers[auth.length] = "Content-Type";
        headers[auth.length + 1] = "application/json";
        return send(method, path, body.encode(), headers);
    }
}
