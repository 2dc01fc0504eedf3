package org.dindex.importer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.dindex.extract.Block;
import org.jsoup.parser.Parser;

/**
 * The last cleaning pass: the line structure of what the markup passes left, turned into blocks.
 *
 * <p>Headings ({@code == H ==}) set the section path; level 2 is the outermost level articles use, and a heading
 * closes every open heading of the same or a deeper level. Sections that are only link lists are dropped with
 * their subsections ({@link #DROPPED_SECTIONS}). A paragraph (consecutive text lines, joined with spaces as
 * MediaWiki renders them) is a block; so is a run of list items, one line per item with the markers removed.
 *
 * <p>Text is finished per block: entities decoded, any markup marker that survived broken input removed, verbatim
 * text put back, punctuation left dangling by removed templates tidied, whitespace normalised.
 */
final class WikiBlocks {
    private static final Set<String> DROPPED_SECTIONS = Set.of("references", "reference", "external links",
            "external link", "see also", "further reading", "notes", "note", "sources", "bibliography",
            "footnotes", "citations", "notes and references", "references and notes", "notes and citations",
            "works cited", "general references", "cited sources");
    /** Markers that can only be left over from broken markup, since the passes before consumed all good ones. */
    private static final String[] STRAY_MARKERS = {"[[", "]]", "{{", "}}", "{|", "|}"};
    /**
     * " ()", " ( ; )" and the like: brackets whose content was a removed template (pronunciation, dates). Only after
     * a space, so a function call "main()" in prose stays.
     */
    private static final Pattern EMPTY_PARENTHESES = Pattern.compile("(?<!\\S)\\([\\s,;:]*\\)");
    /** "(; born 1950)" once the template before the semicolon is gone. */
    private static final Pattern LEADING_SEPARATOR = Pattern.compile("\\(\\s*[,;:]\\s*");
    /** Space before punctuation, left where a template or reference sat between a word and the punctuation. */
    private static final Pattern SPACE_BEFORE_PUNCTUATION = Pattern.compile("[ \\t\\u00A0]+([,.;)])");
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\uFEFF]");
    private static final Pattern HORIZONTAL_SPACE = Pattern.compile("[\\t\\p{Zs}]+");

    private final Literals literals;
    private final List<Block> blocks = new ArrayList<>();
    private final List<Integer> levels = new ArrayList<>();
    private final List<String> titles = new ArrayList<>();
    private List<String> section = List.of();
    /** Level of the dropped section being skipped, or 0 when none is. */
    private int droppedLevel;
    private final StringBuilder pending = new StringBuilder();
    private boolean pendingIsList;

    private WikiBlocks(Literals literals) {
        this.literals = literals;
    }

    static List<Block> build(String text, Literals literals) {
        WikiBlocks builder = new WikiBlocks(literals);
        for (String line : text.split("\n", -1)) {
            builder.line(line);
        }
        builder.flush();
        return List.copyOf(builder.blocks);
    }

    private void line(String raw) {
        if (isHeading(raw)) {
            flush();
            heading(raw.stripTrailing());
            return;
        }
        String line = raw.strip();
        if (droppedLevel > 0) {
            return;
        }
        if (line.isEmpty() || line.startsWith("----")) {
            flush();
            return;
        }
        boolean listItem = "*#:;".indexOf(line.charAt(0)) >= 0;
        if (listItem != pendingIsList) {
            flush();
        }
        pendingIsList = listItem;
        if (listItem) {
            int k = 0;
            while (k < line.length() && "*#:;".indexOf(line.charAt(k)) >= 0) {
                k++;
            }
            line = line.substring(k).strip();
        }
        if (!line.isEmpty()) {
            if (!pending.isEmpty()) {
                pending.append(listItem ? '\n' : ' ');
            }
            pending.append(line);
        }
    }

    /** MediaWiki's rule: '=' in the first column, and the line (trailing spaces aside) ends with '='. */
    private static boolean isHeading(String raw) {
        String line = raw.stripTrailing();
        return line.length() >= 2 && line.charAt(0) == '=' && line.charAt(line.length() - 1) == '=';
    }

    /** Enters the heading on this line; a heading whose title cleans to nothing is ignored. */
    private void heading(String line) {
        int lead = 0;
        while (lead < line.length() && line.charAt(lead) == '=') {
            lead++;
        }
        int trail = 0;
        while (trail < line.length() - lead && line.charAt(line.length() - 1 - trail) == '=') {
            trail++;
        }
        int level = Math.min(6, Math.min(lead, trail));
        String title = level == 0 ? "" : finish(line.substring(level, line.length() - level)).replace('\n', ' ');
        if (title.isEmpty()) {
            return;
        }
        if (droppedLevel > 0 && level > droppedLevel) {
            return; // A subsection of a dropped section is dropped too.
        }
        droppedLevel = 0;
        String key = title.toLowerCase(Locale.ROOT);
        if (DROPPED_SECTIONS.contains(key.endsWith(":") ? key.substring(0, key.length() - 1).strip() : key)) {
            droppedLevel = level;
            return;
        }
        while (!levels.isEmpty() && levels.getLast() >= level) {
            levels.removeLast();
            titles.removeLast();
        }
        levels.add(level);
        titles.add(title);
        section = List.copyOf(titles);
    }

    private void flush() {
        if (!pending.isEmpty()) {
            String text = finish(pending.toString());
            if (!text.isEmpty()) {
                blocks.add(new Block(section, text));
            }
            pending.setLength(0);
        }
        pendingIsList = false;
    }

    /** Finished text of a block or heading; "" when nothing readable is left. */
    private String finish(String s) {
        if (s.indexOf('&') >= 0) {
            s = Parser.unescapeEntities(s, false);
        }
        s = literals.restore(removeStrayMarkers(s));
        s = EMPTY_PARENTHESES.matcher(s).replaceAll("");
        s = LEADING_SEPARATOR.matcher(s).replaceAll("(");
        s = SPACE_BEFORE_PUNCTUATION.matcher(s).replaceAll("$1");
        return normalize(s);
    }

    /** Removes the markers in {@link #STRAY_MARKERS} and apostrophe runs that would read as bold or italic. */
    private static String removeStrayMarkers(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        scan:
        while (i < s.length()) {
            for (String marker : STRAY_MARKERS) {
                if (s.startsWith(marker, i)) {
                    i += marker.length();
                    continue scan;
                }
            }
            if (s.startsWith("''", i)) {
                while (i < s.length() && s.charAt(i) == '\'') {
                    i++;
                }
                continue;
            }
            out.append(s.charAt(i++));
        }
        return out.toString();
    }

    /** NFC, no control characters, horizontal whitespace collapsed, lines trimmed, empty lines dropped. */
    private static String normalize(String s) {
        s = CONTROLS.matcher(Normalizer.normalize(s, Normalizer.Form.NFC)).replaceAll("");
        StringBuilder out = new StringBuilder(s.length());
        for (String line : s.split("\n")) {
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
}
