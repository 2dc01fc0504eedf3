package org.dindex.scrape;

import java.util.Random;

/** Deterministic filler prose for tests: long enough texts for SimHash without committing pages of text. */
final class Prose {
    private static final String[] WORDS = ("the a crawler index server page request host delay robots policy "
            + "search engine document text block chunk vector query result user network address cache queue "
            + "frontier depth link anchor title heading paragraph section table list item archive report summary "
            + "politeness timeout retry backoff redirect canonical duplicate shingle fingerprint hash bit distance "
            + "calendar month year trap pattern parameter variant segment path scheme port origin domain subdomain "
            + "quickly slowly carefully always never often rarely every each some many few most all none other "
            + "fetches parses extracts stores ranks returns follows skips fails waits sends reads writes checks "
            + "river mountain forest city garden kitchen window library museum harbour bridge station market "
            + "red green blue silver golden quiet loud bright dark ancient modern small large narrow wide").split(" ");

    private Prose() {
    }

    /** words pseudo-random words in sentences of 8 to 15 words, the same for the same seed on every JVM. */
    static String of(long seed, int words) {
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder();
        int inSentence = 0;
        int sentenceLength = 8 + random.nextInt(8);
        for (int i = 0; i < words; i++) {
            String w = WORDS[random.nextInt(WORDS.length)];
            if (inSentence == 0) {
                w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
            }
            sb.append(w);
            if (++inSentence == sentenceLength) {
                sb.append(". ");
                inSentence = 0;
                sentenceLength = 8 + random.nextInt(8);
            } else {
                sb.append(' ');
            }
        }
        return sb.toString().strip();
    }

    /** The text with its word number index (0-based) replaced by replacement. */
    static String replaceWord(String text, int index, String replacement) {
        String[] parts = text.split(" ");
        parts[index] = replacement;
        return String.join(" ", parts);
    }
}
