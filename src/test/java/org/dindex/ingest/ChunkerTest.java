package org.dindex.ingest;

import org.dindex.embed.ModelCatalog;
import org.dindex.embed.OnnxEmbedder;
import org.dindex.extract.Block;
import org.dindex.extract.ExtractedDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chunking with the real tokenizer: limits, boundaries, sections, overlap, positions. */
class ChunkerTest {
    static OnnxEmbedder model;

    @BeforeAll
    static void load() {
        model = OnnxEmbedder.load(ModelCatalog.byName("all-minilm-l6-v2-q").orElseThrow(), 1);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static String sentence(Random r, int words) {
        String[] vocab = {"parliament", "council", "agreement", "fisheries", "budget", "commission", "vote",
                "member", "states", "regulation", "proposal", "committee", "report", "policy", "energy", "market"};
        StringBuilder sb = new StringBuilder("The");
        for (int i = 0; i < words; i++) {
            sb.append(' ').append(vocab[r.nextInt(vocab.length)]);
        }
        return sb.append('.').toString();
    }

    @Test
    void noChunkExceedsTheLimitWhateverTheInput() {
        Random r = new Random(1);
        Chunker chunker = new Chunker(model.tokenizer(), new Chunker.Options(64, 10));
        for (int trial = 0; trial < 20; trial++) {
            List<Block> blocks = new ArrayList<>();
            for (int b = 0; b < 1 + r.nextInt(8); b++) {
                StringBuilder p = new StringBuilder();
                for (int s = 0; s < 1 + r.nextInt(12); s++) {
                    p.append(sentence(r, 3 + r.nextInt(trial % 3 == 0 ? 200 : 30))).append(' ');
                }
                blocks.add(new Block(List.of("S" + (b / 3)), p.toString().strip()));
            }
            List<Chunk> chunks = chunker.chunk(new ExtractedDocument("t", blocks, "text"));
            assertTrue(!chunks.isEmpty());
            double lastPosition = -1;
            for (Chunk c : chunks) {
                assertTrue(model.tokenizer().count(c.text()) <= 64, "chunk of " + model.tokenizer().count(c.text()) + " tokens");
                assertEquals(model.tokenizer().count(c.text()), c.tokens());
                assertTrue(c.position() >= 0 && c.position() <= 1);
                assertTrue(c.position() >= lastPosition - 0.5, "positions move forward (overlap may step back)");
                lastPosition = c.position();
            }
        }
    }

    @Test
    void smallDocumentIsOneChunkAndSectionsNeverMix() {
        Chunker chunker = Chunker.Options.forModel(256, 2).maxTokens() > 0
                ? new Chunker(model.tokenizer(), Chunker.Options.forModel(256, 2)) : null;
        List<Chunk> one = chunker.chunk(new ExtractedDocument("t", List.of(new Block(List.of(), "Short text.")),
                "text"));
        assertEquals(1, one.size());
        assertEquals("Short text.", one.getFirst().text());
        assertEquals(0.0, one.getFirst().position());

        List<Chunk> two = chunker.chunk(new ExtractedDocument("t", List.of(
                new Block(List.of("Intro"), "First section text."),
                new Block(List.of("Intro", "Details"), "Second section text.")), "markdown"));
        assertEquals(2, two.size());
        assertEquals(List.of("Intro"), two.get(0).section());
        assertEquals(List.of("Intro", "Details"), two.get(1).section());
        assertTrue(two.get(1).position() > 0.4, "position is over the whole document");
    }

    @Test
    void longTextSplitsAtSentencesWithOverlap() {
        Random r = new Random(3);
        List<String> sentences = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            sentences.add(sentence(r, 8 + r.nextInt(6)));
        }
        Chunker chunker = new Chunker(model.tokenizer(), new Chunker.Options(100, 20));
        List<Chunk> chunks = chunker.chunk(new ExtractedDocument("t",
                List.of(new Block(List.of(), String.join(" ", sentences))), "text"));
        assertTrue(chunks.size() >= 4);
        for (Chunk c : chunks) {
            assertTrue(c.text().endsWith("."), "cut at a sentence end: " + c.text());
        }
        int overlapping = 0;
        for (int i = 1; i < chunks.size(); i++) {
            String prev = chunks.get(i - 1).text();
            String firstSentence = chunks.get(i).text().substring(0, chunks.get(i).text().indexOf('.') + 1);
            if (prev.endsWith(firstSentence)) {
                overlapping++;
            }
        }
        assertTrue(overlapping >= chunks.size() / 2, "consecutive chunks share trailing sentences: " + overlapping);
    }

    @Test
    void unbrokenTextIsCutAtTokenBoundaries() {
        String noSentences = "word ".repeat(500).strip();
        Chunker chunker = new Chunker(model.tokenizer(), new Chunker.Options(50, 5));
        List<Chunk> chunks = chunker.chunk(new ExtractedDocument("t", List.of(new Block(List.of(), noSentences)),
                "text"));
        assertTrue(chunks.size() >= 10);
        chunks.forEach(c -> {
            assertTrue(c.tokens() <= 50);
            assertTrue(c.text().startsWith("word") && c.text().endsWith("word"), "whole tokens: " + c.text());
        });
    }
}
