package org.dindex.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.JsonTypes;

import java.util.Map;

/**
 * Requests in the Rust original's shape, rewritten into ours before they go to the bus, so its clients need no
 * change. Each rewrite refuses a request that says the same thing twice (once in each shape) rather than silently
 * picking one.
 */
final class OriginalRequests {
    /** The original's scrape {@code options} and the names of our fields they set. */
    private static final Map<String, String> SCRAPE_OPTIONS = Map.of("max_depth", "depth",
            "stay_on_domain", "stay_on_domain", "delay_ms", "delay_ms", "max_pages", "max_pages");

    private OriginalRequests() {
    }

    /**
     * {@code POST /scrape}: the original nests {@code max_depth}, {@code stay_on_domain}, {@code delay_ms} and
     * {@code max_pages} in {@code options}; ours has them at the top ({@code depth} for {@code max_depth}).
     */
    static JsonObject scrape(JsonObject body) {
        if (!body.containsKey("options")) {
            return body;
        }
        if (!(body.getValue("options") instanceof JsonObject options)) {
            throw DindexException.badRequest("'options' must be an object of max_depth, stay_on_domain, delay_ms and"
                    + " max_pages, got " + JsonTypes.describe(body.getValue("options")));
        }
        JsonObject out = body.copy();
        out.remove("options");
        for (String key : options.fieldNames()) {
            String ours = SCRAPE_OPTIONS.get(key);
            if (ours == null) {
                throw DindexException.badRequest("unknown scrape option '" + key + "' (known: delay_ms, max_depth,"
                        + " max_pages, stay_on_domain)");
            }
            if (body.containsKey(ours)) {
                throw DindexException.badRequest("'" + ours + "' is given twice: at the top and as options." + key
                        + "; give it once");
            }
            out.put(ours, options.getValue(key));
        }
        return out;
    }

    /** A topics request rewritten for the bus, and whether the reply should carry document summaries. */
    record Topics(JsonObject busRequest, boolean includeSummaries) {
    }

    /**
     * {@code POST /topics} (the original's {@code POST /cluster}): the original sends {@code document_urls}, {@code max_clusters} (default 10, at least 1)
     * and {@code include_summaries} (default true); ours {@code urls} and {@code k}. The original's
     * {@code max_clusters} is a ceiling, so k is the usual choice for that many documents (about sqrt(n/2)), capped
     * by it.
     */
    static Topics topics(JsonObject body) {
        boolean original = body.containsKey("document_urls") || body.containsKey("max_clusters")
                || body.containsKey("include_summaries");
        if (!original) {
            return new Topics(body, true);
        }
        for (String ours : new String[] {"urls", "k"}) {
            if (body.containsKey(ours)) {
                throw DindexException.badRequest("give either 'document_urls' and 'max_clusters' or 'urls' and 'k',"
                        + " not both ('" + ours + "' was given with the other shape)");
            }
        }
        if (!(body.getValue("document_urls") instanceof JsonArray urls) || urls.isEmpty()) {
            throw DindexException.badRequest("'document_urls' must be a non-empty array of document URLs, got "
                    + JsonTypes.describe(body.getValue("document_urls")));
        }
        Object max = body.getValue("max_clusters", 10);
        if (!(max instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < 1) {
            throw DindexException.badRequest("'max_clusters' must be a whole number of at least 1, got "
                    + JsonTypes.describe(max));
        }
        Object summaries = body.getValue("include_summaries", true);
        if (!(summaries instanceof Boolean include)) {
            throw DindexException.badRequest("'include_summaries' must be true or false, got "
                    + JsonTypes.describe(summaries));
        }
        long distinct = urls.stream().distinct().count();
        long k = Math.min(n.longValue(), Math.max(1, Math.round(Math.sqrt(distinct / 2.0))));
        JsonObject request = new JsonObject().put("urls", urls).put("k", k);
        if (body.getValue("collection") != null) {
            request.put("collection", body.getValue("collection"));
        }
        return new Topics(request, include);
    }
}
