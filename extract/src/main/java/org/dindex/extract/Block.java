package org.dindex.extract;

import java.util.List;
import java.util.Objects;

/**
 * One block of text under a section hierarchy (headings from the top level down; empty list = no section).
 *
 * <p>Blocks are the unit the chunker works with: they never straddle a heading, so every chunk cut from a block
 * can carry the section path that tells a reader (or an LLM) where in the document the text came from.
 *
 * @param section heading titles from the outermost level inwards; immutable, never null
 * @param text    normalised, non-blank text of the block
 */
public record Block(List<String> section, String text) {
    public Block {
        section = List.copyOf(Objects.requireNonNull(section, "section"));
        Objects.requireNonNull(text, "text");
    }
}
