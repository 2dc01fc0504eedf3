package org.dindex.importer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.jsoup.parser.Parser;

/**
 * The first cleaning pass: HTML comments and tags, before any other markup is looked at.
 *
 * <p>Tags go first because they hide markup from the other passes: a {@code <ref>} holds {@code {{cite}}}
 * templates, a {@code <nowiki>} holds brackets that must stay literal, a comment may hold anything. What happens
 * to a tag depends on its name:
 * <ul>
 *   <li>content dropped: references, galleries, formulas, maps and other extension tags whose content is not
 *       prose ({@link #DROPPED});</li>
 *   <li>content kept verbatim: {@code <nowiki>}, {@code <pre>} and code ({@link #VERBATIM});</li>
 *   <li>{@code <br>} becomes a line break;</li>
 *   <li>other HTML tags MediaWiki allows are removed and their content kept ({@code <span>x</span>} gives x).</li>
 * </ul>
 * Anything else that merely looks like a tag ({@code a <b} in prose, unknown names) stays text, as MediaWiki
 * shows it. A tag whose closing tag is missing loses only itself, never the rest of the page.
 */
final class WikiTags {
    private static final Set<String> DROPPED = Set.of("ref", "references", "gallery", "math", "chem", "ce",
            "score", "timeline", "graph", "mapframe", "maplink", "templatedata", "templatestyles", "imagemap",
            "inputbox", "categorytree", "hiero", "includeonly", "indicator", "charinsert", "phonos");
    private static final Set<String> VERBATIM = Set.of("nowiki", "pre", "syntaxhighlight", "source");
    private static final Set<String> STRIPPED = Set.of("abbr", "b", "bdi", "bdo", "big", "blockquote", "caption",
            "center", "cite", "code", "data", "dd", "del", "dfn", "div", "dl", "dt", "em", "font", "h1", "h2", "h3",
            "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "link", "mark", "meta", "ol", "p", "q", "rb", "rp", "rt",
            "rtc", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "table", "td", "th",
            "time", "tr", "tt", "u", "ul", "var", "wbr", "noinclude", "onlyinclude", "section", "poem");
    /** Attributes longer than this are not believed to be a tag; keeps the scan linear on stray '<'. */
    private static final int MAX_TAG_LENGTH = 2000;

    private final String text;
    /** The text with ASCII letters lower-cased, same length, for case-insensitive searches of closing tags. */
    private final String lower;
    private final Literals literals;
    /** Per tag name, a position from which a search for its closing tag already failed (so will fail again). */
    private final Map<String, Integer> noCloseFrom = new HashMap<>();

    private WikiTags(String text, Literals literals) {
        this.text = text;
        this.lower = asciiLowerCase(text);
        this.literals = literals;
    }

    /** Removes comments and tags as described above; verbatim content is parked in {@code literals}. */
    static String strip(String text, Literals literals) {
        return new WikiTags(text, literals).run();
    }

    /** A tag found at some position: its name (lower case), shape, and the index just past its '>'. */
    private record Tag(String name, boolean closing, boolean selfClosing, int end) {
    }

    private String run() {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int lt = text.indexOf('<', i);
            if (lt < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, lt);
            if (text.startsWith("<!--", lt)) {
                int end = text.indexOf("-->", lt + 4);
                i = end < 0 ? text.length() : end + 3; // An unclosed comment hides the rest, as in MediaWiki.
                continue;
            }
            Tag tag = tagAt(lt);
            if (tag == null) {
                out.append('<');
                i = lt + 1;
            } else {
                i = apply(tag, out);
            }
        }
        return out.toString();
    }

    /** Handles one tag and returns where scanning continues. */
    private int apply(Tag tag, StringBuilder out) {
        if (tag.name.equals("br")) {
            out.append(Literals.BREAK);
            return tag.end;
        }
        boolean hasContent = !tag.closing && !tag.selfClosing;
        if (DROPPED.contains(tag.name) || VERBATIM.contains(tag.name)) {
            int[] close = hasContent ? closingTag(tag.name, tag.end) : null;
            if (close == null) {
                return tag.end; // A lone, self-closing or stray closing tag disappears alone.
            }
            if (VERBATIM.contains(tag.name)) {
                literals.park(Parser.unescapeEntities(text.substring(tag.end, close[0]), false), out);
            }
            return close[1];
        }
        return tag.end; // STRIPPED: the tag goes, its content is scanned on as ordinary text.
    }

    /** The tag starting at {@code lt}, or null when the text there is not one of the known tags. */
    private Tag tagAt(int lt) {
        int j = lt + 1;
        boolean closing = j < text.length() && text.charAt(j) == '/';
        if (closing) {
            j++;
        }
        int nameStart = j;
        while (j < text.length() && isAsciiLetterOrDigit(text.charAt(j))) {
            j++;
        }
        if (j == nameStart || !isAsciiLetter(text.charAt(nameStart)) || j == text.length()) {
            return null;
        }
        char after = text.charAt(j);
        if (after != '>' && after != '/' && !Character.isWhitespace(after)) {
            return null;
        }
        String name = lower.substring(nameStart, j);
        if (!name.equals("br") && !DROPPED.contains(name) && !VERBATIM.contains(name) && !STRIPPED.contains(name)) {
            return null;
        }
        int limit = Math.min(text.length(), j + MAX_TAG_LENGTH);
        for (int k = j; k < limit; k++) {
            char c = text.charAt(k);
            if (c == '>') {
                return new Tag(name, closing, text.charAt(k - 1) == '/', k + 1);
            }
            if (c == '<') {
                return null;
            }
        }
        return null;
    }

    /** Start and end of the closing tag {@code </name>} at or after {@code from}, or null when there is none. */
    private int[] closingTag(String name, int from) {
        Integer failed = noCloseFrom.get(name);
        if (failed != null && from >= failed) {
            return null;
        }
        String needle = "</" + name;
        for (int at = lower.indexOf(needle, from); at >= 0; at = lower.indexOf(needle, at + 1)) {
            int k = at + needle.length();
            while (k < text.length() && Character.isWhitespace(text.charAt(k))) {
                k++;
            }
            if (k < text.length() && text.charAt(k) == '>') {
                return new int[] {at, k + 1};
            }
        }
        noCloseFrom.merge(name, from, Math::min);
        return null;
    }

    private static String asciiLowerCase(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            if (chars[i] >= 'A' && chars[i] <= 'Z') {
                chars[i] += 'a' - 'A';
            }
        }
        return new String(chars);
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9');
    }
}
