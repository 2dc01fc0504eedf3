package org.dindex.extract;

import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;

import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeFilter;
import org.jsoup.select.NodeTraversor;

/**
 * HTML via jsoup: boilerplate removed, the main content walked in document order, headings building the section
 * path and block-level elements (paragraphs, list items, table cells, pre, ...) becoming blocks. A data table
 * becomes one block with a line per row; a layout table is walked like any other container.
 *
 * <p>Why remove boilerplate: navigation, banners, footers and scripts repeat on every page of a site, so indexing
 * them would make every page match every query about the site's menu. Why walk the tree ourselves instead of
 * {@code Element.text()}: block boundaries and headings are what give chunks their structure and section path.
 */
final class HtmlExtractor {
    /** Never content: code, styling, navigation, interactive or hidden parts. */
    private static final String BOILERPLATE = String.join(", ",
            "script", "style", "noscript", "nav", "aside", "form", "template", "svg", "iframe",
            "[role=navigation]", "[role=banner]", "[role=contentinfo]", "[hidden]", "[aria-hidden=true]");
    /** Elements that end the text before them and start a new block. */
    private static final Set<String> BLOCK_TAGS = Set.of(
            "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
            "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "hr",
            "html", "legend", "li", "main", "menu", "nav", "ol", "p", "section", "summary", "table", "tbody",
            "td", "tfoot", "th", "thead", "tr", "ul");
    private static final Set<String> PERMALINK_SYMBOLS = Set.of("\u00B6", "#", "\u00A7", "\uD83D\uDD17", "\u2693");
    /** HTML's own whitespace; no-break spaces are left for the normaliser, which turns them into spaces. */
    private static final Pattern HTML_SPACE = Pattern.compile("[ \\t\\n\\r\\f]+");

    private final BlockSink sink = new BlockSink();
    private final StringBuilder text = new StringBuilder();

    private HtmlExtractor() {
    }

    static ExtractedDocument extract(Document doc, String fallbackTitle) {
        String title = TextNormalizer.title(doc.title());
        removeBoilerplate(doc);
        HtmlExtractor walker = new HtmlExtractor();
        List<Element> roots = contentRoots(doc);
        for (Element root : roots) {
            walker.walk(root);
        }
        if (title == null) {
            Element h1 = roots.isEmpty() ? null : roots.getFirst().selectFirst("h1");
            if (h1 == null) {
                h1 = doc.selectFirst("h1");
            }
            title = h1 == null ? null : TextNormalizer.title(h1.text());
        }
        return new ExtractedDocument(title != null ? title : fallbackTitle, walker.sink.blocks(), Format.HTML.id());
    }

    /**
     * Removes boilerplate. A header or footer counts as page boilerplate only outside {@code <main>} and
     * {@code <article>}: inside them (as HTML defines) it belongs to that content, and an article's header usually
     * holds its headline.
     */
    private static void removeBoilerplate(Document doc) {
        doc.select(BOILERPLATE).remove();
        for (Element el : doc.select("header, footer")) {
            if (el.parent() != null && el.closest("main, article, [role=main]") == null) {
                el.remove();
            }
        }
    }

    /** {@code <main>} when present, else the outermost {@code <article>}s, else the body. */
    private static List<Element> contentRoots(Document doc) {
        Element main = doc.selectFirst("main, [role=main]");
        if (main != null && !main.text().isBlank()) {
            return List.of(main);
        }
        // A plain list: jsoup's Elements.removeIf would also remove the elements from the document.
        List<Element> articles = doc.select("article").stream()
                .filter(a -> a.parent() == null || a.parent().closest("article") == null)
                .filter(a -> !a.text().isBlank())
                .toList();
        if (!articles.isEmpty()) {
            return articles;
        }
        return List.of(doc.body() != null ? doc.body() : doc);
    }

    /**
     * Walks one content root. jsoup's traversal is iterative, so pathologically deep pages cannot overflow the
     * stack the way a recursive walk would.
     */
    private void walk(Element root) {
        NodeTraversor.filter(new NodeFilter() {
            @Override
            public FilterResult head(Node node, int depth) {
                return enter(node);
            }

            @Override
            public FilterResult tail(Node node, int depth) {
                if (node instanceof Element el && BLOCK_TAGS.contains(el.normalName())) {
                    flush();
                }
                return FilterResult.CONTINUE;
            }
        }, root);
        flush();
    }

    /** Handles a node on the way down; SKIP_ENTIRELY when the node was consumed whole (or is never content). */
    private NodeFilter.FilterResult enter(Node node) {
        if (node instanceof TextNode t) {
            text.append(HTML_SPACE.matcher(t.getWholeText()).replaceAll(" "));
            return NodeFilter.FilterResult.CONTINUE;
        }
        if (!(node instanceof Element el)) {
            return NodeFilter.FilterResult.SKIP_ENTIRELY; // comments, doctype, data nodes: never content
        }
        String tag = el.normalName();
        switch (tag) {
            case "br" -> text.append('\n');
            case "h1", "h2", "h3", "h4", "h5", "h6" -> {
                flush();
                sink.heading(tag.charAt(1) - '0', headingText(el));
                return NodeFilter.FilterResult.SKIP_ENTIRELY;
            }
            case "pre", "textarea", "listing", "plaintext" -> {
                flush();
                sink.preformatted(el.wholeText());
                return NodeFilter.FilterResult.SKIP_ENTIRELY;
            }
            case "table" -> {
                if (isDataTable(el)) {
                    flush();
                    sink.prose(tableText(el));
                    return NodeFilter.FilterResult.SKIP_ENTIRELY;
                }
            }
            case "img", "input", "select", "button", "object", "embed", "video", "audio", "canvas", "math",
                 "head", "title", "meta", "link", "base" -> {
                return NodeFilter.FilterResult.SKIP_ENTIRELY; // no readable text of their own
            }
            default -> { }
        }
        if (BLOCK_TAGS.contains(tag)) {
            flush();
        }
        return NodeFilter.FilterResult.CONTINUE;
    }

    /**
     * A heading's text without permalink anchors: documentation generators (Sphinx, MkDocs, Hugo) append a link
     * such as "¶" or "#" to every heading, which would otherwise end up in every section name.
     */
    private static String headingText(Element heading) {
        for (Element a : heading.select("a[href^=#]")) {
            String t = a.text().strip();
            if (t.isEmpty() || PERMALINK_SYMBOLS.contains(t)) {
                a.remove();
            }
        }
        return heading.text();
    }

    /**
     * A table holding data rather than page layout: no nested tables, headings or preformatted text inside. Old
     * sites lay whole pages out with tables, and flattening such a table into rows would glue a page into a line.
     */
    private static boolean isDataTable(Element table) {
        return table.select("table table, h1, h2, h3, h4, h5, h6, pre").isEmpty();
    }

    /**
     * A data table as one block, one line per row with cells joined by " | " (as markdown tables are), so each
     * value stays next to its row and column neighbours; the caption, if any, comes first.
     */
    private static String tableText(Element table) {
        StringBuilder sb = new StringBuilder();
        Element caption = table.selectFirst("caption");
        if (caption != null) {
            sb.append(caption.text()).append('\n');
        }
        for (Element row : table.select("tr")) {
            StringJoiner cells = new StringJoiner(" | ");
            boolean any = false;
            for (Element cell : row.children()) {
                if (cell.nameIs("td") || cell.nameIs("th")) {
                    String text = cell.text();
                    any |= !TextNormalizer.isBlank(text);
                    cells.add(text);
                }
            }
            if (any) {
                sb.append(cells).append('\n');
            }
        }
        return sb.toString();
    }

    private void flush() {
        if (!text.isEmpty()) {
            sink.prose(text.toString());
            text.setLength(0);
        }
    }
}
