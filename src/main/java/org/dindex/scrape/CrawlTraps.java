package org.dindex.scrape;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Refuses URLs from the usual infinite URL spaces, so a crawl spends its page budget on content.
 *
 * <p>Why: many sites generate links without end: a calendar whose "next month" link always leads to another valid
 * page, relative links that stack path segments ({@code /a/b/a/b/...}) on misconfigured servers, and faceted
 * navigation whose filters combine into ever more query strings. A breadth-first crawl with a page limit would
 * otherwise fill its whole budget with such near-empty pages. Each rule is a heuristic with a small cap, so a
 * legitimate site loses at most a few pages of a pattern, never the pattern's first pages.
 *
 * <p>Rules, checked on normalised URLs before they are queued:
 * <ul>
 *   <li>a path segment repeated {@value #MAX_SEGMENT_REPEATS}+ times, or more than {@value #MAX_SEGMENTS} segments;</li>
 *   <li>more than {@value #MAX_QUERY_PARAMS} query parameters;</li>
 *   <li>more than {@value #MAX_QUERY_VARIANTS} distinct query strings for the same path;</li>
 *   <li>more than {@value #MAX_CALENDAR_PAGES} URLs that differ only in dates: years, months and days in the path
 *       ({@code /calendar/2026/11/}), dates like 2026-11-05 or 20261105 anywhere, or date-valued query parameters
 *       ({@code ?month=2026-12}, {@code ?year=2026}).</li>
 * </ul>
 *
 * <p>Stateful (it counts what it accepted) and not thread-safe: the crawler uses it from its own context only.
 */
public final class CrawlTraps {
    /** A segment seen this many times in one path makes the URL a trap. */
    public static final int MAX_SEGMENT_REPEATS = 3;
    /** Deeper paths than this are refused: real sites rarely nest more than a dozen levels. */
    public static final int MAX_SEGMENTS = 20;
    public static final int MAX_QUERY_PARAMS = 5;
    public static final int MAX_QUERY_VARIANTS = 10;
    public static final int MAX_CALENDAR_PAGES = 5;

    private static final Pattern YEAR = Pattern.compile("(?:19|20)\\d{2}");
    private static final Pattern MONTH = Pattern.compile("0?[1-9]|1[0-2]");
    private static final Pattern DAY = Pattern.compile("0?[1-9]|[12]\\d|3[01]");
    /** A full or year-month date inside a segment or value: 2026-11, 2026_11_05, 2026/11/05, 20261105. */
    private static final Pattern DATE = Pattern.compile(
            "(?<!\\d)(?:19|20)\\d{2}(?:[-_./]?(?:0[1-9]|1[0-2]))(?:[-_./]?(?:0[1-9]|[12]\\d|3[01]))?(?!\\d)");
    private static final Set<String> DATE_KEYS = Set.of(
            "year", "month", "day", "date", "week", "y", "m", "d", "yr", "mon", "mo", "cal", "calendar");
    private static final Pattern NUMERIC = Pattern.compile("[\\d\\-_./]+");

    private final int calendarCap;
    private final int queryParamCap;
    private final int queryVariantCap;
    private final Map<String, Integer> calendarCounts = new HashMap<>();
    private final Map<String, Set<String>> queryVariants = new HashMap<>();

    public CrawlTraps() {
        this(MAX_CALENDAR_PAGES, MAX_QUERY_PARAMS, MAX_QUERY_VARIANTS);
    }

    CrawlTraps(int calendarCap, int queryParamCap, int queryVariantCap) {
        this.calendarCap = calendarCap;
        this.queryParamCap = queryParamCap;
        this.queryVariantCap = queryVariantCap;
    }

    /**
     * Checks a normalised URL and, when it is accepted, counts it towards the caps of its patterns.
     *
     * @return null when the URL may be crawled, else the reason, starting with "crawler trap: "
     */
    public String check(String normalizedUrl) {
        String path = UrlNormalizer.path(normalizedUrl);
        String query = UrlNormalizer.query(normalizedUrl);
        String[] segments = path.substring(1).split("/");
        String reason = repeatedSegment(segments);
        if (reason == null && query != null) {
            int params = query.split("&").length;
            if (params > queryParamCap) {
                reason = "too many query parameters (" + params + ", at most " + queryParamCap + ")";
            }
        }
        String pathKey = UrlNormalizer.origin(normalizedUrl) + path;
        if (reason == null && query != null) {
            Set<String> variants = queryVariants.get(pathKey);
            if (variants != null && variants.size() >= queryVariantCap && !variants.contains(query)) {
                reason = "more than " + queryVariantCap + " query variants of " + path;
            }
        }
        String calendarKey = calendarKey(normalizedUrl, segments, query);
        if (reason == null && calendarKey != null && calendarCounts.getOrDefault(calendarKey, 0) >= calendarCap) {
            reason = "calendar-like URLs (more than " + calendarCap + " of " + calendarKey + ")";
        }
        if (reason != null) {
            return "crawler trap: " + reason;
        }
        if (query != null) {
            queryVariants.computeIfAbsent(pathKey, k -> new HashSet<>()).add(query);
        }
        if (calendarKey != null) {
            calendarCounts.merge(calendarKey, 1, Integer::sum);
        }
        return null;
    }

    private static String repeatedSegment(String[] segments) {
        if (segments.length > MAX_SEGMENTS) {
            return "path too deep (" + segments.length + " segments, at most " + MAX_SEGMENTS + ")";
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String s : segments) {
            if (!s.isEmpty() && counts.merge(s, 1, Integer::sum) >= MAX_SEGMENT_REPEATS) {
                return "path segment '" + s + "' repeated " + MAX_SEGMENT_REPEATS + " times";
            }
        }
        return null;
    }

    /**
     * The URL with every date-like part replaced by a placeholder ("/calendar/{year}/{month}"), or null when it
     * holds no date: URLs sharing a key differ only in their dates.
     */
    static String calendarKey(String normalizedUrl, String[] segments, String query) {
        boolean dated = false;
        StringBuilder key = new StringBuilder(UrlNormalizer.origin(normalizedUrl));
        String previous = "";
        for (String seg : segments) {
            String t;
            if (YEAR.matcher(seg).matches()) {
                t = "{year}";
            } else if (previous.equals("{year}") && MONTH.matcher(seg).matches()) {
                t = "{month}";
            } else if ((previous.equals("{month}") || previous.equals("{date}")) && DAY.matcher(seg).matches()) {
                t = "{day}";
            } else {
                Matcher m = DATE.matcher(seg);
                t = m.replaceAll("{date}");
            }
            dated |= !t.equals(seg);
            key.append('/').append(t);
            previous = t;
        }
        if (query != null) {
            StringBuilder q = new StringBuilder();
            for (String param : query.split("&")) {
                int eq = param.indexOf('=');
                String name = eq < 0 ? param : param.substring(0, eq);
                String value = eq < 0 ? "" : param.substring(eq + 1);
                String t;
                if (DATE_KEYS.contains(name.toLowerCase(Locale.ROOT)) && NUMERIC.matcher(value).matches()) {
                    t = "{date}";
                } else {
                    t = DATE.matcher(value).replaceAll("{date}");
                }
                dated |= !t.equals(value);
                q.append(q.isEmpty() ? '?' : '&').append(name).append('=').append(t);
            }
            key.append(q);
        }
        return dated ? key.toString() : null;
    }
}
