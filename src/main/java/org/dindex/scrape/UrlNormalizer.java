package org.dindex.scrape;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import crawlercommons.filters.basic.BasicURLNormalizer;

/**
 * One spelling per page: the crawler compares, deduplicates and reports URLs only in the form produced here.
 *
 * <p>Why normalise: the same page is linked as {@code HTTP://Example.com:80/a?b=2&a=1#top} and
 * {@code http://example.com/a?a=1&b=2}; without one canonical form the crawler would fetch and index it twice, and
 * politeness and robots.txt bookkeeping (keyed by host and origin) would be split across spellings.
 *
 * <p>The form: scheme and host lower-case (international host names in their ASCII form), default port dropped,
 * no user info, no fragment, an empty path becomes "/", dot segments ("." and "..") resolved, percent escapes with
 * upper-case hex and unreserved characters unescaped, query parameters sorted (by name, then value) with empty
 * ones dropped, path case kept (paths are case-sensitive on most servers). Characters that may not appear in a URL
 * (spaces, non-ASCII) are percent-encoded as UTF-8, as browsers do. Only http and https are accepted: other
 * schemes (mailto, javascript, ftp, data) are not crawlable.
 *
 * <p>crawler-commons' {@link BasicURLNormalizer} does the scheme, host, port, path and escape work. Kept here,
 * where it does worse (crawler-commons 1.6):
 * <ul>
 *   <li>The query: it sorts parameters by name only (so "tag=b&amp;tag=a" stays apart from "tag=a&amp;tag=b"),
 *       and when it decodes an escape in the path ("%7e") it cuts the query at the wrong place ("/~?q=%C3%A9"
 *       becomes "/~?q?%C3%A9"). So the query is split off before and sorted here; its escapes go through the
 *       library's own escapePath and unescapePath (a backslash, which escapePath leaves and java.net.URI
 *       refuses, becomes %5C).</li>
 *   <li>IPv6 literals: it refuses "http://[::1]:8080/", so the bracketed host stands aside while it works.</li>
 *   <li>Backslashes in the path become slashes, as browsers do; the library refuses such URLs.</li>
 *   <li>Checks: it accepts a missing host, a port over 65535 and any scheme, which the crawler must not.</li>
 * </ul>
 */
public final class UrlNormalizer {
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Pattern HOST_CHARS = Pattern.compile("[a-z0-9._-]+");
    /** A bracketed IPv6 host after the scheme and any user info. */
    private static final Pattern IPV6 = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?@]*@)?(\\[[^\\]/]*\\])");
    private static final BasicURLNormalizer BASIC = new BasicURLNormalizer();
    /** Stands in for an IPv6 literal while BasicURLNormalizer works ("invalid" is a reserved top-level name). */
    private static final String IPV6_STAND_IN = "ipv6-literal.invalid";

    private UrlNormalizer() {
    }

    /**
     * The canonical form of an absolute http(s) URL.
     *
     * @throws IllegalArgumentException naming the problem: not absolute, unsupported scheme, missing or invalid host,
     *                                  invalid port or syntax
     */
    public static String normalize(String url) {
        if (url == null) {
            throw new IllegalArgumentException("URL is missing");
        }
        String cleaned = clean(url);
        if (cleaned.isEmpty()) {
            throw new IllegalArgumentException("URL is empty");
        }
        if (!SCHEME.matcher(cleaned).find()) {
            throw new IllegalArgumentException("not an absolute URL: " + url);
        }
        String scheme = cleaned.substring(0, cleaned.indexOf(':')).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("unsupported scheme " + scheme + ": " + url);
        }
        String rest = browserSlashes(withoutFragment(cleaned));
        int q = rest.indexOf('?');
        String query = q < 0 ? null : rest.substring(q + 1);
        rest = q < 0 ? rest : rest.substring(0, q);
        Matcher ipv6 = IPV6.matcher(rest);
        String ipv6Host = ipv6.find() ? ipv6.group(1) : null;
        if (ipv6Host != null) {
            rest = rest.substring(0, ipv6.start(1)) + IPV6_STAND_IN + rest.substring(ipv6.end(1));
        }
        String out = BASIC.filter(rest);
        if (out == null) {
            throw new IllegalArgumentException("invalid URL: " + url);
        }
        if (ipv6Host != null) {
            out = out.replace(IPV6_STAND_IN, ipv6Host.toLowerCase(Locale.ROOT));
        }
        checkAuthority(out, url);
        String sorted = query == null ? null : sortedQuery(BasicURLNormalizer.escapePath(query).replace("\\", "%5C"));
        return sorted == null ? out : out + "?" + sorted;
    }

    /**
     * The canonical form of a link found on the page at base: absolute links as they are, relative ones resolved
     * against base (a page's URL or its {@code <base href>}). Empty when the link is not crawlable (other scheme,
     * malformed); a fragment-only link ("#top") resolves to the page itself.
     */
    public static Optional<String> resolve(String base, String href) {
        if (href == null) {
            return Optional.empty();
        }
        String ref = clean(href);
        try {
            if (SCHEME.matcher(ref).find()) {
                return Optional.of(normalize(ref));
            }
            String b = normalize(base);
            if (ref.isEmpty() || ref.startsWith("#")) {
                return Optional.of(b);
            }
            URI baseUri = new URI(b);
            String resolved;
            if (ref.startsWith("?")) {
                // java.net.URI follows RFC 2396 here and would drop the base's last path segment.
                int q = b.indexOf('?');
                resolved = (q < 0 ? b : b.substring(0, q)) + ref;
            } else {
                resolved = baseUri.resolve(new URI(BasicURLNormalizer.escapePath(browserSlashes(withoutFragment(ref)))))
                        .toString();
            }
            return Optional.of(normalize(resolved));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The lower-case host of a normalised URL (IPv6 literals keep their brackets). */
    public static String host(String normalizedUrl) {
        String authority = authorityOf(normalizedUrl);
        if (authority.startsWith("[")) {
            return authority.substring(0, authority.indexOf(']') + 1);
        }
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }

    /** The port of a normalised URL, the scheme's default when none is written. */
    public static int port(String normalizedUrl) {
        String authority = authorityOf(normalizedUrl);
        int colon = authority.lastIndexOf(':');
        if (colon > authority.lastIndexOf(']')) {
            return Integer.parseInt(authority.substring(colon + 1));
        }
        return normalizedUrl.startsWith("https:") ? 443 : 80;
    }

    /** Scheme, host and port of a normalised URL ("https://example.com"): the unit robots.txt applies to. */
    public static String origin(String normalizedUrl) {
        int start = normalizedUrl.indexOf("://") + 3;
        int end = normalizedUrl.indexOf('/', start);
        return end < 0 ? normalizedUrl : normalizedUrl.substring(0, end);
    }

    /** The path of a normalised URL, without its query. */
    public static String path(String normalizedUrl) {
        int start = normalizedUrl.indexOf('/', normalizedUrl.indexOf("://") + 3);
        int q = normalizedUrl.indexOf('?');
        return q < 0 ? normalizedUrl.substring(start) : normalizedUrl.substring(start, q);
    }

    /** The query of a normalised URL, or null when it has none. */
    public static String query(String normalizedUrl) {
        int q = normalizedUrl.indexOf('?');
        return q < 0 ? null : normalizedUrl.substring(q + 1);
    }

    private static String authorityOf(String normalizedUrl) {
        int start = normalizedUrl.indexOf("://") + 3;
        int end = normalizedUrl.indexOf('/', start);
        return end < 0 ? normalizedUrl.substring(start) : normalizedUrl.substring(start, end);
    }

    /** Removes surrounding whitespace and the tabs and line breaks that browsers ignore inside URLs. */
    private static String clean(String s) {
        return s.strip().replaceAll("[\\t\\n\\r]", "");
    }

    private static String withoutFragment(String s) {
        int hash = s.indexOf('#');
        return hash < 0 ? s : s.substring(0, hash);
    }

    /** Backslashes before the query turned into slashes, as browsers do for http(s). */
    private static String browserSlashes(String s) {
        int q = s.indexOf('?');
        return q < 0 ? s.replace('\\', '/') : s.substring(0, q).replace('\\', '/') + s.substring(q);
    }

    /** Refuses what BasicURLNormalizer lets through: no host, a host with stray characters, a port out of range. */
    private static void checkAuthority(String normalized, String url) {
        String host = host(normalized);
        if (host.isEmpty() || host.equals("[]")) {
            throw new IllegalArgumentException("URL has no host: " + url);
        }
        if (!host.startsWith("[") && (!HOST_CHARS.matcher(host).matches() || host.startsWith(".")
                || host.contains(".."))) {
            throw new IllegalArgumentException("invalid host in " + url);
        }
        int port;
        try {
            port = port(normalized);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port in " + url);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid port " + port + " in " + url);
        }
    }

    /** Sorted, non-empty parameters with normalised escapes; null when nothing is left. */
    private static String sortedQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        List<String> params = new ArrayList<>();
        for (String p : rawQuery.split("&")) {
            if (!p.isEmpty() && !p.equals("=")) {
                params.add(BasicURLNormalizer.unescapePath(p));
            }
        }
        if (params.isEmpty()) {
            return null;
        }
        params.sort(Comparator.comparing((String p) -> {
            int eq = p.indexOf('=');
            return eq < 0 ? p : p.substring(0, eq);
        }).thenComparing(Comparator.naturalOrder()));
        return String.join("&", params);
    }
}
