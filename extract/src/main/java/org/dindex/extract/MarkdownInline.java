package org.dindex.extract;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jsoup.parser.Parser;

/**
 * Light removal of markdown inline markup, keeping the words a reader sees.
 *
 * <p>Why strip at all: markers like {@code **}, backticks and link targets are noise to an embedding model and
 * to keyword search, and a snippet shown to a user reads better without them. Why "light": exact CommonMark
 * inline semantics need a full parser; the rules below cover what real documents use, and anything they miss is
 * left as literal text, which is harmless.
 *
 * <p>Code spans and backslash escapes are swapped for private-use placeholders first so that no later rule can
 * touch their content, and restored last.
 */
final class MarkdownInline {
    private static final char CODE_START = '\uE000';
    private static final char CODE_END = '\uE001';
    /** Escaped ASCII punctuation c is held as ESCAPE_BASE + c until the end. */
    private static final char ESCAPE_BASE = '\uE100';

    private static final Pattern ESCAPE = Pattern.compile("\\\\([!-/:-@\\[-`{-~])");
    private static final Pattern COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
    private static final Pattern AUTOLINK =
            Pattern.compile("<((?:https?|ftp|mailto):[^<>\\s]+|[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+){1,20})>");
    /**
     * A link destination: no spaces or parentheses, except one balanced level, then an optional title. Group
     * repetitions are bounded (and runs possessive) because java.util.regex recurses once per repetition of a
     * group, so an unbounded one overflows the stack on a pathological line.
     */
    private static final String DESTINATION =
            "\\((?:[^()\\s]++|\\([^()\\s]*+\\)){0,64}+(?:\\s+(?:\"[^\"]*\"|'[^']*'))?\\s*\\)";
    private static final Pattern IMAGE =
            Pattern.compile("!\\[([^\\]]{0,1000})\\](?:" + DESTINATION + "|\\[[^\\]]{0,1000}\\])");
    private static final Pattern LINK =
            Pattern.compile("\\[([^\\]]{0,1000})\\](?:" + DESTINATION + "|\\[[^\\]]{0,1000}\\])");
    private static final Pattern FOOTNOTE_REF = Pattern.compile("\\[\\^[^\\]\\s]+\\](?!:)");
    private static final Pattern HTML_TAG = Pattern.compile("</?[A-Za-z][A-Za-z0-9-]*(?:\\s[^<>]*)?/?>");
    /*
     * Emphasis spans are bounded in length (and links above): unbounded lazy matches would make a huge paragraph
     * full of unmatched markers quadratic, and real emphasis is never that long.
     */
    private static final Pattern STAR_EMPHASIS =
            Pattern.compile("(?<![\\w*])(\\*{1,3})(?![\\s*])(.{1,500}?)(?<![\\s*])\\1(?![\\w*])");
    private static final Pattern UNDERSCORE_EMPHASIS = Pattern.compile(
            "(?<![\\p{L}\\p{N}_])(_{1,3})(?![\\s_])(.{1,500}?)(?<![\\s_])\\1(?![\\p{L}\\p{N}_])");
    private static final Pattern STRIKETHROUGH = Pattern.compile("~~(?=\\S)(.{1,500}?)(?<=\\S)~~");
    private static final Pattern CODE_PLACEHOLDER = Pattern.compile(CODE_START + "(\\d+)" + CODE_END);

    private MarkdownInline() {
    }

    /** The text with inline markup removed. */
    static String strip(String s) {
        if (s.isEmpty()) {
            return s;
        }
        List<String> codes = new ArrayList<>();
        s = protectEscapes(s);
        s = protectCodeSpans(s, codes);
        s = COMMENT.matcher(s).replaceAll("");
        s = AUTOLINK.matcher(s).replaceAll("$1");
        s = IMAGE.matcher(s).replaceAll("$1");
        s = LINK.matcher(s).replaceAll("$1");
        s = FOOTNOTE_REF.matcher(s).replaceAll("");
        s = HTML_TAG.matcher(s).replaceAll("");
        s = removeEmphasis(s);
        if (s.indexOf('&') >= 0) {
            s = Parser.unescapeEntities(s, false);
        }
        s = restoreCodeSpans(s, codes);
        return restoreEscapes(s);
    }

    private static String protectEscapes(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        Matcher m = ESCAPE.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, "");
            out.append((char) (ESCAPE_BASE + m.group(1).charAt(0)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String restoreEscapes(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= ESCAPE_BASE && c < ESCAPE_BASE + 128) {
                if (out == null) {
                    out = new StringBuilder(s.length()).append(s, 0, i);
                }
                out.append((char) (c - ESCAPE_BASE));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /**
     * Replaces each code span (a run of N backticks up to the next run of exactly N) by a placeholder; an
     * unmatched run stays literal text, as in CommonMark.
     */
    private static String protectCodeSpans(String s, List<String> codes) {
        if (s.indexOf('`') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            int open = s.indexOf('`', i);
            if (open < 0) {
                out.append(s, i, s.length());
                break;
            }
            int run = runLength(s, open);
            int close = findRun(s, open + run, run);
            if (close < 0) {
                out.append(s, i, open + run);
                i = open + run;
                continue;
            }
            String code = s.substring(open + run, close);
            if (code.length() >= 2 && code.startsWith(" ") && code.endsWith(" ") && !code.isBlank()) {
                code = code.substring(1, code.length() - 1);
            }
            out.append(s, i, open).append(CODE_START).append(codes.size()).append(CODE_END);
            codes.add(restoreEscapesAsTyped(code));
            i = close + run;
        }
        return out.toString();
    }

    /** Backslashes are literal inside code spans, so escapes protected earlier are turned back into "\x". */
    private static String restoreEscapesAsTyped(String code) {
        StringBuilder out = new StringBuilder(code.length());
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c >= ESCAPE_BASE && c < ESCAPE_BASE + 128) {
                out.append('\\').append((char) (c - ESCAPE_BASE));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int runLength(String s, int from) {
        int end = from;
        while (end < s.length() && s.charAt(end) == '`') {
            end++;
        }
        return end - from;
    }

    private static int findRun(String s, int from, int length) {
        int i = from;
        while (i < s.length()) {
            int tick = s.indexOf('`', i);
            if (tick < 0) {
                return -1;
            }
            int run = runLength(s, tick);
            if (run == length) {
                return tick;
            }
            i = tick + run;
        }
        return -1;
    }

    private static String restoreCodeSpans(String s, List<String> codes) {
        if (codes.isEmpty()) {
            return s;
        }
        return CODE_PLACEHOLDER.matcher(s)
                .replaceAll(m -> Matcher.quoteReplacement(codes.get(Integer.parseInt(m.group(1)))));
    }

    /** Removes emphasis markers, repeating so nested emphasis ("**bold _and italic_**") is fully removed. */
    private static String removeEmphasis(String s) {
        for (int round = 0; round < 4; round++) {
            String before = s;
            if (s.indexOf('*') >= 0) {
                s = STAR_EMPHASIS.matcher(s).replaceAll("$2");
            }
            if (s.indexOf('_') >= 0) {
                s = UNDERSCORE_EMPHASIS.matcher(s).replaceAll("$2");
            }
            if (s.contains("~~")) {
                s = STRIKETHROUGH.matcher(s).replaceAll("$1");
            }
            if (s.equals(before)) {
                break;
            }
        }
        return s;
    }
}
