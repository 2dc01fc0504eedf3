package org.dindex.search;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Snippets with the query's terms highlighted as {@code **term**} (Markdown bold, which LLMs and terminals both read
 * well). Terms match after the same analysis as BM25 (so "running" highlights "runs"); the snippet is the window of
 * about {@code width} characters holding the most matches, cut at word boundaries.
 */
final class Snippets {
    private final Analyzer analyzer;
    private final int width;

    Snippets(Analyzer analyzer, int width) {
        this.analyzer = analyzer;
        this.width = width;
    }

    Set<String> terms(String query) {
        Set<String> terms = new HashSet<>();
        analyze(query, (term, start, end) -> terms.add(term));
        return terms;
    }

    private interface TokenSink {
        void accept(String term, int start, int end);
    }

    private void analyze(String text, TokenSink sink) {
        try (TokenStream ts = analyzer.tokenStream("text", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            OffsetAttribute offset = ts.addAttribute(OffsetAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                sink.accept(term.toString(), offset.startOffset(), offset.endOffset());
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String snippet(String text, Set<String> queryTerms) {
        List<int[]> hits = new ArrayList<>();
        if (!queryTerms.isEmpty()) {
            analyze(text, (term, start, end) -> {
                if (queryTerms.contains(term)) {
                    hits.add(new int[]{start, end});
                }
            });
        }
        int from = 0;
        if (!hits.isEmpty()) {
            int best = 0;
            for (int i = 0, j = 0; i < hits.size(); i++) {
                // A single hit wider than the window (a very long word) stands alone: j never passes i.
                while (j < i && hits.get(i)[1] - hits.get(j)[0] > width) {
                    j++;
                }
                if (i - j + 1 > best) {
                    best = i - j + 1;
                    from = Math.max(0, hits.get(j)[0] - width / 6);
                }
            }
        }
        int to = Math.min(text.length(), from + width);
        if (to - from < width) {
            from = Math.max(0, to - width);
        }
        from = wordStart(text, from);
        to = wordEnd(text, to);
        StringBuilder sb = new StringBuilder();
        if (from > 0) {
            sb.append("...");
        }
        int pos = from;
        for (int[] h : hits) {
            if (h[0] < from || h[1] > to) {
                continue;
            }
            sb.append(text, pos, h[0]).append("**").append(text, h[0], h[1]).append("**");
            pos = h[1];
        }
        sb.append(text, pos, to);
        if (to < text.length()) {
            sb.append("...");
        }
        return sb.toString().replaceAll("\\s+", " ").strip();
    }

    private static int wordStart(String text, int i) {
        while (i > 0 && i < text.length() && !Character.isWhitespace(text.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    private static int wordEnd(String text, int i) {
        while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }
}
