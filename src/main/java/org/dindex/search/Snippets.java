package org.dindex.search;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.StopFilter;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.KeywordAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Snippets with the query's terms highlighted as {@code **term**} (Markdown bold, which LLMs and terminals both read
 * well). Terms match after the same analysis as BM25 (so "running" highlights "runs"); the snippet is the window of
 * about {@code width} characters holding the most matches, cut at word boundaries.
 *
 * <p><b>Why the chain is spelled out.</b> Snippets analyze every returned chunk, and that was a fifth of a search's
 * time, most of it in the Porter stemmer. The chain here is {@link EnglishAnalyzer}'s (the BM25 analyzer) with one
 * gate before the stemmer: a token whose first two letters begin no query term is left unstemmed, because Porter
 * stemming only rewrites the end of a word, so its stem could not have matched either. Tokens are compared in place,
 * not turned into strings. {@code SnippetsTest} checks the matches against the analyzer itself.
 */
final class Snippets {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final Analyzer analyzer;
    private final int width;
    private final ThreadLocal<Chain> chains = ThreadLocal.withInitial(Chain::new);

    /** @param analyzer the BM25 analyzer, for the query's terms */
    Snippets(Analyzer analyzer, int width) {
        this.analyzer = analyzer;
        this.width = width;
    }

    /** A query's analyzed terms, and the first two letters of each, as the chain tests them. */
    static final class Terms {
        private final CharArraySet stems;
        private final int[] prefixes;

        private Terms(CharArraySet stems, int[] prefixes) {
            this.stems = stems;
            this.prefixes = prefixes;
        }

        boolean isEmpty() {
            return stems.isEmpty();
        }

        boolean contains(char[] term, int length) {
            return stems.contains(term, 0, length);
        }

        /** Whether a token starting like this may stem to a query term. */
        boolean mayMatch(char[] term, int length) {
            int key = prefix(term, length);
            for (int p : prefixes) {
                if (p == key) {
                    return true;
                }
            }
            return false;
        }

        private static int prefix(char[] term, int length) {
            return length == 0 ? -1 : length == 1 ? term[0] << 16 | 0xFFFF : term[0] << 16 | term[1];
        }
    }

    Terms terms(String query) {
        CharArraySet stems = new CharArraySet(8, false);
        try (TokenStream ts = analyzer.tokenStream("text", query)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                stems.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] prefixes = new int[stems.size()];
        int i = 0;
        for (Object s : stems) {
            char[] chars = (char[]) s;
            prefixes[i++] = Terms.prefix(chars, chars.length);
        }
        return new Terms(stems, prefixes);
    }

    /** Start and end offsets of the query's terms in {@code text}, in order: {@code [s0, e0, s1, e1, ...]}. */
    int[] matches(String text, Terms terms) {
        int[] hits = new int[16];
        int n = 0;
        if (terms.isEmpty()) {
            return new int[0];
        }
        Chain chain = chains.get();
        try {
            chain.gate.terms = terms;
            chain.tokenizer.setReader(new StringReader(text));
            chain.stream.reset();
            while (chain.stream.incrementToken()) {
                if (terms.contains(chain.term.buffer(), chain.term.length())) {
                    if (n + 2 > hits.length) {
                        hits = Arrays.copyOf(hits, hits.length * 2);
                    }
                    hits[n++] = chain.offset.startOffset();
                    hits[n++] = chain.offset.endOffset();
                }
            }
            chain.stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                chain.stream.close();
            } catch (IOException ignored) {
                // a string reader
            }
        }
        return Arrays.copyOf(hits, n);
    }

    String snippet(String text, Terms terms) {
        int[] hits = matches(text, terms);
        int count = hits.length / 2;
        int from = 0;
        if (count > 0) {
            int best = 0;
            for (int i = 0, j = 0; i < count; i++) {
                // A single hit wider than the window (a very long word) stands alone: j never passes i.
                while (j < i && hits[2 * i + 1] - hits[2 * j] > width) {
                    j++;
                }
                if (i - j + 1 > best) {
                    best = i - j + 1;
                    from = Math.max(0, hits[2 * j] - width / 6);
                }
            }
        }
        int to = Math.min(text.length(), from + width);
        if (to - from < width) {
            from = Math.max(0, to - width);
        }
        from = wordStart(text, from);
        to = wordEnd(text, to);
        StringBuilder sb = new StringBuilder(to - from + 16);
        if (from > 0) {
            sb.append("...");
        }
        int pos = from;
        for (int i = 0; i < count; i++) {
            int start = hits[2 * i];
            int end = hits[2 * i + 1];
            if (start < from || end > to) {
                continue;
            }
            sb.append(text, pos, start).append("**").append(text, start, end).append("**");
            pos = end;
        }
        sb.append(text, pos, to);
        if (to < text.length()) {
            sb.append("...");
        }
        return WHITESPACE.matcher(sb).replaceAll(" ").strip();
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

    /** EnglishAnalyzer's chain with the prefix gate before the stemmer; one per thread, reused. */
    private static final class Chain {
        final StandardTokenizer tokenizer = new StandardTokenizer();
        final PrefixGate gate;
        final TokenStream stream;
        final CharTermAttribute term;
        final OffsetAttribute offset;

        Chain() {
            TokenStream s = new EnglishPossessiveFilter(tokenizer);
            s = new LowerCaseFilter(s);
            s = new StopFilter(s, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET);
            gate = new PrefixGate(s);
            stream = new PorterStemFilter(gate);
            term = stream.addAttribute(CharTermAttribute.class);
            offset = stream.addAttribute(OffsetAttribute.class);
        }
    }

    /** Marks tokens that cannot stem to a query term as keywords, which the Porter stemmer leaves alone. */
    private static final class PrefixGate extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final KeywordAttribute keyword = addAttribute(KeywordAttribute.class);
        Terms terms;

        PrefixGate(TokenStream in) {
            super(in);
        }

        @Override
        public boolean incrementToken() throws IOException {
            if (!input.incrementToken()) {
                return false;
            }
            if (!terms.mayMatch(term.buffer(), term.length())) {
                keyword.setKeyword(true);
            }
            return true;
        }
    }
}
