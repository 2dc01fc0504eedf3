package org.dindex.importer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a MediaWiki dump says about its wiki in {@code <siteinfo>}: the name, the main page URL and the namespaces.
 *
 * <p>The import job needs this to give every page a URL people can open: the dump itself holds only titles, and
 * the article path is derived from {@code <base>} (the main page URL) by dropping the main page's title.
 *
 * @param siteName          the wiki's name ({@code <sitename>}), or null when absent
 * @param base              the main page URL ({@code <base>}), or null when absent
 * @param articlePathPrefix what a URL-encoded title is appended to, e.g. {@code https://en.wikipedia.org/wiki/};
 *                          null when there is no usable base
 * @param namespaces        namespace key to its name; the main namespace (0) has the name ""; immutable
 */
public record SiteInfo(String siteName, String base, String articlePathPrefix, Map<Integer, String> namespaces) {
    private static final String HEX = "0123456789ABCDEF";

    public SiteInfo {
        namespaces = namespaces == null ? Map.of() : Map.copyOf(namespaces);
    }

    /** What a dump without {@code <siteinfo>} gets: no name, no URLs, no namespaces. */
    public static SiteInfo empty() {
        return new SiteInfo(null, null, null, Map.of());
    }

    /** Site info with the article path derived from {@code base}; see {@link #articlePathPrefix(String)}. */
    public static SiteInfo of(String siteName, String base, Map<Integer, String> namespaces) {
        return new SiteInfo(siteName, base, articlePathPrefix(base), namespaces);
    }

    /**
     * The article path of a main page URL: {@code https://host/wiki/Main_Page} gives {@code https://host/wiki/},
     * {@code https://host/index.php?title=Main_Page} gives {@code https://host/index.php?title=}. Null when the
     * base is missing or not an http(s) URL with a path.
     */
    static String articlePathPrefix(String base) {
        if (base == null || !(base.startsWith("http://") || base.startsWith("https://"))) {
            return null;
        }
        int title = base.indexOf("?title=");
        if (title >= 0) {
            return base.substring(0, title + "?title=".length());
        }
        int hostEnd = base.indexOf('/', base.indexOf("//") + 2);
        if (hostEnd < 0) {
            return null;
        }
        return base.substring(0, base.lastIndexOf('/') + 1);
    }

    /**
     * The URL of the page with this title, or null when the dump gave no base URL.
     *
     * <p>Spaces become underscores, as in MediaWiki's own links. The title is percent-encoded as a URL path the
     * way MediaWiki does it: letters, digits and {@code -_.~/:(),;@$!*} stay readable, everything else
     * ({@code ?}, {@code #}, {@code %}, {@code &}, quotes, non-ASCII as UTF-8 bytes) is encoded.
     */
    public String articleUrl(String title) {
        if (articlePathPrefix == null || title == null) {
            return null;
        }
        byte[] bytes = title.strip().replace(' ', '_').getBytes(StandardCharsets.UTF_8);
        StringBuilder url = new StringBuilder(articlePathPrefix.length() + bytes.length * 3 / 2);
        url.append(articlePathPrefix);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (isReadable(c)) {
                url.append((char) c);
            } else {
                url.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
            }
        }
        return url.toString();
    }

    private static boolean isReadable(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-_.~/:(),;@$!*".indexOf(c) >= 0;
    }
}
