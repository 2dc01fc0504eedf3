package org.dindex.extract;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Markdown: a line-based parser for the block structure (CommonMark and the common GitHub additions) that feeds
 * headings into the section path and paragraphs, lists, tables and code into blocks.
 *
 * <p>Why not a library: none is on the class path, and search only needs the block structure and readable text,
 * not HTML rendering. What matters most is getting headings right (they become every chunk's section path) and
 * never mistaking the inside of a code fence for structure.
 *
 * <p>Kept as blocks: paragraphs (lines joined with spaces, as markdown renders them), lists (one line per item),
 * tables (one line per row, cells joined with " | "), fenced and indented code (verbatim). Dropped: front matter,
 * link reference definitions, thematic breaks, HTML comments, inline markup.
 */
final class MarkdownExtractor {
    private static final Pattern SETEXT_1 = Pattern.compile("^ {0,3}=+[ \\t]*$");
    private static final Pattern SETEXT_2 = Pattern.compile("^ {0,3}-+[ \\t]*$");
    private static final Pattern FENCE_OPEN = Pattern.compile("^([ \\t]*)(`{3,}|~{3,})(.*)$");
    private static final Pattern LIST_ITEM =
            Pattern.compile("^([ \\t]*)([-*+]|(\\d{1,9})[.)])(?:[ \\t]+(.*)|[ \\t]*$)");
    private static final Pattern REFERENCE_DEFINITION = Pattern.compile("^ {0,3}\\[(?!\\^)[^\\]]+\\]:\\s*\\S.*$");
    private static final Pattern FOOTNOTE_DEFINITION = Pattern.compile("^ {0,3}\\[\\^[^\\]]+\\]:\\s*");
    /*
     * Line shapes that repeat a group (thematic breaks, table delimiter rows, quote markers, ATX headings) are
     * checked by hand: java.util.regex recurses once per repetition of a group, so a pathological line of a few
     * hundred thousand characters would overflow the stack.
     */
    private static final Pattern DELIMITER_CELL = Pattern.compile(":?-+:?");
    private static final Pattern CELL_SEPARATOR = Pattern.compile("(?<!\\\\)\\|");

    /** What kind of block the pending lines form. */
    private enum Kind { NONE, PARAGRAPH, LIST, TABLE }

    private final BlockSink sink = new BlockSink();
    private final List<String> pending = new ArrayList<>();
    private Kind kind = Kind.NONE;
    private String title;

    /** Open fence marker ("```" or "~~~~"), or null outside a fence. */
    private String fence;
    private int fenceIndent;
    private final List<String> code = new ArrayList<>();
    /** Lines of an indented code block, or null outside one. */
    private List<String> indentedCode;
    private boolean inComment;
    private boolean inQuote;
    /** True from a list item until a line that clearly leaves the list, so indented lines continue the list. */
    private boolean listContext;

    private MarkdownExtractor() {
    }

    static ExtractedDocument extract(String text, String fallbackTitle) {
        MarkdownExtractor parser = new MarkdownExtractor();
        String[] lines = TextNormalizer.document(text).split("\n", -1);
        for (int i = skipFrontMatter(lines); i < lines.length; i++) {
            parser.line(lines[i]);
        }
        parser.finish();
        String title = parser.title != null ? parser.title : fallbackTitle;
        return new ExtractedDocument(title, parser.sink.blocks(), Format.MARKDOWN.id());
    }

    /**
     * The index of the first line after YAML ("---") or TOML ("+++") front matter, or 0 when there is none.
     * Front matter is metadata for site generators; read as markdown it would turn into a bogus setext heading.
     */
    private static int skipFrontMatter(String[] lines) {
        if (lines.length < 2) {
            return 0;
        }
        String first = lines[0].stripTrailing();
        if (!first.equals("---") && !first.equals("+++")) {
            return 0;
        }
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i].stripTrailing();
            if (l.equals(first) || (first.equals("---") && l.equals("..."))) {
                return i + 1;
            }
        }
        return 0;
    }

    private void line(String raw) {
        if (fence != null) {
            fenceLine(raw);
            return;
        }
        if (indentedCode != null) {
            if (raw.isBlank() || indent(raw) >= 4) {
                indentedCode.add(raw);
                return;
            }
            endIndentedCode();
        }
        String line = dropComments(raw);
        if (line == null) {
            return;
        }
        int content = quoteContentStart(line);
        boolean quoted = content > 0;
        if (quoted) {
            line = line.substring(content);
        }
        if (quoted != inQuote) {
            flush();
            inQuote = quoted;
        }
        if (line.isBlank()) {
            flush();
            return;
        }
        block(line, quoted);
    }

    /** A non-blank line outside code and comments. */
    private void block(String line, boolean quoted) {
        Matcher m = FENCE_OPEN.matcher(line);
        if (m.matches() && !(m.group(2).charAt(0) == '`' && m.group(3).contains("`"))) {
            flush();
            fence = m.group(2);
            fenceIndent = m.group(1).length();
            return;
        }
        int indent = indent(line);
        if (kind == Kind.NONE && indent >= 4 && !listContext && !quoted) {
            indentedCode = new ArrayList<>(List.of(line));
            return;
        }
        if (indent <= 3 && atxLevel(line) > 0) {
            flush();
            listContext = false;
            heading(atxLevel(line), atxText(line));
            return;
        }
        if (kind == Kind.PARAGRAPH && (SETEXT_1.matcher(line).matches() || SETEXT_2.matcher(line).matches())) {
            String text = String.join(" ", pending);
            pending.clear();
            kind = Kind.NONE;
            heading(line.strip().charAt(0) == '=' ? 1 : 2, text);
            return;
        }
        if (isThematicBreak(line)) {
            flush();
            listContext = false;
            return;
        }
        if (line.indexOf('|') >= 0 && startsTable(line)) {
            return;
        }
        if (kind == Kind.TABLE) {
            if (line.indexOf('|') >= 0) {
                pending.add(tableRow(line));
                return;
            }
            flush();
        }
        if (kind != Kind.PARAGRAPH && REFERENCE_DEFINITION.matcher(line).matches()) {
            return;
        }
        if ((m = LIST_ITEM.matcher(line)).matches() && listItem(m)) {
            return;
        }
        text(line, indent);
    }

    /** Where the content of a block quote line starts after its (possibly nested) '>' markers; 0 if none. */
    private static int quoteContentStart(String line) {
        int i = 0;
        int end = 0;
        while (true) {
            int spaces = 0;
            while (i < line.length() && line.charAt(i) == ' ' && spaces < 4) {
                i++;
                spaces++;
            }
            if (spaces > 3 || i >= line.length() || line.charAt(i) != '>') {
                return end;
            }
            i++;
            if (i < line.length() && line.charAt(i) == ' ') {
                i++;
            }
            end = i;
        }
    }

    /** "***", "- - -", "___": three or more of the same marker and nothing else but spaces. */
    private static boolean isThematicBreak(String line) {
        if (indent(line) > 3) {
            return false;
        }
        String s = line.strip();
        if (s.isEmpty() || "-*_".indexOf(s.charAt(0)) < 0) {
            return false;
        }
        char marker = s.charAt(0);
        int count = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == marker) {
                count++;
            } else if (c != ' ' && c != '\t') {
                return false;
            }
        }
        return count >= 3;
    }

    /** A table delimiter row: cells like "---", ":--", "-:" or ":-:" separated by pipes, with at least one pipe. */
    private static boolean isTableDelimiter(String line) {
        String s = line.strip();
        if (s.indexOf('|') < 0) {
            return false;
        }
        if (s.startsWith("|")) {
            s = s.substring(1);
        }
        if (s.endsWith("|")) {
            s = s.substring(0, s.length() - 1);
        }
        for (String cell : s.split("\\|", -1)) {
            if (!DELIMITER_CELL.matcher(cell.strip()).matches()) {
                return false;
            }
        }
        return true;
    }

    /** The level of an ATX heading line ("## x" gives 2), or 0 when the line is not one. */
    private static int atxLevel(String line) {
        String s = line.stripLeading();
        int level = 0;
        while (level < s.length() && s.charAt(level) == '#') {
            level++;
        }
        boolean separated = level == s.length() || s.charAt(level) == ' ' || s.charAt(level) == '\t';
        return level >= 1 && level <= 6 && separated ? level : 0;
    }

    /** The text of an ATX heading line, without the opening and optional closing run of '#'. */
    private static String atxText(String line) {
        String s = line.strip();
        s = s.substring(atxLevel(line)).strip();
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '#') {
            end--;
        }
        if (end == 0 || s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t') {
            s = s.substring(0, end);
        }
        return s.strip();
    }

    private void fenceLine(String raw) {
        String stripped = raw.strip();
        if (stripped.length() >= fence.length() && stripped.chars().allMatch(c -> c == fence.charAt(0))) {
            sink.preformatted(String.join("\n", code));
            code.clear();
            fence = null;
            return;
        }
        int remove = 0;
        while (remove < fenceIndent && remove < raw.length() && raw.charAt(remove) == ' ') {
            remove++;
        }
        code.add(raw.substring(remove));
    }

    private void endIndentedCode() {
        StringBuilder sb = new StringBuilder();
        for (String l : indentedCode) {
            sb.append(removeIndent(l, 4)).append('\n');
        }
        sink.preformatted(sb.toString());
        indentedCode = null;
    }

    private void heading(int level, String rawText) {
        String text = sink.heading(level, MarkdownInline.strip(rawText));
        if (level == 1 && title == null && text != null) {
            title = text;
        }
    }

    /**
     * A GitHub table starts when a single pending paragraph line with pipes is followed by a delimiter row
     * ("|---|:--:|"). Returns true when this line was that delimiter row.
     */
    private boolean startsTable(String line) {
        if (kind != Kind.PARAGRAPH || !isTableDelimiter(line)) {
            return false;
        }
        String header = pending.getLast();
        if (header.indexOf('|') < 0) {
            return false;
        }
        pending.removeLast();
        flush();
        kind = Kind.TABLE;
        pending.add(tableRow(header));
        return true;
    }

    private static String tableRow(String line) {
        String row = line.strip();
        if (row.startsWith("|")) {
            row = row.substring(1);
        }
        if (row.endsWith("|") && !row.endsWith("\\|")) {
            row = row.substring(0, row.length() - 1);
        }
        List<String> cells = new ArrayList<>();
        for (String cell : CELL_SEPARATOR.split(row, -1)) {
            cells.add(MarkdownInline.strip(cell.strip().replace("\\|", "|")));
        }
        return String.join(" | ", cells);
    }

    /** Handles a line that looks like a list item; false when it is really paragraph text. */
    private boolean listItem(Matcher m) {
        String number = m.group(3);
        String content = m.group(4) == null ? "" : m.group(4);
        if (kind == Kind.PARAGRAPH && !listContext) {
            // As in CommonMark, only a non-empty bullet or an ordered item numbered 1 may interrupt a paragraph,
            // so a wrapped line that happens to start with "2024." stays part of its sentence.
            boolean interrupts = !content.isBlank() && (number == null || number.equals("1"));
            if (!interrupts) {
                return false;
            }
        }
        if (kind != Kind.LIST) {
            flush();
            kind = Kind.LIST;
        }
        listContext = true;
        String marker = number == null ? "" : m.group(2) + " ";
        pending.add(marker + content.strip());
        return true;
    }

    private void text(String line, int indent) {
        Matcher footnote = FOOTNOTE_DEFINITION.matcher(line);
        if (kind != Kind.PARAGRAPH && footnote.lookingAt()) {
            line = line.substring(footnote.end());
        }
        if (kind == Kind.LIST) {
            // Lazy or indented continuation of the last item.
            pending.set(pending.size() - 1, pending.getLast() + " " + line.strip());
            return;
        }
        if (indent < 2) {
            listContext = false;
        }
        if (kind == Kind.NONE) {
            kind = Kind.PARAGRAPH;
        }
        pending.add(line.strip());
    }

    private void flush() {
        if (!pending.isEmpty()) {
            switch (kind) {
                case PARAGRAPH -> sink.prose(MarkdownInline.strip(String.join(" ", pending)));
                case LIST -> {
                    List<String> items = new ArrayList<>(pending.size());
                    for (String item : pending) {
                        items.add(MarkdownInline.strip(item));
                    }
                    sink.prose(String.join("\n", items));
                }
                case TABLE -> sink.prose(String.join("\n", pending));
                case NONE -> throw new IllegalStateException("pending lines without a block kind");
            }
            pending.clear();
        }
        kind = Kind.NONE;
    }

    private void finish() {
        if (fence != null) {
            // An unclosed fence runs to the end of the document, as in CommonMark.
            sink.preformatted(String.join("\n", code));
            fence = null;
        }
        if (indentedCode != null) {
            endIndentedCode();
        }
        flush();
    }

    /**
     * The line without HTML comments, which may span lines; null when the line was only comment (so it neither
     * adds text nor breaks a paragraph).
     */
    private String dropComments(String line) {
        if (!inComment && !line.contains("<!--")) {
            return line;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i <= line.length()) {
            if (inComment) {
                int end = line.indexOf("-->", i);
                if (end < 0) {
                    break;
                }
                inComment = false;
                i = end + 3;
            } else {
                int start = line.indexOf("<!--", i);
                if (start < 0) {
                    out.append(line, i, line.length());
                    break;
                }
                out.append(line, i, start);
                inComment = true;
                i = start + 4;
            }
        }
        return out.toString().isBlank() ? null : out.toString();
    }

    /** Columns of leading whitespace, a tab counting as four. */
    private static int indent(String line) {
        int cols = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ') {
                cols++;
            } else if (c == '\t') {
                cols += 4 - cols % 4;
            } else {
                break;
            }
        }
        return cols;
    }

    private static String removeIndent(String line, int cols) {
        int removed = 0;
        int i = 0;
        while (i < line.length() && removed < cols) {
            char c = line.charAt(i);
            if (c == ' ') {
                removed++;
            } else if (c == '\t') {
                removed += 4 - removed % 4;
            } else {
                break;
            }
            i++;
        }
        return line.substring(i);
    }
}
