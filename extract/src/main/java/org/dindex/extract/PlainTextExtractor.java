package org.dindex.extract;

import java.util.regex.Pattern;

/**
 * Plain text: paragraphs separated by blank lines (or form feeds) become blocks without a section.
 *
 * <p>Line breaks inside a paragraph are kept: plain text gives no way to tell hard-wrapped prose from lines that
 * matter (addresses, verse, tabular output), and keeping them loses nothing for search.
 */
final class PlainTextExtractor {
    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n[\\t\\x0B\\f\\p{Zs}]*\\n[\\s\\p{Zs}]*|\\f");

    private PlainTextExtractor() {
    }

    static ExtractedDocument extract(String text, String fallbackTitle) {
        BlockSink sink = new BlockSink();
        for (String paragraph : PARAGRAPH_BREAK.split(TextNormalizer.document(text))) {
            sink.prose(paragraph);
        }
        return new ExtractedDocument(fallbackTitle, sink.blocks(), Format.TEXT.id());
    }
}
