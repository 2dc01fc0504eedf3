package org.dindex.importer;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.dindex.extract.Block;

/**
 * Turns a page's wikitext into clean text blocks under their heading path, ready for chunking and embedding.
 *
 * <p>Why not render the page: MediaWiki's output depends on thousands of templates that a dump does not contain,
 * and search needs the prose, not the layout. So the cleaner keeps what a reader reads as running text and drops
 * what is navigation, layout or metadata: templates (infoboxes, citations, navboxes), tables, references,
 * images, categories, interlanguage links, and whole sections that are only link lists (References, External
 * links, See also, ...). Links keep their visible text, inline markup its content.
 *
 * <p>The work is a fixed series of passes, each a linear scan: tags and comments ({@link WikiTags}), templates,
 * tables and internal links ({@link WikiNesting}), external links, behaviour switches and bold/italic quotes
 * (here), and finally the line structure of headings, paragraphs and lists ({@link WikiBlocks}). Broken markup
 * never throws and never makes a pass rescan, so a page of megabytes cleans in milliseconds. Stateless and
 * thread-safe.
 */
public final class WikitextCleaner {
    /** Behaviour switches such as {@code __NOTOC__} or {@code __NOEDITSECTION__}. */
    private static final Pattern MAGIC_WORD = Pattern.compile("__[A-Z]+(?:_[A-Z]+)*__");
    /** The URL schemes MediaWiki accepts in external links, plus protocol-relative "//". */
    private static final Pattern URL_START = Pattern.compile("(?i)(?:(?:https?|ftps?|sftp|ircs?|gopher|git|svn"
            + "|ssh|telnet|nntp|worldwind|mms|redis)://|//|(?:mailto|news|xmpp|sips?|sms|tel|geo|urn|magnet"
            + "|bitcoin|matrix):)");

    private WikitextCleaner() {
    }

    /** The readable text of a page as blocks; an empty list when nothing readable is left. */
    public static List<Block> clean(String wikitext) {
        if (wikitext == null || wikitext.isBlank()) {
            return List.of();
        }
        Literals literals = new Literals();
        String s = Literals.sanitize(wikitext.replace("\r\n", "\n").replace('\r', '\n'));
        s = WikiTags.strip(s, literals);
        s = WikiNesting.removeTemplates(s);
        s = WikiNesting.removeTables(s);
        s = WikiNesting.replaceLinks(s);
        s = replaceExternalLinks(s);
        s = MAGIC_WORD.matcher(s).replaceAll("");
        s = removeQuoteMarkup(s);
        return WikiBlocks.build(s, literals);
    }

    /**
     * {@code [https://example.org label]} becomes its label; a bare {@code [https://example.org]}, which MediaWiki
     * shows as a footnote-like number, disappears. A bracket that does not start a URL, or whose closing bracket
     * is not on the same line, stays text.
     */
    static String replaceExternalLinks(String s) {
        StringBuilder out = new StringBuilder(s.length());
        Matcher url = URL_START.matcher(s);
        int noCloseUntil = -1; // a line end before which no ']' follows (a failed search from an earlier '[')
        int i = 0;
        while (i < s.length()) {
            int open = s.indexOf('[', i);
            if (open < 0) {
                out.append(s, i, s.length());
                break;
            }
            out.append(s, i, open);
            i = open + 1;
            if (open < noCloseUntil || !url.region(open + 1, s.length()).lookingAt()) {
                out.append('[');
                continue;
            }
            int close = open + 1;
            while (close < s.length() && s.charAt(close) != ']' && s.charAt(close) != '\n') {
                close++;
            }
            if (close == s.length() || s.charAt(close) != ']') {
                noCloseUntil = close;
                out.append('[');
                continue;
            }
            int space = open + 1;
            while (space < close && !Character.isWhitespace(s.charAt(space))) {
                space++;
            }
            out.append(s, space, close);
            i = close + 1;
        }
        return out.toString();
    }

    /**
     * Removes bold and italic quotes the way MediaWiki reads apostrophe runs: 2 (italic), 3 (bold) and 5 (both)
     * are all markup; 4 is an apostrophe plus bold; longer runs are apostrophes plus bold italic. A single
     * apostrophe is text.
     */
    static String removeQuoteMarkup(String s) {
        if (s.indexOf("''") < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '\'') {
                out.append(c);
                i++;
                continue;
            }
            int end = i;
            while (end < s.length() && s.charAt(end) == '\'') {
                end++;
            }
            int run = end - i;
            int literal = run == 1 ? 1 : run == 4 ? 1 : run > 5 ? run - 5 : 0;
            out.repeat('\'', literal);
            i = end;
        }
        return out.toString();
    }
}
