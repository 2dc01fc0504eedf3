package org.dindex.importer;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The passes for constructs that nest: templates {@code {{...}}}, tables {@code {| ... |}} and internal links
 * {@code [[...]]}.
 *
 * <p>Each is one left-to-right scan with an explicit stack, never a regex and never a rescan, so the cost stays
 * linear however deep or broken the nesting. Broken markup degrades the way MediaWiki shows it: an opener that
 * is never closed does not swallow the page, it is merely dropped as a marker; a closer without an opener is
 * dropped too.
 */
final class WikiNesting {
    /** Link namespaces whose links are not text: images, media and categories (English and the largest wikis). */
    private static final Set<String> NON_TEXT_NAMESPACES = Set.of("file", "image", "media", "category",
            "datei", "bild", "kategorie", "fichier", "catégorie", "archivo", "imagen", "categoría", "immagine",
            "categoria", "ficheiro", "arquivo", "bestand", "afbeelding", "categorie", "plik", "grafika", "kategoria",
            "файл", "изображение", "категория");
    /** Interlanguage prefixes: "de", "zh-yue", "be-tarask", "simple". Written in lower case, unlike namespaces. */
    private static final Pattern LANGUAGE_PREFIX = Pattern.compile("[a-z]{2,3}(-[a-z]{2,8})*|simple");

    private WikiNesting() {
    }

    /**
     * Removes templates, template parameters and parser functions with everything inside them.
     *
     * <p>Braces come in runs ({@code {{{param}}}} is a run of three), and a closing run is matched against the
     * innermost open run the way MediaWiki's preprocessor does: <code>{{{x}}</code> leaves a literal '{'.
     */
    static String removeTemplates(String s) {
        StringBuilder out = new StringBuilder(s.length());
        OpenRuns open = new OpenRuns();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '{' && c != '}') {
                out.append(c);
                i++;
                continue;
            }
            int run = runLength(s, i, c);
            i += run;
            if (run == 1) {
                out.append(c);
            } else if (c == '{') {
                open.push(out.length(), run);
                out.append(s, i - run, i);
            } else {
                int rest = run;
                while (rest >= 2 && !open.isEmpty()) {
                    int braces = open.topCount();
                    int matched = Math.min(rest, braces);
                    rest -= matched;
                    // Whatever the matched braces enclosed goes; braces left over stay open (or literal if one).
                    out.setLength(open.topPosition() + braces - matched);
                    if (braces - matched >= 2) {
                        open.setTopCount(braces - matched);
                    } else {
                        open.pop();
                    }
                }
                if (rest == 1) {
                    out.append('}');
                } // Two or more closing braces with nothing open are a stray marker and dropped.
            }
        }
        return open.removeFrom(out);
    }

    /**
     * Removes tables: every line from an opening <code>{|</code> (at the start of a line, possibly indented with
     * ':') to its closing <code>|}</code>, nested tables included. A dropped table leaves a blank line, so the
     * paragraphs around it stay apart. An unclosed table loses only its opening line.
     */
    static String removeTables(String s) {
        if (!s.contains("{|")) {
            return s;
        }
        String[] lines = s.split("\n", -1);
        int[] dropDelta = new int[lines.length + 1]; // +1 where a dropped range starts, -1 after it ends
        int[] openers = new int[8];
        int depth = 0;
        for (int n = 0; n < lines.length; n++) {
            String line = tableMarkerLine(lines[n]);
            if (line.startsWith("{|")) {
                if (depth == openers.length) {
                    openers = Arrays.copyOf(openers, depth * 2);
                }
                openers[depth++] = n;
            } else if (line.startsWith("|}")) {
                int from = depth > 0 ? openers[--depth] : n;
                dropDelta[from]++;
                dropDelta[n + 1]--;
            }
        }
        for (int k = 0; k < depth; k++) {
            dropDelta[openers[k]]++;
            dropDelta[openers[k] + 1]--;
        }
        StringBuilder out = new StringBuilder(s.length());
        int dropped = 0;
        boolean blankEmitted = false;
        for (int n = 0; n < lines.length; n++) {
            dropped += dropDelta[n];
            if (dropped > 0) {
                if (!blankEmitted) {
                    out.append('\n');
                    blankEmitted = true;
                }
            } else {
                out.append(lines[n]).append('\n');
                blankEmitted = false;
            }
        }
        out.setLength(Math.max(0, out.length() - 1));
        return out.toString();
    }

    private static String tableMarkerLine(String line) {
        int k = 0;
        while (k < line.length() && (line.charAt(k) == ':' || line.charAt(k) == ' ' || line.charAt(k) == '\t')) {
            k++;
        }
        return line.substring(k);
    }

    /**
     * Replaces internal links by their visible text: {@code [[Target|label]]} by label, {@code [[Target]]} by
     * Target (letters right after the link simply follow, so {@code [[Target]]s} reads "Targets"). Links to files,
     * images and categories and interlanguage links are removed entirely, captions and their nested links included.
     */
    static String replaceLinks(String s) {
        StringBuilder out = new StringBuilder(s.length());
        OpenRuns open = new OpenRuns();
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("[[", i)) {
                open.push(out.length(), 2);
                out.append("[[");
                i += 2;
            } else if (s.startsWith("]]", i)) {
                i += 2;
                if (!open.isEmpty()) {
                    int at = open.topPosition();
                    open.pop();
                    String inner = out.substring(at + 2);
                    out.setLength(at);
                    out.append(linkText(inner));
                } // A stray "]]" is dropped.
            } else {
                out.append(s.charAt(i++));
            }
        }
        return open.removeFrom(out);
    }

    /** What a reader sees of a link with this inside (already free of nested links). */
    private static String linkText(String inner) {
        int pipe = inner.indexOf('|');
        String target = (pipe >= 0 ? inner.substring(0, pipe) : inner).strip();
        if (target.indexOf('\n') >= 0 || target.isEmpty()) {
            return inner; // Not a link in MediaWiki either: the text shows, only the brackets go.
        }
        boolean visible = target.startsWith(":"); // [[:Category:X]] is an ordinary link to the category page.
        if (visible) {
            target = target.substring(1).strip();
        }
        int colon = target.indexOf(':');
        String prefix = colon > 0 ? target.substring(0, colon).strip() : "";
        boolean nonText = NON_TEXT_NAMESPACES.contains(prefix.replace('_', ' ').toLowerCase(Locale.ROOT));
        if (!visible && (nonText || LANGUAGE_PREFIX.matcher(prefix).matches())) {
            return "";
        }
        String label = pipe >= 0 ? inner.substring(pipe + 1) : null;
        if (label != null && !label.isBlank()) {
            return label;
        }
        // [[:Category:X]] reads as its name; the pipe trick [[Target (disambiguation)|]] drops the parenthesis.
        String name = nonText ? target.substring(colon + 1).strip() : target;
        if (label != null) {
            int paren = name.indexOf(" (");
            if (paren > 0 && name.endsWith(")")) {
                name = name.substring(0, paren);
            }
        }
        return name.replace('_', ' ');
    }

    private static int runLength(String s, int from, char c) {
        int end = from;
        while (end < s.length() && s.charAt(end) == c) {
            end++;
        }
        return end - from;
    }

    /**
     * A stack of open marker runs: where each sits in the output and how many marker characters it has left.
     * Runs still open at the end never closed; {@link #removeFrom} deletes just their marker characters.
     */
    private static final class OpenRuns {
        private int[] positions = new int[16];
        private int[] counts = new int[16];
        private int size;

        void push(int position, int count) {
            if (size == positions.length) {
                positions = Arrays.copyOf(positions, size * 2);
                counts = Arrays.copyOf(counts, size * 2);
            }
            positions[size] = position;
            counts[size++] = count;
        }

        boolean isEmpty() {
            return size == 0;
        }

        int topPosition() {
            return positions[size - 1];
        }

        int topCount() {
            return counts[size - 1];
        }

        void setTopCount(int count) {
            counts[size - 1] = count;
        }

        void pop() {
            size--;
        }

        /** The output without the markers of the runs still open (they sit in ascending, disjoint ranges). */
        String removeFrom(StringBuilder out) {
            if (size == 0) {
                return out.toString();
            }
            StringBuilder kept = new StringBuilder(out.length());
            int from = 0;
            for (int k = 0; k < size; k++) {
                kept.append(out, from, positions[k]);
                from = positions[k] + counts[k];
            }
            return kept.append(out, from, out.length()).toString();
        }
    }
}
