package org.dindex.scrape;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.dindex.extract.ExtractedDocument;
import org.dindex.extract.ExtractionException;
import org.dindex.extract.Extractors;
import org.dindex.extract.Format;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Turns a fetched body into what the crawler needs: extracted text, outgoing links, the canonical URL and the
 * page's robots directives.
 *
 * <p>CPU-heavy (HTML parsing, PDF text extraction, hashing), so the crawler runs {@link #analyze} through
 * {@code executeBlocking}; it is stateless and thread-safe. HTML is parsed twice, once here for links and
 * directives (from the whole page, navigation included) and once by {@link Extractors}, which removes navigation
 * and other boilerplate as it extracts; that costs a second parse but keeps extraction identical to file indexing.
 */
final class PageAnalyzer {
    /** Links beyond this many on one page are ignored (link farms, huge generated indexes). */
    static final int MAX_LINKS_PER_PAGE = 2000;

    /** The page cannot be indexed for a reason that is a decision, not an error; message is the reason. */
    static final class Skip extends Exception {
        private static final long serialVersionUID = 1L;

        Skip(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * What a page holds.
     *
     * @param document        the extracted text; null when extraction failed (extractionError) or was not needed
     *                        (noindex)
     * @param extractionError why there is no document, if it failed
     * @param mediaType       media type used ("text/html"), from the header or sniffed
     * @param links           normalised http(s) links in document order, without duplicates
     * @param canonical       normalised {@code <link rel="canonical">} target, or null
     * @param fingerprint     hashes of the extracted text (null without document)
     * @param words           words in the extracted text
     */
    record Result(ExtractedDocument document, ExtractionException extractionError, String mediaType,
            List<String> links, String canonical, boolean noindex, boolean nofollow,
            DuplicateDetector.Fingerprint fingerprint, int words) {
    }

    private static final Set<String> DIRECTIVES = Set.of(
            "all", "index", "follow", "noindex", "nofollow", "none", "noarchive", "nosnippet", "notranslate",
            "noimageindex", "unavailable_after", "max-snippet", "max-image-preview", "max-video-preview");

    private PageAnalyzer() {
    }

    /** The format extracted for a media type, or null when it is not one the crawler indexes. */
    static Format formatOf(String mediaType) {
        return switch (mediaType) {
            case "text/html", "application/xhtml+xml" -> Format.HTML;
            case "application/pdf" -> Format.PDF;
            case "text/plain" -> Format.TEXT;
            case "text/markdown", "text/x-markdown" -> Format.MARKDOWN;
            default -> null;
        };
    }

    /** The media type of a Content-Type header, lower case without parameters; "" when absent. */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
    }

    /**
     * For the head check: the reason a response with this Content-Type is not worth downloading, or null. A
     * missing Content-Type is accepted (the body is sniffed).
     */
    static String unsupportedType(String contentType) {
        String mediaType = mediaType(contentType);
        if (mediaType.isEmpty() || formatOf(mediaType) != null) {
            return null;
        }
        return "unsupported content type " + mediaType;
    }

    /** The charset parameter of a Content-Type header when Java supports it, else null. */
    static Charset charsetOf(String contentType) {
        if (contentType == null) {
            return null;
        }
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                String name = p.substring(8).strip().replace("\"", "").replace("'", "");
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * Analyses a 2xx body.
     *
     * @param url         the page's normalised URL (base for relative links)
     * @param contentType the Content-Type header, or null
     * @param xRobotsTag  the X-Robots-Tag header values, or empty
     * @param robotName   the crawler's robots name, for agent-specific directives
     * @throws Skip for unsupported content types, binary content claiming to be text, empty bodies
     */
    static Result analyze(String url, String contentType, byte[] body, List<String> xRobotsTag, String robotName)
            throws Skip {
        if (body.length == 0) {
            throw new Skip("empty content");
        }
        String mediaType = mediaType(contentType);
        Charset charset = charsetOf(contentType);
        if (mediaType.isEmpty()) {
            mediaType = sniff(body);
        }
        Format format = formatOf(mediaType);
        if (format == null) {
            throw new Skip("unsupported content type " + mediaType);
        }
        if (format != Format.PDF && hasNul(body) && !isWide(charset)) {
            throw new Skip("binary content");
        }
        boolean noindex = false;
        boolean nofollow = false;
        for (String header : xRobotsTag) {
            Set<String> d = directives(header, robotName);
            noindex |= d.contains("noindex") || d.contains("none");
            nofollow |= d.contains("nofollow") || d.contains("none");
        }
        List<String> links = List.of();
        String canonical = null;
        if (format == Format.HTML) {
            Document doc;
            try {
                doc = Jsoup.parse(new ByteArrayInputStream(body), charset == null ? null : charset.name(), url);
            } catch (IOException | RuntimeException e) {
                doc = null; // an undecodable page: the extractor below reports why
            }
            if (doc != null) {
                for (Element meta : doc.select("meta[name][content]")) {
                    String name = meta.attr("name").strip().toLowerCase(Locale.ROOT);
                    if (name.equals("robots") || name.equals(robotName)) {
                        Set<String> d = tokens(meta.attr("content"));
                        noindex |= d.contains("noindex") || d.contains("none");
                        nofollow |= d.contains("nofollow") || d.contains("none");
                    }
                }
                String base = url;
                Element baseElement = doc.selectFirst("base[href]");
                if (baseElement != null) {
                    base = UrlNormalizer.resolve(url, baseElement.attr("href")).orElse(url);
                }
                canonical = canonical(doc, base);
                links = links(doc, base);
            }
        }
        if (noindex) {
            return new Result(null, null, mediaType, links, canonical, true, nofollow, null, 0);
        }
        try {
            ExtractedDocument document = Extractors.fromBytes(body, format, url, url, fallbackTitle(url), charset);
            String text = document.fullText();
            return new Result(document, null, mediaType, links, canonical, false, nofollow,
                    DuplicateDetector.fingerprint(text), SimHash.words(text).size());
        } catch (ExtractionException e) {
            return new Result(null, e, mediaType, links, canonical, false, nofollow, null, 0);
        }
    }

    private static String canonical(Document doc, String base) {
        for (Element link : doc.select("link[rel][href]")) {
            if (tokens(link.attr("rel")).contains("canonical")) {
                return UrlNormalizer.resolve(base, link.attr("href")).orElse(null);
            }
        }
        return null;
    }

    private static List<String> links(Document doc, String base) {
        LinkedHashSet<String> links = new LinkedHashSet<>();
        for (Element a : doc.select("a[href], area[href]")) {
            UrlNormalizer.resolve(base, a.attr("href")).ifPresent(links::add);
            if (links.size() >= MAX_LINKS_PER_PAGE) {
                break;
            }
        }
        return new ArrayList<>(links);
    }

    /**
     * Directives of one X-Robots-Tag value; a value naming a user agent ("otherbot: noindex") counts only when it
     * names this crawler.
     */
    static Set<String> directives(String header, String robotName) {
        String v = header.strip();
        int colon = v.indexOf(':');
        if (colon > 0) {
            String prefix = v.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (!prefix.contains(",") && !prefix.contains(" ") && !DIRECTIVES.contains(prefix)) {
                return prefix.equals(robotName) ? tokens(v.substring(colon + 1)) : Set.of();
            }
        }
        return tokens(v);
    }

    private static Set<String> tokens(String s) {
        Set<String> out = new HashSet<>();
        for (String t : s.toLowerCase(Locale.ROOT).split("[,\\s]+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Media type from the content when the server sent none. */
    private static String sniff(byte[] body) {
        if (startsWith(body, "%PDF-")) {
            return "application/pdf";
        }
        if (hasNul(body)) {
            return "application/octet-stream";
        }
        String head = new String(body, 0, Math.min(body.length, 512), StandardCharsets.ISO_8859_1)
                .stripLeading().toLowerCase(Locale.ROOT);
        if (head.startsWith("\u00ef\u00bb\u00bf")) {
            head = head.substring(3).stripLeading();
        }
        if (head.startsWith("<!doctype html") || head.startsWith("<html") || head.startsWith("<head")
                || head.startsWith("<body")) {
            return "text/html";
        }
        return "text/plain";
    }

    /** A title for pages without one: the last path segment ("install-guide"), else the host. */
    static String fallbackTitle(String url) {
        String path = UrlNormalizer.path(url);
        String[] segments = path.split("/");
        for (int i = segments.length - 1; i >= 0; i--) {
            if (!segments[i].isEmpty()) {
                try {
                    return URLDecoder.decode(segments[i].replace("+", "%2B"), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return segments[i];
                }
            }
        }
        return UrlNormalizer.host(url);
    }

    private static boolean startsWith(byte[] body, String prefix) {
        if (body.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (body[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static boolean hasNul(byte[] body) {
        for (byte b : body) {
            if (b == 0) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWide(Charset charset) {
        if (charset == null) {
            return false;
        }
        String n = charset.name().toUpperCase(Locale.ROOT);
        return n.startsWith("UTF-16") || n.startsWith("UTF-32");
    }
}
