package org.dindex.extract;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects blocks under the current section path, normalising each and dropping those left empty, so format
 * parsers only decide where blocks start and end.
 */
final class BlockSink {
    private final List<Block> blocks = new ArrayList<>();
    private final SectionTracker sections = new SectionTracker();

    /**
     * Opens a heading; returns its normalised text, or null when it is blank (a blank heading is ignored rather
     * than opening a nameless section).
     */
    String heading(int level, String text) {
        String title = TextNormalizer.singleLine(text);
        if (title.isEmpty()) {
            return null;
        }
        sections.enter(level, title);
        return title;
    }

    /** Adds prose; whitespace is collapsed, lines are kept. */
    void prose(String text) {
        add(TextNormalizer.prose(text));
    }

    /** Adds preformatted text (code); indentation is kept. */
    void preformatted(String text) {
        add(TextNormalizer.preformatted(text));
    }

    private void add(String text) {
        if (!text.isEmpty()) {
            blocks.add(new Block(sections.current(), text));
        }
    }

    List<Block> blocks() {
        return List.copyOf(blocks);
    }
}
