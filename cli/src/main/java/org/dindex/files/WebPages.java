package org.dindex.files;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ScrapeRequest;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Single web pages to index ({@code dindex index URL}, the MCP {@code index} tool). Why no fetching here: the
 * daemon's scraper already has the fetcher, the content types (HTML, PDF, text), robots.txt and the address policy
 * (no link-local or metadata addresses, private ones only when allowed, checked on every redirect); a scrape job of
 * depth 0 runs all of it for just the given pages. Redirects to another host are followed (under the same policy),
 * since a page that moved is still the page asked for; links never are.
 */
public final class WebPages {
    private WebPages() {
    }

    /** Whether an argument names a web page rather than a file: it starts with {@code http://} or {@code https://}. */
    public static boolean isUrl(String argument) {
        String lower = argument.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    /**
     * The {@code dindex.scrape} request that fetches and indexes exactly these pages.
     *
     * @throws DindexException (bad request) naming the first argument that is not an http(s) URL with a host
     */
    public static ScrapeRequest scrapeRequest(List<String> urls) {
        List<String> checked = new ArrayList<>();
        for (String url : urls) {
            try {
                URI uri = new URI(url);
                if (!isUrl(url) || uri.getHost() == null) {
                    throw DindexException.badRequest("not an http(s) URL with a host: " + url);
                }
            } catch (URISyntaxException e) {
                throw DindexException.badRequest("not a valid URL: " + url + " (" + e.getReason() + ")");
            }
            if (!checked.contains(url)) {
                checked.add(url);
            }
        }
        return ScrapeRequest.pagesOnly(checked);
    }

    /**
     * What became of each page, from the job's item events ({@code dindex.jobs.get} with events): the last outcome
     * per URL (indexed, skipped or failed), in the order they ended.
     */
    public static JsonArray outcomes(List<JsonObject> events) {
        Map<String, JsonObject> last = new LinkedHashMap<>();
        for (JsonObject item : events) {
            JsonObject e = item.getJsonObject("event", item);
            String kind = e.getString("kind", "");
            if (kind.equals("indexed") || kind.equals("skipped") || kind.equals("failed")) {
                JsonObject outcome = new JsonObject().put("url", e.getString("url")).put("status", kind);
                if (e.getValue("reason") != null) {
                    outcome.put("reason", e.getString("reason"));
                }
                if (kind.equals("indexed")) {
                    outcome.put("chunks", e.getInteger("chunks", 0));
                    if (e.getString("title") != null) {
                        outcome.put("title", e.getString("title"));
                    }
                }
                last.remove(e.getString("url"));
                last.put(e.getString("url"), outcome);
            }
        }
        return new JsonArray(new ArrayList<>(last.values()));
    }
}
