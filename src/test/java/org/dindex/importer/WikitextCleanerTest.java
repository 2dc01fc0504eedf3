package org.dindex.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.dindex.extract.Block;
import org.junit.jupiter.api.Test;

class WikitextCleanerTest {
    /** What no cleaned text may contain: all of it is markup. */
    private static final List<String> MARKERS = List.of("'''", "''", "[[", "]]", "{{", "}}", "<ref", "Category:",
            "==", "__NOTOC__", "{|", "|}", "<!--");

    /** A realistic article: infobox with nested templates, references, a table, an image, lists, link sections. */
    private static final String ARTICLE = """
            {{Short description|City in the Czech Republic}}
            {{Use dmy dates|date=March 2024}}
            {{Infobox settlement
            | name                    = Brno
            | official_name           = Statutární město Brno
            | image_skyline           = {{multiple image
              | border   = infobox
              | image1   = Brno Cathedral.jpg
              | caption1 = [[Cathedral of St. Peter and Paul, Brno|Cathedral]]
              }}
            | population_total        = 382405<ref name="pop2023">{{cite web |url=https://www.czso.cz/ \
            |title=Population of Municipalities |publisher=[[Czech Statistical Office]] |date=2023}}</ref>
            | coordinates             = {{coord|49|11|33|N|16|36|28|E|region:CZ|display=inline,title}}
            | website                 = {{URL|brno.cz}}
            }}
            __NOTOC__
            '''Brno''' ({{IPA-cs|ˈbr̩no|lang}}; {{lang-de|Brünn}}) is a [[Statutory city (Czech Republic)|city]] \
            in the [[South Moravian Region]] of the [[Czech Republic]]. It is the second-largest city in the \
            country,<ref name="pop2023" /> and the historical capital of [[Moravia]].<ref>{{cite book |last=Smith \
            |first=Jan |title=Moravian Towns |publisher=Academia |year=1999 |page=42}}</ref>

            Brno lies at the [[confluence]] of the [[Svitava (river)|Svitava]] and [[Svratka (river)|Svratka]] rivers.
            The city is known for its ''[[Functionalism (architecture)|functionalist]]'' architecture and for \
            hosting the [[Czech Republic motorcycle Grand Prix|motorcycle Grand Prix]].<!-- TODO: tourism numbers -->

            [[File:Brno Špilberk.jpg|thumb|upright=1.2|[[Špilberk Castle]] seen from the [[Old Town (Brno)|Old Town]]]]

            == History ==
            {{Main|History of Brno}}
            The first [[Slavs|Slavic]] settlement dates to the 9th century. In 1243 Brno was granted \
            [[town privileges]] by King [[Wenceslaus I of Bohemia|Wenceslaus&nbsp;I]].\
            <ref>{{harvnb|Novák|2005|p=17}}</ref>

            === Siege of 1645 ===
            During the [[Thirty Years' War]], the city withstood a [[Siege of Brno (1645)|siege]] by the \
            [[Swedish Empire|Swedish]] army.{{citation needed|date=May 2020}}

            == Geography ==
            {| class="wikitable" style="text-align:center"
            |+ Climate data for Brno
            ! Month !! Jan !! Jul
            |-
            | Mean (°C) || −2.5 || 19.8<ref name="chmi" />
            |}
            The climate is [[Humid continental climate|humid continental]] (''Dfb'').

            === Districts ===
            The city is divided into 29 [[List of districts of Brno|districts]]:
            * [[Brno-střed]] &ndash; the centre
            * [[Brno-sever]]
            ** [[Husovice]]
            # Královo Pole
            ; Note : Numbers are from 2021.

            == See also ==
            * [[List of people from Brno]]
            * [[Brno Exhibition Centre]]

            == References ==
            {{Reflist}}

            === Sources ===
            * {{cite book |last=Novák |title=Dějiny Brna |year=2005}}

            == External links ==
            {{Commons category|Brno}}
            * [https://www.brno.cz Official website]
            * [https://www.gotobrno.cz]

            {{Navboxes|list=
            {{Brno}}
            {{South Moravian Region}}
            }}
            {{Authority control}}

            [[Category:Brno| ]]
            [[Category:Cities and towns in the Czech Republic]]
            [[de:Brünn]]
            [[cs:Brno]]
            """;

    @Test
    void realisticArticleBecomesCleanBlocksUnderTheirSections() {
        List<Block> blocks = WikitextCleaner.clean(ARTICLE);

        assertEquals(List.of(
                new Block(List.of(), "Brno is a city in the South Moravian Region of the Czech Republic. It is the "
                        + "second-largest city in the country, and the historical capital of Moravia."),
                new Block(List.of(), "Brno lies at the confluence of the Svitava and Svratka rivers. The city is "
                        + "known for its functionalist architecture and for hosting the motorcycle Grand Prix."),
                new Block(List.of("History"), "The first Slavic settlement dates to the 9th century. In 1243 Brno "
                        + "was granted town privileges by King Wenceslaus I."),
                new Block(List.of("History", "Siege of 1645"),
                        "During the Thirty Years' War, the city withstood a siege by the Swedish army."),
                new Block(List.of("Geography"), "The climate is humid continental (Dfb)."),
                new Block(List.of("Geography", "Districts"), "The city is divided into 29 districts:"),
                new Block(List.of("Geography", "Districts"),
                        "Brno-střed – the centre\nBrno-sever\nHusovice\nKrálovo Pole\nNote : Numbers are from 2021.")),
                blocks);
        assertNoMarkup(blocks);
    }

    @Test
    void stubWithCategoriesInterlanguageLinksAndSortKeyKeepsOnlyTheSentence() {
        String stub = """
                {{Use British English|date=May 2019}}
                {{Infobox person
                | name       = Ada Example
                | birth_date = {{birth date|1815|12|10|df=y}}
                | known_for  = {{hlist|[[Analytical Engine]]|[[Note G]]}}
                }}
                '''Ada Example''' (10 December 1815 – 27 November 1852) was an English [[mathematician]].\
                <ref>{{Cite web|title=Ada|url=http://example.org/ada}}</ref>
                {{Authority control}}

                {{DEFAULTSORT:Example, Ada}}
                [[Category:1815 births]]
                [[category:English mathematicians|Example, Ada]]
                [[ Category : Women in computing ]]
                [[fr:Ada Example]]
                [[zh-yue:艾達]]
                [[simple:Ada Example]]
                """;
        assertEquals(List.of(new Block(List.of(),
                        "Ada Example (10 December 1815 – 27 November 1852) was an English mathematician.")),
                WikitextCleaner.clean(stub));
    }

    @Test
    void imagesAndMediaWithNestedLinksInCaptionsAreRemoved() {
        String text = """
                Before.[[File:Map of Brno.svg|thumb|left|220px|Map showing [[Brno]] in [[Moravia|the region]] \
                ({{convert|230|km2}})]] After.
                [[Image:Old.png|frameless]][[Media:Anthem.ogg|listen]]Text [[Datei:Karte.png|mini|Karte]]end.
                """;
        assertEquals(List.of(new Block(List.of(), "Before. After. Text end.")), WikitextCleaner.clean(text));
    }

    @Test
    void internalLinksShowTheirLabelOrTargetWithLinkTrail() {
        String text = "[[Paris]] is the capital of [[France|the French Republic]]. Many [[bridge]]s cross the "
                + "[[Seine (river)|]]. See [[:Category:Bridges in Paris]], [[#Geography|below]] and "
                + "[[wikt:bridge|Wiktionary]]; [[Help:Contents]].";
        assertEquals("Paris is the capital of the French Republic. Many bridges cross the Seine. See Bridges in "
                        + "Paris, below and Wiktionary; Help:Contents.",
                onlyText(WikitextCleaner.clean(text)));
    }

    @Test
    void externalLinksShowTheirLabelAndBareOnesDisappear() {
        String text = "The [https://www.example.org/report.pdf 2019 report] was cited[https://example.org/1]; see "
                + "[//example.org protocol-relative], [mailto:info@example.org mail us], [not a link] and "
                + "https://example.org/plain.";
        assertEquals("The 2019 report was cited; see protocol-relative, mail us, [not a link] and "
                + "https://example.org/plain.", onlyText(WikitextCleaner.clean(text)));
    }

    @Test
    void boldAndItalicQuotesAreStripped() {
        String text = "'''''Both''''' and '''bold''' and ''italic'' and ''''four'''' and it's ''[[Link]]''.";
        assertEquals("Both and bold and italic and 'four' and it's Link.", onlyText(WikitextCleaner.clean(text)));
    }

    @Test
    void entitiesAreDecoded() {
        String text = "Fish &amp; chips &ndash; 5&nbsp;km, &lt;b&gt; &copy; &#8364;10 &#x41; &quot;q&quot;";
        assertEquals("Fish & chips – 5 km, <b> © €10 A \"q\"", onlyText(WikitextCleaner.clean(text)));
    }

    @Test
    void htmlTagsAreStrippedButTheirTextKept() {
        String text = "Text with <span style=\"color:red\">red</span>, <small>small</small>, x<sup>2</sup> and "
                + "<abbr title=\"North Atlantic Treaty Organization\">NATO</abbr>.<br />New line<br>third.\n"
                + "<div class=\"center\">Centered</div> <center>old</center> <poem>A poem</poem>";
        assertEquals("Text with red, small, x2 and NATO.\nNew line\nthird. Centered old A poem",
                onlyText(WikitextCleaner.clean(text)));
    }

    @Test
    void referencesFormulasGalleriesAndCommentsAreRemovedWithTheirContent() {
        String text = """
                Claim one.<ref name="a">{{cite journal|title=X|journal=[[Nature]]}}</ref> Claim two.<ref name=a/>\
                <ref group="note">A note with [[link]].</ref> Energy is <math>E = mc^2</math> here.\
                <!-- a comment with [[link]] and {{template}} --> Done.
                <gallery mode="packed">
                File:A.jpg|Caption [[A]]
                </gallery>
                <references />
                <REFERENCES>
                <ref name="b">Defined in the list.</ref>
                </REFERENCES>
                After<!-- never closed comment hides the rest, as in MediaWiki
                Hidden.
                """;
        assertEquals(List.of(new Block(List.of(), "Claim one. Claim two. Energy is here. Done."),
                new Block(List.of(), "After")), WikitextCleaner.clean(text));
    }

    @Test
    void nowikiAndPreKeepTheirContentAsText() {
        List<Block> blocks = WikitextCleaner.clean(
                "Write <nowiki>''italic''</nowiki> for italics and <nowiki>[[link]]</nowiki> for links; "
                        + "a&lt;b and <nowiki/>x < y > z.");
        assertEquals("Write ''italic'' for italics and [[link]] for links; a<b and x < y > z.", onlyText(blocks));
    }

    @Test
    void tablesAreRemovedIncludingNestedAndIndentedOnes() {
        String text = """
                Before the table.
                {| class="wikitable"
                |-
                ! Name !! Value
                |-
                | {{flag|Czech Republic}} || [[Brno]]
                |-
                |
                {| class="nested"
                | inner [[cell]]
                |}
                |}
                After the table.
                :{| class="indented"
                | indented cell
                |}
                End.
                """;
        assertEquals(List.of(new Block(List.of(), "Before the table."), new Block(List.of(), "After the table."),
                new Block(List.of(), "End.")), WikitextCleaner.clean(text));
    }

    @Test
    void magicWordsAndParserFunctionsAreRemoved() {
        String text = "__NOTOC__ __NOEDITSECTION__ Text{{#if:{{{1|}}}|yes|{{#expr: 1 + 1}}}} here.__TOC__ "
                + "{{{param|default}}} more {{lc:ABC}}.";
        assertEquals("Text here. more.", onlyText(WikitextCleaner.clean(text)));
    }

    @Test
    void punctuationLeftDanglingByRemovedTemplatesIsTidied() {
        String text = "'''Foo''' ({{IPA|fuː}}) calls main() first{{efn|Since 2001.}} , then "
                + "({{lang|de|Fu}}; born 1950) it ends{{citation needed}} .";
        assertEquals("Foo calls main() first, then (born 1950) it ends.", onlyText(WikitextCleaner.clean(text)));
    }

    @Test
    void headingsBuildTheSectionHierarchy() {
        String text = """
                Intro text.
                == '''Early''' [[life]] ==
                Born.
                === Education<ref>Source.</ref> ===
                Studied.
                ==== At school ====
                Deep.
                === Career ===
                Worked.
                ==Legacy==\s
                Remembered.
                """;
        assertEquals(List.of(
                new Block(List.of(), "Intro text."),
                new Block(List.of("Early life"), "Born."),
                new Block(List.of("Early life", "Education"), "Studied."),
                new Block(List.of("Early life", "Education", "At school"), "Deep."),
                new Block(List.of("Early life", "Career"), "Worked."),
                new Block(List.of("Legacy"), "Remembered.")), WikitextCleaner.clean(text));
    }

    @Test
    void linkListSectionsAreDroppedWithTheirSubsections() {
        for (String name : List.of("References", "External links", "See also", "Further reading", "Notes",
                "Sources", "Bibliography", "notes and references")) {
            String text = "== Body ==\nKept.\n== " + name + " ==\n* [[Something]]\n=== Sub ===\nsub text\n"
                    + "== Later ==\nAlso kept.\n";
            assertEquals(List.of(new Block(List.of("Body"), "Kept."), new Block(List.of("Later"), "Also kept.")),
                    WikitextCleaner.clean(text), name);
        }
    }

    @Test
    void paragraphsAndListsBecomeBlocks() {
        String text = """
                First paragraph,
                continued on the next line.

                Second paragraph.
                * item one
                *item two
                #: numbered and indented
                ----
                ; Term
                : Definition
                Trailing paragraph.
                """;
        assertEquals(List.of(
                new Block(List.of(), "First paragraph, continued on the next line."),
                new Block(List.of(), "Second paragraph."),
                new Block(List.of(), "item one\nitem two\nnumbered and indented"),
                new Block(List.of(), "Term\nDefinition"),
                new Block(List.of(), "Trailing paragraph.")), WikitextCleaner.clean(text));
    }

    @Test
    void emptyAndMarkupOnlyInputGivesNoBlocks() {
        assertEquals(List.of(), WikitextCleaner.clean(null));
        assertEquals(List.of(), WikitextCleaner.clean(" \n "));
        assertEquals(List.of(), WikitextCleaner.clean("{{Infobox|a=b}}\n[[Category:X]]\n__NOTOC__\n== See also =="));
    }

    @Test
    void brokenMarkupNeitherThrowsNorLeavesMarkers() {
        String broken = """
                Start {{unclosed template [[Link|label]] and text.

                Stray closers }} and ]] and |} here.
                [[Unclosed link and {{a|{{b}} text
                ''unbalanced italic and '''bold
                {| unclosed table
                | cell
                == Heading with {{broken ==
                <ref>never closed ref
                [[File:Broken.jpg|thumb|caption [[nested
                ==
                =
                End.""";
        List<Block> blocks = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> WikitextCleaner.clean(broken));
        assertNoMarkup(blocks);
        assertTrue(blocks.getLast().text().endsWith("End."), blocks.toString());
    }

    @Test
    void pathologicalNestingStaysFast() {
        List<String> inputs = List.of(
                "{{".repeat(200_000) + "x" + "}}".repeat(100_000),
                "[[".repeat(200_000) + "x" + "]]".repeat(200_000),
                "<ref>".repeat(100_000) + "text",
                "{|\n".repeat(100_000) + "text",
                "[http://x ".repeat(100_000) + "text",
                "'".repeat(300_000) + "text",
                "<span ".repeat(100_000) + "text");
        for (String input : inputs) {
            List<Block> blocks =
                    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> WikitextCleaner.clean(input));
            assertNoMarkup(blocks);
        }
    }

    @Test
    void twoMegabyteArticleCleansQuickly() {
        StringBuilder article = new StringBuilder();
        for (int i = 0; article.length() < 2_000_000; i++) {
            article.append("== Section ").append(i).append(" ==\n")
                    .append(ARTICLE, 0, ARTICLE.indexOf("== See also"));
        }
        String big = article.toString();
        List<Block> blocks = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> WikitextCleaner.clean(big));
        assertTrue(blocks.size() > 1000, "blocks: " + blocks.size());
        assertNoMarkup(blocks);
    }

    private static String onlyText(List<Block> blocks) {
        assertEquals(1, blocks.size(), () -> "expected one block: " + blocks);
        assertEquals(List.of(), blocks.getFirst().section());
        return blocks.getFirst().text();
    }

    private static void assertNoMarkup(List<Block> blocks) {
        for (Block block : blocks) {
            for (String text : concat(block.section(), block.text())) {
                assertFalse(text.isBlank(), () -> "blank text in " + block);
                for (String marker : MARKERS) {
                    assertFalse(text.contains(marker), () -> "'" + marker + "' left in " + block);
                }
            }
        }
    }

    private static List<String> concat(List<String> section, String text) {
        List<String> all = new java.util.ArrayList<>(section);
        all.add(text);
        return all;
    }
}
