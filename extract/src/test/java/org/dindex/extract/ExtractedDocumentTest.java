package org.dindex.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ExtractedDocumentTest {
    private static final ExtractedDocument DOC = new ExtractedDocument("T", List.of(
            new Block(List.of("A"), "first block"),
            new Block(List.of("A", "B"), "second")), "markdown");

    @Test
    void lengthCountsBlockCharacters() {
        assertEquals(17, DOC.length());
    }

    @Test
    void fullTextJoinsBlocksWithBlankLines() {
        assertEquals("first block\n\nsecond", DOC.fullText());
    }

    @Test
    void fingerprintChangesWithHeadingsAndTitleButNotWithIdenticalContent() {
        ExtractedDocument same = new ExtractedDocument("T", List.of(
                new Block(List.of("A"), "first block"), new Block(List.of("A", "B"), "second")), "markdown");
        ExtractedDocument renamedHeading = new ExtractedDocument("T", List.of(
                new Block(List.of("A"), "first block"), new Block(List.of("A", "C"), "second")), "markdown");
        ExtractedDocument otherTitle = new ExtractedDocument(null, DOC.blocks(), "markdown");

        assertEquals(DOC.fingerprint(), same.fingerprint());
        assertEquals(DOC.fullText(), renamedHeading.fullText());
        assertNotEquals(DOC.fingerprint(), renamedHeading.fingerprint());
        assertNotEquals(DOC.fingerprint(), otherTitle.fingerprint());
        assertEquals(64, DOC.fingerprint().length());
    }

    @Test
    void recordsAreImmutableCopies() {
        List<String> section = new ArrayList<>(List.of("A"));
        Block block = new Block(section, "x");
        section.add("B");

        assertEquals(List.of("A"), block.section());
        assertThrows(UnsupportedOperationException.class, () -> DOC.blocks().add(block));
    }

    @Test
    void formatsAreChosenByExtensionIgnoringCase() {
        assertEquals(Optional.of(Format.TEXT), Format.forFileName("a.text"));
        assertEquals(Optional.of(Format.MARKDOWN), Format.forFileName("README.MD"));
        assertEquals(Optional.of(Format.HTML), Format.forFileName("index.htm"));
        assertEquals(Optional.of(Format.PDF), Format.forFileName("paper.Pdf"));
        assertEquals(Optional.empty(), Format.forFileName("Makefile"));
        assertEquals(Optional.empty(), Format.forFileName(".md"));
        assertEquals(Optional.of(Format.HTML), Format.of("html"));
        assertEquals("markdown", Format.MARKDOWN.id());
    }
}
