package org.dindex.extract;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.commonmark.ext.gfm.strikethrough.StrikethroughExtension;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.ListBlock;
import org.commonmark.node.ListItem;
import org.commonmark.node.Node;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.jsoup.Jsoup;

/**
 * Markdown: commonmark-java parses (CommonMark plus GitHub tables and strikethrough), and this class walks the
 * tree into blocks: headings into the section path, paragraphs, lists, tables and code into blocks.
 *
 * <p>Kept as blocks: paragraphs (soft line breaks read as spaces, as markdown renders them), lists (one line per
 * item; ordered items keep their number), tables (one line per row, cells joined with " | "), fenced and indented
 * code (verbatim), the text of HTML blocks. Dropped: front matter, link reference definitions, thematic breaks,
 * HTML comments and tags, inline markup (link and image text stays, targets go).
 *
 * <p>Kept by hand, where the library does not do what we need:
 * <ul>
 *   <li>Front matter: commonmark's YAML front matter extension knows neither TOML ("+++") nor "..." as the end,
 *       and we only skip it, so a few lines here do.</li>
 *   <li>Footnotes: the footnotes extension is not served by the Maven repository this project builds from, so a
 *       reference "[^1]" and the "[^1]:" label of a definition are removed from text nodes.</li>
 *   <li>Bullet lists that switch marker ("-" then "*") are two lists to CommonMark; writers mean one, so adjacent
 *       lists of the same kind make one block.</li>
 *   <li>Deep nesting: commonmark opens at most 100 nested blocks (its maxOpenBlockParsers) and leaves the rest
 *       of such a line as text, so "&gt; &gt; &gt; ... deep" would keep thousands of markers; they are dropped
 *       from a paragraph at that depth. The limit stays: lifted, commonmark's time grows with the square of list
 *       depth on one line (100,000 nested "- " took seconds).</li>
 * </ul>
 *
 * <p>The walk keeps its own stack instead of recursing, so no tree shape can overflow the Java stack.
 */
final class MarkdownExtractor {
    private static final Parser PARSER = Parser.builder()
            .extensions(List.of(TablesExtension.create(), StrikethroughExtension.create()))
            .build();
    /** commonmark's default maxOpenBlockParsers: deeper containers are not opened. */
    private static final int MAX_DEPTH = 100;
    /** One block marker left as text where the nesting limit cut a line: "> ", "- ", "1. ". */
    private static final Pattern LEFTOVER_MARKER = Pattern.compile("(?:[>*+-]|\\d{1,9}[.)])[ \\t]+");
    private static final Pattern FOOTNOTE = Pattern.compile("\\[\\^[^\\]\\s]+\\]:?");

    private final BlockSink sink = new BlockSink();
    /** The outermost list being walked, or null outside lists. */
    private ListBlock openList;
    /** Lines of the list being collected, or null. */
    private StringBuilder list;
    /** The marker of the list item whose text has not started yet ("" for bullets, "3. "), or null. */
    private String marker;
    /** The number of the next item of each open list, innermost first. */
    private final Deque<Integer> numbers = new ArrayDeque<>();
    private String title;

    private MarkdownExtractor() {
    }

    static ExtractedDocument extract(String text, String fallbackTitle) {
        String doc = TextNormalizer.document(text);
        MarkdownExtractor extractor = new MarkdownExtractor();
        extractor.walk(PARSER.parse(doc.substring(frontMatterEnd(doc))));
        extractor.flushList();
        String title = extractor.title != null ? extractor.title : fallbackTitle;
        return new ExtractedDocument(title, extractor.sink.blocks(), Format.MARKDOWN.id());
    }

    /**
     * Where the text after YAML ("---") or TOML ("+++") front matter starts, or 0 when there is none. Front matter
     * is metadata for site generators; read as markdown it would turn into a bogus setext heading.
     */
    private static int frontMatterEnd(String doc) {
        String first = doc.lines().findFirst().orElse("").stripTrailing();
        if (!first.equals("---") && !first.equals("+++")) {
            return 0;
        }
        int at = doc.indexOf('\n');
        while (at >= 0) {
            int next = doc.indexOf('\n', at + 1);
            String line = doc.substring(at + 1, next < 0 ? doc.length() : next).stripTrailing();
            if (line.equals(first) || (first.equals("---") && line.equals("..."))) {
                return next < 0 ? doc.length() : next + 1;
            }
            at = next;
        }
        return 0;
    }

    /** Marks the end of a list in the walk. */
    private record ListEnd(ListBlock list) {
    }

    /** Pre-order walk over the block tree, with a stack of its own so depth costs heap, not Java stack. */
    private void walk(Node root) {
        Deque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Object next = todo.pop();
            if (next instanceof ListEnd(ListBlock ended)) {
                endList(ended);
                continue;
            }
            Node node = (Node) next;
            if (node instanceof ListBlock l) {
                openList = openList == null ? l : openList;
                numbers.push(l instanceof OrderedList o && o.getMarkerStartNumber() != null
                        ? o.getMarkerStartNumber() : 1);
                todo.push(new ListEnd(l));
            }
            if (!block(node)) {
                for (Node child = node.getLastChild(); child != null; child = child.getPrevious()) {
                    todo.push(child);
                }
            }
        }
    }

    /** Closes a list; the outermost one becomes a block unless a list of the same kind follows at once. */
    private void endList(ListBlock ended) {
        numbers.pop();
        if (ended == openList) {
            openList = null;
            if (ended.getNext() == null || ended.getNext().getClass() != ended.getClass()) {
                flushList();
            }
        }
    }

    /**
     * Handles a node that makes a block (or nothing); false for a container whose children are walked instead.
     */
    private boolean block(Node node) {
        switch (node) {
            case Heading h -> {
                flushList();
                String text = sink.heading(h.getLevel(), inline(h));
                if (h.getLevel() == 1 && title == null && text != null) {
                    title = text;
                }
            }
            case FencedCodeBlock code -> code(code.getLiteral());
            case IndentedCodeBlock code -> code(code.getLiteral());
            case Paragraph p -> prose(depth(p) < MAX_DEPTH - 1 ? inline(p) : withoutLeftoverMarkers(inline(p)));
            case HtmlBlock html -> prose(Jsoup.parseBodyFragment(html.getLiteral()).text());
            case TableBlock table -> {
                flushList();
                StringBuilder rows = new StringBuilder();
                for (Node part = table.getFirstChild(); part != null; part = part.getNext()) {
                    for (Node row = part.getFirstChild(); row != null; row = row.getNext()) {
                        StringBuilder cells = new StringBuilder();
                        for (Node cell = row.getFirstChild(); cell != null; cell = cell.getNext()) {
                            cells.append(cells.isEmpty() ? "" : " | ").append(TextNormalizer.singleLine(inline(cell)));
                        }
                        rows.append(cells).append('\n');
                    }
                }
                sink.prose(rows.toString());
            }
            case ListItem item -> {
                int number = numbers.pop();
                numbers.push(number + 1);
                marker = item.getParent() instanceof OrderedList ordered
                        ? number + ordered.getMarkerDelimiter() + " " : "";
                return false;
            }
            default -> {
                return node.getFirstChild() == null;
            }
        }
        return true;
    }

    private void prose(String text) {
        if (openList != null) {
            // Inside a list item: the item's paragraphs read as one line, which its first paragraph starts.
            list = list == null ? new StringBuilder() : list;
            if (marker != null) {
                list.append(list.isEmpty() ? "" : "\n").append(marker);
                marker = null;
            } else {
                list.append(' ');
            }
            list.append(text.replace('\n', ' '));
        } else {
            sink.prose(text);
        }
    }

    private void code(String literal) {
        flushList();
        sink.preformatted(literal);
    }

    private void flushList() {
        if (list != null) {
            sink.prose(list.toString());
            list = null;
        }
    }

    private static int depth(Node node) {
        int depth = 0;
        for (Node n = node.getParent(); n != null; n = n.getParent()) {
            depth++;
        }
        return depth;
    }

    /** The text after the block markers at its start, matched one at a time (a repeated group would recurse). */
    private static String withoutLeftoverMarkers(String text) {
        Matcher m = LEFTOVER_MARKER.matcher(text);
        int at = 0;
        while (m.region(at, text.length()).lookingAt()) {
            at = m.end();
        }
        return text.substring(at);
    }

    /** The readable text under a node: text, code and the words of links and images, without markup. */
    private static String inline(Node root) {
        StringBuilder out = new StringBuilder();
        Deque<Node> todo = new ArrayDeque<>();
        for (Node child = root.getLastChild(); child != null; child = child.getPrevious()) {
            todo.push(child);
        }
        while (!todo.isEmpty()) {
            Node node = todo.pop();
            switch (node) {
                case Text t -> out.append(t.getLiteral().contains("[^")
                        ? FOOTNOTE.matcher(t.getLiteral()).replaceAll("") : t.getLiteral());
                case Code c -> out.append(c.getLiteral());
                case SoftLineBreak ignored -> out.append(' ');
                case HardLineBreak ignored -> out.append(' ');
                default -> {
                    for (Node child = node.getLastChild(); child != null; child = child.getPrevious()) {
                        todo.push(child);
                    }
                }
            }
        }
        return out.toString();
    }
}
