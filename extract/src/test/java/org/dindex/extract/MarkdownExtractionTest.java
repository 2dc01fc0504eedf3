package org.dindex.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkdownExtractionTest {
    @TempDir
    Path dir;

    private static final String GUIDE = """
            ---
            title: ignored front matter
            tags: [search]
            ---
            # Operator Guide

            dindex keeps **one** daemon per machine and answers queries
            over a _local_ socket.

            ## Installation

            Download the archive and unpack it.

            ### From source

            Run `./build.sh` and wait.

            ## Configuration

            Settings live in [the config file](docs/configuration.md).

            #### Deep note

            Skipped levels are not padded.

            # Appendix

            Last words.
            """;

    private static Block block(List<String> section, String text) {
        return new Block(section, text);
    }

    @Test
    void headingsBuildTheExactSectionHierarchy() throws Exception {
        Path file = dir.resolve("guide.md");
        Files.writeString(file, GUIDE);

        ExtractedDocument doc = Extractors.extract(file, 1_000_000);

        assertEquals("Operator Guide", doc.title());
        assertEquals("markdown", doc.format());
        assertEquals(List.of(
                block(List.of("Operator Guide"),
                        "dindex keeps one daemon per machine and answers queries over a local socket."),
                block(List.of("Operator Guide", "Installation"), "Download the archive and unpack it."),
                block(List.of("Operator Guide", "Installation", "From source"), "Run ./build.sh and wait."),
                block(List.of("Operator Guide", "Configuration"), "Settings live in the config file."),
                block(List.of("Operator Guide", "Configuration", "Deep note"), "Skipped levels are not padded."),
                block(List.of("Appendix"), "Last words.")), doc.blocks());
    }

    @Test
    void setextHeadingsAndClosingHashesAreHeadings() throws Exception {
        ExtractedDocument doc = Extractors.fromText("""
                Big Title
                =========

                Intro.

                Smaller  Part
                -------------

                Body.

                ### Closed heading ###

                Tail.
                """, Format.MARKDOWN, "fallback");

        assertEquals("Big Title", doc.title());
        assertEquals(List.of(
                block(List.of("Big Title"), "Intro."),
                block(List.of("Big Title", "Smaller Part"), "Body."),
                block(List.of("Big Title", "Smaller Part", "Closed heading"), "Tail.")), doc.blocks());
    }

    @Test
    void codeFenceIsOneBlockAndItsHashLinesAreNotHeadings() throws Exception {
        ExtractedDocument doc = Extractors.fromText("""
                # Scripts

                Example:

                ```bash
                # install the daemon
                ./install.sh --prefix /opt

                ## also not a heading
                ```

                ~~~
                # tilde fence
                ```
                still inside
                ~~~

                After the code.
                """, Format.MARKDOWN, null);

        assertEquals(List.of(
                block(List.of("Scripts"), "Example:"),
                block(List.of("Scripts"), "# install the daemon\n./install.sh --prefix /opt\n\n## also not a heading"),
                block(List.of("Scripts"), "# tilde fence\n```\nstill inside"),
                block(List.of("Scripts"), "After the code.")), doc.blocks());
    }

    @Test
    void unclosedFenceRunsToTheEnd() throws Exception {
        ExtractedDocument doc = Extractors.fromText("# T\n\n```\n# x\ny", Format.MARKDOWN, null);

        assertEquals(List.of(block(List.of("T"), "# x\ny")), doc.blocks());
    }

    @Test
    void inlineMarkupIsStrippedLightly() throws Exception {
        ExtractedDocument doc = Extractors.fromText("""
                A [link](https://example.com/a_(b) "Title"), an ![diagram of the bus](img/bus.png),
                *em*, __strong__, ***both***, ~~gone~~, `code *kept*`, snake_case_name,
                2 * 3 * 4, \\*escaped\\*, a <kbd>key</kbd>, <https://dindex.org>, AT&amp;T,
                a reference [label][ref]<!-- a comment --> and a footnote[^1].

                [ref]: https://example.com/ref
                """, Format.MARKDOWN, null);

        assertEquals(List.of(block(List.of(), "A link, an diagram of the bus, em, strong, both, gone, code *kept*, "
                + "snake_case_name, 2 * 3 * 4, *escaped*, a key, https://dindex.org, AT&T, "
                + "a reference label and a footnote.")), doc.blocks());
    }

    @Test
    void listsKeepOneLinePerItemAndTablesOneLinePerRow() throws Exception {
        ExtractedDocument doc = Extractors.fromText("""
                ## Steps

                - install the **package**
                - run `dindex start`
                  and wait for the socket
                * check the status

                1. first
                2. second

                | Setting | Default |
                |---------|:-------:|
                | `workers` | 2 |
                | path | a \\| b |
                """, Format.MARKDOWN, "Steps doc");

        assertEquals("Steps doc", doc.title());
        assertEquals(List.of(
                block(List.of("Steps"), "install the package\nrun dindex start and wait for the socket\n"
                        + "check the status"),
                block(List.of("Steps"), "1. first\n2. second"),
                block(List.of("Steps"), "Setting | Default\nworkers | 2\npath | a | b")), doc.blocks());
    }

    @Test
    void quotesAndIndentedCodeAreKept() throws Exception {
        ExtractedDocument doc = Extractors.fromText("""
                > Quoted *wisdom*
                > continues here.

                Paragraph.

                    indented code
                      keeps its indentation

                End.
                """, Format.MARKDOWN, null);

        assertEquals(List.of(
                block(List.of(), "Quoted wisdom continues here."),
                block(List.of(), "Paragraph."),
                block(List.of(), "indented code\n  keeps its indentation"),
                block(List.of(), "End.")), doc.blocks());
    }

    @Test
    void multiLineCommentsAndThematicBreaksDisappear() throws Exception {
        ExtractedDocument doc = Extractors.fromText("""
                Before.
                <!--
                # not a heading
                secret
                -->

                ***

                After.
                """, Format.MARKDOWN, null);

        assertEquals(List.of(block(List.of(), "Before."), block(List.of(), "After.")), doc.blocks());
        assertFalse(doc.fullText().contains("secret"));
    }

    @Test
    void onlyAParagraphNumberedOneOrABulletInterruptsAParagraph() throws Exception {
        ExtractedDocument doc = Extractors.fromText("We shipped in\n2024. It went well.\n", Format.MARKDOWN, null);

        assertEquals(List.of(block(List.of(), "We shipped in 2024. It went well.")), doc.blocks());
    }

    @Test
    void markdownWithoutTextIsEmpty() {
        ExtractionException e = org.junit.jupiter.api.Assertions.assertThrows(ExtractionException.class,
                () -> Extractors.fromText("<!-- draft -->\n\n---\n", Format.MARKDOWN, "draft"));

        assertEquals(ExtractionException.Reason.EMPTY, e.reason());
        assertEquals("draft: no text content (only markup)", e.getMessage());
    }

    @Test
    void markdownExtensionVariantsAreRecognised() throws Exception {
        Path file = dir.resolve("notes.markdown");
        Files.writeString(file, "Some *notes*.\n");

        ExtractedDocument doc = Extractors.extract(file, 1000);

        assertEquals("markdown", doc.format());
        assertEquals("notes", doc.title());
        assertTrue(doc.fullText().equals("Some notes."));
    }
}
