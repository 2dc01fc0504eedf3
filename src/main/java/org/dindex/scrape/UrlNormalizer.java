package org.dindex.scrape;

import java.io.ByteArrayOutputStream;
import java.net.IDN;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

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
 */
public final class UrlNormalizer {
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Pattern HOST_CHARS = Pattern.compile("[a-z0-9._-]+");
    /** Characters allowed unescaped in a path or query; anything else is percent-encoded. */
    private static final String ALLOWED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            + "-._~!$&'()*+,;=:@/?";

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
        URI uri;
        try {
            uri = new URI(escape(cleaned));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid URL " + url + ": " + e.getReason());
        }
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("URL has no host: " + url);
        }
        StringBuilder out = new StringBuilder(cleaned.length());
        out.append(scheme).append("://").append(authority(scheme, authority, url));
        String path = uri.getRawPath();
        out.append(path == null || path.isEmpty() ? "/" : normalizeEscapes(removeDotSegments(path)));
        String query = sortedQuery(uri.getRawQuery());
        if (query != null) {
            out.append('?').append(query);
        }
        return out.toString();
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
                resolved = baseUri.resolve(new URI(escape(ref))).toString();
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

    /**
     * Percent-encodes characters that are not allowed in a URL (spaces, non-ASCII, quotes, ...) outside the
     * authority, keeps existing escapes, and turns backslashes into slashes as browsers do for http(s). The
     * fragment is cut off first: it never reaches the server and may contain anything.
     */
    private static String escape(String s) {
        int hash = s.indexOf('#');
        if (hash >= 0) {
            s = s.substring(0, hash);
        }
        int start = 0;
        int schemeEnd = s.indexOf("://");
        if (SCHEME.matcher(s).find() && schemeEnd > 0) {
            int authEnd = schemeEnd + 3;
            while (authEnd < s.length() && "/?\\".indexOf(s.charAt(authEnd)) < 0) {
                authEnd++;
            }
            start = authEnd;
        } else if (s.startsWith("//") || s.startsWith("\\\\")) {
            int authEnd = 2;
            while (authEnd < s.length() && "/?\\".indexOf(s.charAt(authEnd)) < 0) {
                authEnd++;
            }
            s = "//" + s.substring(2);
            start = authEnd;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, start);
        boolean inQuery = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '?') {
                inQuery = true;
            }
            if (c == '\\' && !inQuery) {
                out.append('/');
            } else if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                out.append(c);
            } else if (c < 128 && ALLOWED.indexOf(c) >= 0) {
                out.append(c);
            } else {
                int cp = s.codePointAt(i);
                if (Character.charCount(cp) == 2) {
                    i++;
                }
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    appendEscape(out, b & 0xFF);
                }
            }
        }
        return out.toString();
    }

    /** host[:port] for the output: lower case, ASCII host, default port dropped, user info removed. */
    private static String authority(String scheme, String rawAuthority, String url) {
        String a = rawAuthority;
        int at = a.lastIndexOf('@');
        if (at >= 0) {
            a = a.substring(at + 1);
        }
        String host;
        String port = null;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("invalid IPv6 host in " + url);
            }
            host = a.substring(0, close + 1).toLowerCase(Locale.ROOT);
            String rest = a.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("invalid host in " + url);
                }
                port = rest.substring(1);
            }
        } else {
            int colon = a.lastIndexOf(':');
            if (colon >= 0) {
                port = a.substring(colon + 1);
                a = a.substring(0, colon);
            }
            host = asciiHost(a, url);
        }
        if (host.isEmpty() || host.equals("[]")) {
            throw new IllegalArgumentException("URL has no host: " + url);
        }
        if (port == null || port.isEmpty()) {
            return host;
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port '" + port + "' in " + url);
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("invalid port " + p + " in " + url);
        }
        int defaultPort = scheme.equals("https") ? 443 : 80;
        return p == defaultPort ? host : host + ":" + p;
    }

    private static String asciiHost(String raw, String url) {
        String host = percentDecode(raw);
        while (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        try {
            host = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid host in " + url);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (!HOST_CHARS.matcher(host).matches() || host.startsWith(".") || host.contains("..")) {
            throw new IllegalArgumentException("invalid host in " + url);
        }
        return host;
    }

    /** RFC 3986 section 5.2.4: resolves "." and ".." segments of an absolute path. */
    static String removeDotSegments(String path) {
        if (!path.contains(".")) {
            return path;
        }
        String[] parts = path.split("/", -1);
        List<String> out = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String seg = parts[i];
            boolean last = i == parts.length - 1;
            if (seg.equals(".") || seg.equalsIgnoreCase("%2e")) {
                if (last) {
                    out.add("");
                }
            } else if (seg.equals("..") || seg.equalsIgnoreCase("%2e%2e") || seg.equalsIgnoreCase(".%2e")
                    || seg.equalsIgnoreCase("%2e.")) {
                if (!out.isEmpty()) {
                    out.removeLast();
                }
                if (last) {
                    out.add("");
                }
            } else {
                out.add(seg);
            }
        }
        return "/" + String.join("/", out);
    }

    /** Sorted, non-empty parameters with normalised escapes; null when nothing is left. */
    private static String sortedQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        List<String> params = new ArrayList<>();
        for (String p : rawQuery.split("&")) {
            if (!p.isEmpty() && !p.equals("=")) {
                params.add(normalizeEscapes(p));
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

    /** Upper-case hex in escapes; escapes of unreserved characters (letters, digits, "-._~") decoded. */
    private static String normalizeEscapes(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                int v = Integer.parseInt(s.substring(i + 1, i + 3), 16);
                if (isUnreserved(v)) {
                    out.append((char) v);
                } else {
                    appendEscape(out, v);
                }
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
                bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static void appendEscape(StringBuilder out, int b) {
        out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
    }
}
