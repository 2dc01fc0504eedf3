package org.dindex.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks HTTP responses against the daemon's OpenAPI document (the resource it serves at
 * {@code /api/v1/openapi.json}), with a JSON Schema validator in the OpenAPI 3.1 dialect. Every response
 * {@link ApiClient} receives passes through {@link #verify}: the route and method must be documented (an
 * undocumented {@code /api/v1} route that answers anything but 404 fails), the status must be documented for the
 * operation (or covered by {@code default}), and a JSON body must validate against the schema of that response.
 */
public final class OpenApiCheck {
    private static final String BASE = "https://dindex.invalid/openapi.json";
    private static final JsonNode DOCUMENT;
    private static final SchemaRegistry REGISTRY;
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();
    private static final List<Map.Entry<Pattern, String>> PATHS;
    /** Responses checked, for the test that makes sure the check ran. */
    static final java.util.concurrent.atomic.AtomicLong CHECKED = new java.util.concurrent.atomic.AtomicLong();

    static {
        try {
            String text = HttpVerticle.openApiDocument().toString();
            DOCUMENT = new ObjectMapper().readTree(text);
            REGISTRY = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                    b -> b.schemas(Map.of(BASE, text)));
            java.util.ArrayList<Map.Entry<Pattern, String>> paths = new java.util.ArrayList<>();
            for (Iterator<String> it = DOCUMENT.get("paths").fieldNames(); it.hasNext(); ) {
                String template = it.next();
                paths.add(Map.entry(Pattern.compile(template.replaceAll("\\{[^}]+}", "[^/]+")), template));
            }
            PATHS = List.copyOf(paths);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private OpenApiCheck() {
    }

    /** The parsed document. */
    public static JsonNode document() {
        return DOCUMENT;
    }

    /** Fails (AssertionError) when the response is not what the document says this route answers. */
    static void verify(String method, String pathAndQuery, ApiClient.Reply reply) {
        verify(method, pathAndQuery, reply.status(), reply.headers().firstValue("Content-Type").orElse(""),
                reply.body());
    }

    /** A whole raw HTTP/1.1 response (status line, headers, body; chunked or not), as a socket received it. */
    static void verifyRaw(String method, String pathAndQuery, String raw) {
        int end = raw.indexOf("\r\n\r\n");
        if (!raw.startsWith("HTTP/1.1 ") || end < 0) {
            return;  // no response (the server closed the connection): nothing to check
        }
        String[] head = raw.substring(0, end).split("\r\n");
        int status = Integer.parseInt(head[0].substring(9, 12));
        String type = "";
        boolean chunked = false;
        for (String h : head) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-type:")) {
                type = h.substring(13).strip();
            }
            chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
        }
        String body = raw.substring(end + 4);
        if (chunked) {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < body.length()) {
                int eol = body.indexOf("\r\n", i);
                int n = Integer.parseInt(body.substring(i, eol).strip(), 16);
                if (n == 0) {
                    break;
                }
                out.append(body, eol + 2, eol + 2 + n);
                i = eol + 2 + n + 2;
            }
            body = out.toString();
        }
        verify(method, pathAndQuery, status, type, body);
    }

    public static void verify(String method, String pathAndQuery, int statusCode, String contentType, String body) {
        String path = pathAndQuery.replaceFirst("[?#].*", "");
        if (method.equals("OPTIONS")) {
            return;  // CORS preflights are answered by the CORS handler, before any route
        }
        String template = template(path);
        String type = contentType.toLowerCase(Locale.ROOT);
        if (template == null || DOCUMENT.at(pointer("paths", template, method.toLowerCase(Locale.ROOT)))
                .isMissingNode()) {
            if (!path.startsWith("/api/v1/") || statusCode == 404 || statusCode == 401
                    || statusCode == 421) {
                // Static files, /ws, and errors of routes that do not exist (or are refused before routing)
                if (type.startsWith("application/json")) {
                    validate("#/components/schemas/Error", body, method + " " + path);
                }
                return;
            }
            throw new AssertionError(method + " " + path + " answered " + statusCode
                    + " but the OpenAPI document does not describe it");
        }
        String operation = pointer("paths", template, method.toLowerCase(Locale.ROOT), "responses");
        String status = String.valueOf(statusCode);
        String response = operation + "/" + status;
        if (DOCUMENT.at(response).isMissingNode()) {
            response = operation + "/default";
            if (DOCUMENT.at(response).isMissingNode()) {
                throw new AssertionError(method + " " + template + " answered " + status
                        + ", which the OpenAPI document does not list for it");
            }
        }
        JsonNode node = DOCUMENT.at(response);
        if (node.has("$ref")) {
            response = node.get("$ref").asText().substring(1);
            node = DOCUMENT.at(response);
        }
        String media = type.replaceFirst(";.*", "").strip();
        if (!node.has("content") || node.get("content").has(media)) {
            if (media.equals("application/json")) {
                validate("#" + response + pointer("content", media, "schema"), body,
                        method + " " + path + " " + status);
            }
            CHECKED.incrementAndGet();
            return;
        }
        throw new AssertionError(method + " " + template + " " + status + " answered " + media
                + ", which the OpenAPI document does not list for it");
    }

    /** Validates the data of one server-sent event against the component schema of its kind. */
    static void verifyEvent(String schemaName, String data) {
        validate("#/components/schemas/" + schemaName, data, "event " + schemaName);
        CHECKED.incrementAndGet();
    }

    static void validate(String fragment, String json, String what) {
        Schema schema = SCHEMAS.computeIfAbsent(fragment, f -> REGISTRY.getSchema(SchemaLocation.of(BASE + f)));
        List<Error> errors = schema.validate(json, InputFormat.JSON);
        if (!errors.isEmpty()) {
            throw new AssertionError(what + " does not match the OpenAPI document (" + fragment + "): " + errors
                    + "\n" + (json.length() > 2000 ? json.substring(0, 2000) + "..." : json));
        }
    }

    static String template(String path) {
        for (Map.Entry<Pattern, String> e : PATHS) {
            if (e.getKey().matcher(path).matches()) {
                return e.getValue();
            }
        }
        return null;
    }

    /** A JSON pointer (RFC 6901) from its segments: "/" and "~" escaped. */
    static String pointer(String... segments) {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            sb.append('/').append(s.replace("~", "~0").replace("/", "~1"));
        }
        return sb.toString();
    }
}
