package org.dindex.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class SimHashTest {
    @Test
    void identicalTextsHaveIdenticalFingerprintsRegardlessOfCaseAndPunctuation() {
        assertEquals(SimHash.of("Hello, World! How are you?"), SimHash.of("hello world how   are you"));
        assertEquals(0, SimHash.distance(SimHash.of(Prose.of(1, 300)), SimHash.of(Prose.of(1, 300))));
    }

    @Test
    void oneChangedWordInALongTextStaysWithinTheNearDuplicateDistance() {
        String text = Prose.of(7, 1500);
        String changed = Prose.replaceWord(text, 700, "zebra");
        assertNotEquals(text, changed);
        int d = SimHash.distance(SimHash.of(text), SimHash.of(changed));
        assertTrue(d <= DuplicateDetector.NEAR_DUPLICATE_DISTANCE, "distance " + d);
    }

    @Test
    void unrelatedTextsAreFarApart() {
        for (int seed = 10; seed < 20; seed++) {
            int d = SimHash.distance(SimHash.of(Prose.of(seed, 400)), SimHash.of(Prose.of(seed + 100, 400)));
            assertTrue(d > 10, "seed " + seed + " distance " + d);
        }
        int d = SimHash.distance(SimHash.of("About the example project and its people"),
                SimHash.of("Contact us by mail or telephone during office hours"));
        assertTrue(d > DuplicateDetector.NEAR_DUPLICATE_DISTANCE, "distance " + d);
    }

    @Test
    void wordsAreLowerCaseLetterAndDigitRuns() {
        assertEquals(List.of("crawl", "v2", "café", "s", "ok"), SimHash.words("Crawl-v2: CAFÉ's  ok!"));
        assertEquals(0, SimHash.of(""));
        assertNotEquals(0, SimHash.of("one"));
    }

    @Test
    void detectorFindsExactAndNearDuplicatesAndForgetsRemovedPages() {
        DuplicateDetector detector = new DuplicateDetector();
        String guide = Prose.of(3, 1500);
        detector.add("http://h/guide", DuplicateDetector.fingerprint(guide));
        detector.add("http://h/about", DuplicateDetector.fingerprint("About the project."));

        Optional<DuplicateDetector.Match> exact = detector.find(DuplicateDetector.fingerprint("About the project."));
        assertEquals(Optional.of(new DuplicateDetector.Match("http://h/about", true, 0)), exact);

        DuplicateDetector.Match near = detector.find(
                DuplicateDetector.fingerprint(Prose.replaceWord(guide, 500, "zebra"))).orElseThrow();
        assertEquals("http://h/guide", near.url());
        assertFalse(near.exact());

        assertEquals(Optional.empty(), detector.find(DuplicateDetector.fingerprint(Prose.of(4, 1500))));

        detector.remove("http://h/about");
        assertEquals(Optional.empty(), detector.find(DuplicateDetector.fingerprint("About the project.")));
        assertEquals(1, detector.size());
    }
}
