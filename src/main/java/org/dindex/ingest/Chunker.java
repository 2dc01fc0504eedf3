package org.dindex.ingest;

import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;
import org.dindex.config.StartupException;
import org.dindex.embed.Embedder;
import org.dindex.embed.OnnxEmbedder;
import org.dindex.embed.TokenCounter;
import org.dindex.extract.Block;
import org.dindex.extract.ExtractedDocument;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Token-aware chunking with the active model's tokenizer. Text is cut at paragraph boundaries first, then at
 * sentence boundaries, and only as a last resort at token boundaries; consecutive chunks of one section share about
 * {@code overlapTokens} tokens of trailing sentences or paragraphs. A chunk never spans two sections and never exceeds
 * {@code maxTokens} (checked by counting the final text, not by summing parts).
 */
public final class Chunker {
    /**
     * @param maxTokens     the most tokens in a chunk, special tokens excluded
     * @param overlapTokens tokens repeated from the end of one chunk at the start of the next
     */
    public record Options(int maxTokens, int overlapTokens) {
        public Options {
            if (maxTokens < 16) {
                throw new IllegalArgumentException("chunk size must be at least 16 tokens, got " + maxTokens);
            }
            if (overlapTokens < 0 || overlapTokens >= maxTokens / 2) {
                throw new IllegalArgumentException("chunk overlap must be between 0 and half the chunk size ("
                        + maxTokens / 2 + "), got " + overlapTokens);
            }
        }

        /** Defaults for a model: chunks fill its sequence length (at most 256 tokens), ~15% overlap. */
        public static Options forModel(int maxSequenceTokens, int specialTokens) {
            int max = Math.min(256, maxSequenceTokens) - specialTokens;
            return new Options(max, Math.round(max * 0.15f));
        }

        /**
         * What the configuration sets ({@code chunk.max_tokens}, {@code chunk.overlap_tokens}), each defaulting to
         * the model's.
         *
         * @throws StartupException when the settings are out of range
         */
        public static Options from(DaemonConfig config, Embedder embedder) {
            Options defaults = forModel(embedder instanceof OnnxEmbedder o ? o.spec().maxSequenceTokens() : 256,
                    embedder.tokenizer().specialTokens());
            int max = config.getInt(Settings.CHUNK_MAX_TOKENS);
            int overlap = config.getInt(Settings.CHUNK_OVERLAP_TOKENS);
            int size = max == 0 ? defaults.maxTokens() : max;
            try {
                return new Options(size, overlap < 0 ? Math.round(size * 0.15f) : overlap);
            } catch (IllegalArgumentException e) {
                throw new StartupException("invalid chunking settings: " + e.getMessage());
            }
        }
    }

    /** A unit of text the packer places whole: a paragraph, a sentence or a token window. */
    private record Unit(String text, int start, int tokens, int block) {
    }

    private final TokenCounter tokenizer;
    private final Options options;

    public Chunker(TokenCounter tokenizer, Options options) {
        this.tokenizer = tokenizer;
        this.options = options;
    }

    public Options options() {
        return options;
    }

    public List<Chunk> chunk(ExtractedDocument doc) {
        List<Chunk> chunks = new ArrayList<>();
        double total = Math.max(1, doc.fullText().length());
        int offset = 0;
        List<Unit> group = new ArrayList<>();
        List<String> section = null;
        List<Block> blocks = doc.blocks();
        for (int b = 0; b < blocks.size(); b++) {
            Block block = blocks.get(b);
            if (section != null && !section.equals(block.section())) {
                pack(group, section, total, chunks);
                group.clear();
            }
            section = block.section();
            split(block.text(), offset, b, group);
            offset += block.text().length() + 2;
        }
        if (section != null) {
            pack(group, section, total, chunks);
        }
        return chunks;
    }

    /** Adds {@code text} as one unit, or as sentences, or as token windows, whichever first fits the limit. */
    private void split(String text, int offset, int block, List<Unit> out) {
        int tokens = tokenizer.count(text);
        if (tokens <= options.maxTokens()) {
            out.add(new Unit(text, offset, tokens, block));
            return;
        }
        BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ROOT);
        sentences.setText(text);
        int from = sentences.first();
        for (int to = sentences.next(); to != BreakIterator.DONE; from = to, to = sentences.next()) {
            String sentence = text.substring(from, to);
            String trimmed = sentence.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int lead = sentence.indexOf(trimmed.charAt(0));
            int count = tokenizer.count(trimmed);
            if (count <= options.maxTokens()) {
                out.add(new Unit(trimmed, offset + from + lead, count, block));
            } else {
                windows(trimmed, offset + from + lead, block, out);
            }
        }
    }

    /** Cuts an over-long sentence at token boundaries into windows of at most {@code maxTokens} tokens. */
    private void windows(String text, int offset, int block, List<Unit> out) {
        List<Integer> ends = tokenizer.tokenEnds(text);
        int start = 0;
        for (int i = 0; i < ends.size(); i += options.maxTokens()) {
            int last = Math.min(ends.size(), i + options.maxTokens()) - 1;
            int end = Math.min(text.length(), ends.get(last));
            String piece = text.substring(start, end).strip();
            if (!piece.isEmpty()) {
                out.add(new Unit(piece, offset + start, Math.min(options.maxTokens(), last - i + 1), block));
            }
            start = end;
        }
    }

    private void pack(List<Unit> units, List<String> section, double total, List<Chunk> out) {
        List<Unit> current = new ArrayList<>();
        int tokens = 0;
        for (Unit unit : units) {
            if (!current.isEmpty() && tokens + unit.tokens() > options.maxTokens()) {
                emit(current, section, total, out);
                List<Unit> overlap = overlap(current, unit.tokens());
                current = new ArrayList<>(overlap);
                tokens = overlap.stream().mapToInt(Unit::tokens).sum();
            }
            current.add(unit);
            tokens += unit.tokens();
        }
        if (!current.isEmpty()) {
            emit(current, section, total, out);
        }
    }

    /** The trailing units of {@code previous} worth at most the overlap, and leaving room for the next unit. */
    private List<Unit> overlap(List<Unit> previous, int nextTokens) {
        List<Unit> tail = new ArrayList<>();
        int tokens = 0;
        for (int i = previous.size() - 1; i > 0; i--) {
            Unit u = previous.get(i);
            if (tokens + u.tokens() > options.overlapTokens()
                    || tokens + u.tokens() + nextTokens > options.maxTokens()) {
                break;
            }
            tail.addFirst(u);
            tokens += u.tokens();
        }
        return tail;
    }

    private void emit(List<Unit> units, List<String> section, double total, List<Chunk> out) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < units.size(); i++) {
            if (i > 0) {
                text.append(units.get(i).block() == units.get(i - 1).block() ? " " : "\n\n");
            }
            text.append(units.get(i).text());
        }
        String joined = text.toString();
        // WordPiece-style tokenizers split on whitespace first, so joining units with whitespace adds no tokens and
        // the sum is exact; the text is recounted only near the limit, where a mistake would matter.
        int sum = units.stream().mapToInt(Unit::tokens).sum();
        int count = sum < options.maxTokens() * 0.9 ? sum : tokenizer.count(joined);
        if (count > options.maxTokens() && units.size() > 1) {
            // Joining added tokens the parts did not have: emit the parts on their own.
            for (Unit u : units) {
                emit(List.of(u), section, total, out);
            }
            return;
        }
        int start = units.getFirst().start();
        out.add(new Chunk(joined, List.copyOf(section), start, Math.min(1.0, start / total), count));
    }
}
