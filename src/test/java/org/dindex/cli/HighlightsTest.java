package org.dindex.cli;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The snippet renderer and the colour decision, alone. */
class HighlightsTest {
    @Test
    void marksBecomeColourOrNothing() {
        String snippet = "...ocean **tides** rise, pulled by the **moon**...";
        assertEquals("...ocean tides rise, pulled by the moon...", Highlights.render(snippet, false));
        assertEquals("...ocean \u001B[1;31mtides\u001B[0m rise, pulled by the \u001B[1;31mmoon\u001B[0m...",
                Highlights.render(snippet, true));
        assertEquals("no marks here", Highlights.render("no marks here", true));
        assertEquals("a lone ** stays", Highlights.render("a lone ** stays", false));
        assertEquals("x $1 \\ y", Highlights.render("x **$1** \\ y", false), "replacement text is literal");
        assertEquals(null, Highlights.render(null, true));
    }

    @Test
    void colourDecision() {
        Map<String, String> none = Map.of();
        assertTrue(Terminal.colour(Terminal.When.auto, none, () -> true));
        assertFalse(Terminal.colour(Terminal.When.auto, none, () -> false));
        assertFalse(Terminal.colour(Terminal.When.auto, Map.of("NO_COLOR", "1"), () -> true));
        assertTrue(Terminal.colour(Terminal.When.auto, Map.of("NO_COLOR", ""), () -> true));
        assertFalse(Terminal.colour(Terminal.When.auto, Map.of("TERM", "dumb"), () -> true));
        assertTrue(Terminal.colour(Terminal.When.always, Map.of("NO_COLOR", "1"), () -> false));
        assertFalse(Terminal.colour(Terminal.When.never, none, () -> true));
        assertFalse(Terminal.colour(null, none, () -> false));
    }
}
