package org.dindex.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Pathological input must neither overflow the stack (java.util.regex recurses per repetition of a group) nor
 * take quadratic time; each case here once did one or the other.
 */
class RobustnessTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final int N = 100_000;

    private static ExtractedDocument markdown(String text) {
        return assertTimeoutPreemptively(LIMIT, () -> Extractors.fromText(text, Format.MARKDOWN, "x"));
    }

    @Test
    void hugeTableDelimiterRow() {
        assertEquals(1, markdown("a|b\n" + "|-".repeat(N) + "|\n").blocks().size());
        assertEquals(1, markdown("a|b\n" + "|-".repeat(N) + "x\n").blocks().size());
    }

    @Test
    void hugeThematicBreakAndQuoteMarkers() {
        assertEquals("text", markdown("text\n\n" + "- ".repeat(N) + "\n").fullText());
        assertEquals("deep", markdown("> ".repeat(N) + "deep").fullText());
    }

    @Test
    void hugeLinksAndAutolinks() {
        assertEquals("a", markdown("[a](" + "x".repeat(3 * N) + ")").fullText());
        assertEquals(1, markdown("[a](" + "(a)".repeat(N) + ")").blocks().size());
        assertEquals(1, markdown("<a@b" + ".c".repeat(N) + ">").blocks().size());
    }

    @Test
    void manyUnclosedInlineMarkers() {
        for (String seed : List.of("*a ", "_a ", "~~a ", "[a ", "![a ", "`a ", "<a ")) {
            assertEquals(1, markdown(seed.repeat(N / seed.length())).blocks().size(), seed);
        }
    }

    @Test
    void longRunsOfBlankLines() throws Exception {
        String text = "a" + "\n \t".repeat(3 * N) + "\nb";
        ExtractedDocument doc = assertTimeoutPreemptively(LIMIT, () -> Extractors.fromText(text, Format.TEXT, "x"));
        assertEquals("a\n\nb", doc.fullText());
    }

    @Test
    void longRunOfSpacesInAHeading() {
        assertEquals("x", markdown("#" + " ".repeat(N) + "x" + " ".repeat(N) + "#\n\ntext").title());
    }

    @Test
    void deeplyNestedHtml() {
        String html = "<div>".repeat(20_000) + "deep text" + "</div>".repeat(20_000);
        ExtractedDocument doc = assertTimeoutPreemptively(LIMIT, () -> Extractors.fromText(html, Format.HTML, "x"));
        assertEquals("deep text", doc.fullText());
    }

    @Test
    void markupOnlyMarkdownIsEmptyNotAnError() {
        ExtractionException e = assertThrows(ExtractionException.class,
                () -> Extractors.fromText("- - -\n\n***\n", Format.MARKDOWN, "x"));
        assertEquals(ExtractionException.Reason.EMPTY, e.reason());
    }
}
