package org.dindex.search;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.dindex.index.IndexFields;
import org.dindex.support.Europarl;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snippet highlighting matches exactly what the BM25 analyzer matches, on real text. */
class SnippetsTest {
    final Snippets snippets = new Snippets(IndexFields.ANALYZER, 300);

    /** The reference: every token of {@code text} whose analyzed form is an analyzed query term. */
    static int[] reference(String text, String query) throws Exception {
        Set<String> terms = new HashSet<>();
        List<Integer> out = new ArrayList<>();
        try (TokenStream ts = IndexFields.ANALYZER.tokenStream("text", query)) {
            CharTermAttribute t = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                terms.add(t.toString());
            }
            ts.end();
        }
        try (TokenStream ts = IndexFields.ANALYZER.tokenStream("text", text)) {
            CharTermAttribute t = ts.addAttribute(CharTermAttribute.class);
            OffsetAttribute o = ts.addAttribute(OffsetAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                if (terms.contains(t.toString())) {
                    out.add(o.startOffset());
                    out.add(o.endOffset());
                }
            }
            ts.end();
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void matchesAreTheAnalyzersOnRealText() throws Exception {
        List<Europarl.Line> lines = Europarl.english(400);
        Random random = new Random(7);
        int matched = 0;
        for (int i = 0; i < 400; i++) {
            String text = lines.get(i).text();
            // Query words from this line and another, inflected to exercise the stemmer.
            String[] words = (text + " " + lines.get(random.nextInt(lines.size())).text()).split("\\s+");
            StringBuilder q = new StringBuilder();
            for (int k = 0; k < 6; k++) {
                String w = words[random.nextInt(words.length)];
                q.append(w).append(switch (k % 3) {
                    case 0 -> "";
                    case 1 -> "s";
                    default -> "ing";
                }).append(' ');
            }
            String query = q + "agreed happiness Commission's running";
            int[] expected = reference(text, query);
            assertArrayEquals(expected, snippets.matches(text, snippets.terms(query)), query + "\n" + text);
            matched += expected.length / 2;
        }
        assertTrue(matched > 400, "the queries matched something: " + matched);
    }

    @Test
    void stemsMatchAcrossInflectionsAndTheWindowHoldsTheMatches() {
        String text = "Filler words come first. ".repeat(40)
                + "The committees agreed; the committee agrees, happily running the happiest runs.";
        String s = snippets.snippet(text, snippets.terms("committee agree run"));
        assertTrue(s.startsWith("..."), s);
        for (String hit : List.of("**committees**", "**committee**", "**agreed**", "**agrees**", "**running**",
                "**runs**")) {
            assertTrue(s.contains(hit), hit + " in " + s);
        }
        assertEquals(-1, s.indexOf("  "), "whitespace collapsed");
        assertEquals("no match here", snippets.snippet("no match here", snippets.terms("zebra")));
        assertEquals("text", snippets.snippet("text", snippets.terms("the of")), "stop words only");
    }
}
