package org.dindex.extract;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The one place text is normalised, so every format yields blocks that compare, hash and embed alike.
 *
 * <p>Why NFC: the same word typed on macOS (decomposed) and Linux (composed) must hash and match identically.
 * Why collapse spaces: layout whitespace (indentation, justified PDF text, HTML source formatting) carries no
 * meaning and only wastes the embedding model's token budget. Line breaks inside a block are kept because lists,
 * table rows and plain-text lines use them.
 */
final class TextNormalizer {
    /** C0/C1 controls other than tab, line feed, vertical tab and form feed, plus stray byte order marks. */
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x08\\x0E-\\x1F\\x7F-\\x9F\\uFEFF]");
    /** Horizontal whitespace of any script (no-break space, ideographic space, ...) plus tab, VT and FF. */
    private static final Pattern HORIZONTAL_SPACE = Pattern.compile("[\\t\\x0B\\f\\p{Zs}]+");
    private static final Pattern ANY_SPACE = Pattern.compile("[\\s\\p{Zs}]+");

    private TextNormalizer() {
    }

    /** Whole-document clean-up: leading BOM removed, CRLF and CR turned into LF, Unicode NFC. */
    static String document(String s) {
        if (!s.isEmpty() && s.charAt(0) == '\uFEFF') {
            s = s.substring(1);
        }
        if (s.indexOf('\r') >= 0) {
            s = s.replace("\r\n", "\n").replace('\r', '\n');
        }
        return Normalizer.isNormalized(s, Normalizer.Form.NFC) ? s : Normalizer.normalize(s, Normalizer.Form.NFC);
    }

    /**
     * A prose block: controls removed, horizontal whitespace runs collapsed to one space, every line trimmed,
     * empty lines dropped. Returns "" when nothing is left.
     */
    static String prose(String s) {
        s = CONTROLS.matcher(document(s)).replaceAll("");
        StringBuilder out = new StringBuilder(s.length());
        for (String line : s.split("\n", -1)) {
            String clean = HORIZONTAL_SPACE.matcher(line).replaceAll(" ").strip();
            if (!clean.isEmpty()) {
                if (!out.isEmpty()) {
                    out.append('\n');
                }
                out.append(clean);
            }
        }
        return out.toString();
    }

    /**
     * Preformatted text (code, {@code <pre>}): indentation and inner spacing kept, trailing whitespace and leading
     * or trailing blank lines removed. Returns "" when nothing is left.
     */
    static String preformatted(String s) {
        s = CONTROLS.matcher(document(s)).replaceAll("").replace('\u000B', ' ').replace('\f', '\n');
        String[] lines = s.split("\n", -1);
        int first = 0;
        int last = lines.length - 1;
        while (first <= last && lines[first].isBlank()) {
            first++;
        }
        while (last >= first && lines[last].isBlank()) {
            last--;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = first; i <= last; i++) {
            if (i > first) {
                out.append('\n');
            }
            out.append(lines[i].stripTrailing());
        }
        return out.toString();
    }

    /** A heading or title: one line, all whitespace collapsed. Returns "" when nothing is left. */
    static String singleLine(String s) {
        if (s == null) {
            return "";
        }
        s = CONTROLS.matcher(document(s)).replaceAll("");
        return ANY_SPACE.matcher(s).replaceAll(" ").strip();
    }

    /** A title, or null when blank: callers then fall back to another source. */
    static String title(String s) {
        String t = singleLine(s);
        return t.isEmpty() ? null : t;
    }

    /** True when the text holds nothing but whitespace, controls and byte order marks. */
    static boolean isBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c) && !Character.isISOControl(c)
                    && c != '\uFEFF') {
                return false;
            }
        }
        return true;
    }
}
