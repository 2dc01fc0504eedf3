package org.dindex.importer;

import java.time.Instant;
import java.util.Objects;

/**
 * One {@code <page>} of a MediaWiki dump, reduced to its latest revision.
 *
 * @param pageId             the page id ({@code <page><id>}), stable across dumps of the same wiki
 * @param title              the full title including any namespace prefix, e.g. {@code Talk:Paris}
 * @param namespace          the namespace key: 0 for articles, 1 for talk pages, ...
 * @param redirectTarget     the title this page redirects to, or null when it is not a redirect; empty when an old
 *                           export marks a redirect without naming its target and the text names none either
 * @param revisionTimestamp  when the revision was saved, or null when the dump does not say
 * @param wikitext           the revision's raw wikitext; "" when the text is missing or deleted
 * @param oversized          why the page is too large to import (its title or text over the reader's limits; what
 *                           went over was not kept), or null for an ordinary page
 */
public record WikiPage(long pageId, String title, int namespace, String redirectTarget, Instant revisionTimestamp,
                       String wikitext, String oversized) {
    private static final String REDIRECT_WORD = "#redirect";

    public WikiPage {
        Objects.requireNonNull(title, "title");
        wikitext = wikitext == null ? "" : wikitext;
    }

    /** An ordinary page, within the limits. */
    public WikiPage(long pageId, String title, int namespace, String redirectTarget, Instant revisionTimestamp,
                    String wikitext) {
        this(pageId, title, namespace, redirectTarget, revisionTimestamp, wikitext, null);
    }

    /** True when the page only forwards to another page and holds no content worth indexing. */
    public boolean isRedirect() {
        return redirectTarget != null;
    }

    /**
     * The target of a {@code #REDIRECT [[Target]]} at the start of the text, or null when the text is not a redirect.
     *
     * <p>Only the start is looked at: redirect pages often carry categories and {@code {{R from ...}}} templates
     * after the link, and some carry long leftovers of the page they replaced; they are redirects all the same.
     * Dumps mark redirects with {@code <redirect title=...>} too (also for localised magic words such as
     * {@code #WEITERLEITUNG}), which the reader prefers; this is the fallback for exports without it.
     */
    static String redirectTargetOf(String wikitext) {
        if (wikitext == null) {
            return null;
        }
        int i = 0;
        while (i < wikitext.length() && Character.isWhitespace(wikitext.charAt(i))) {
            i++;
        }
        if (!wikitext.regionMatches(true, i, REDIRECT_WORD, 0, REDIRECT_WORD.length())) {
            return null;
        }
        // Only spaces or a colon may sit between the magic word and the link ("#REDIRECT:[[X]]" is accepted too).
        int open = i + REDIRECT_WORD.length();
        while (open < wikitext.length()
                && (wikitext.charAt(open) == ':' || Character.isWhitespace(wikitext.charAt(open)))) {
            open++;
        }
        if (!wikitext.startsWith("[[", open)) {
            return null;
        }
        int close = wikitext.indexOf("]]", open + 2);
        if (close < 0) {
            return null;
        }
        String link = wikitext.substring(open + 2, close);
        int pipe = link.indexOf('|');
        String target = (pipe >= 0 ? link.substring(0, pipe) : link).replace('_', ' ').strip();
        return target.isEmpty() || target.indexOf('\n') >= 0 ? null : target;
    }
}
