package org.dindex.importer;

import java.util.ArrayList;
import java.util.List;

/**
 * Text that must come out exactly as written ({@code <nowiki>}, {@code <pre>}, code), parked while the markup
 * passes run and put back at the end.
 *
 * <p>The passes work on plain strings, so a parked text is replaced by a private-use placeholder
 * ({@code U+E000 index U+E001}) that none of them treats as markup. Input characters in that range are removed
 * first, so a page cannot forge a placeholder.
 */
final class Literals {
    static final char OPEN = '\uE000';
    static final char CLOSE = '\uE001';
    /** Stands for a line break inside a block ({@code <br>}), so it cannot be mistaken for a paragraph break. */
    static final char BREAK = '\uE002';

    private final List<String> texts = new ArrayList<>();

    /** The input without any of the placeholder characters. */
    static String sanitize(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= OPEN && c <= BREAK) {
                if (out == null) {
                    out = new StringBuilder(s.length()).append(s, 0, i);
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    /** Parks a text and appends its placeholder. */
    void park(String text, StringBuilder out) {
        out.append(OPEN).append(texts.size()).append(CLOSE);
        texts.add(text);
    }

    /** Puts parked texts back and turns line break placeholders into line feeds. */
    String restore(String s) {
        if (s.indexOf(OPEN) < 0 && s.indexOf(BREAK) < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == BREAK) {
                out.append('\n');
            } else if (c == OPEN) {
                int close = s.indexOf(CLOSE, i);
                if (close > i + 1) {
                    out.append(texts.get(Integer.parseInt(s, i + 1, close, 10)));
                    i = close;
                }
            } else if (c != CLOSE) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
