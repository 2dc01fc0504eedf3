package org.dindex.scrape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * 64-bit SimHash (Charikar) over word shingles: similar texts get fingerprints that differ in few bits.
 *
 * <p>Why: sites serve the same article under several URLs with small differences (a date, a counter, a session
 * token in the text, "print" versions). An exact hash misses those; comparing every pair of pages word by word is
 * too slow. SimHash condenses a text into 64 bits such that the Hamming distance between two fingerprints tracks how
 * many features (here {@value #SHINGLE_WORDS}-word shingles) the texts do not share, so near-duplicates are found
 * with one XOR and a popcount per indexed page.
 *
 * <p>How: every shingle is hashed to 64 bits; for each bit position, shingles with that bit set vote +1 and the
 * others -1; the fingerprint has a bit set where the vote is positive. Words are lower-cased runs of letters and
 * digits, so punctuation and spacing do not matter. A text with fewer words than a shingle uses the words it has.
 *
 * <p>Caveat: one changed word changes {@value #SHINGLE_WORDS} shingles, so the distance it causes shrinks as the
 * text grows: with a threshold of 3 bits, near-duplicates are found reliably in texts of a few hundred words or
 * more, while short texts must be nearly identical (or exactly identical, which the SHA-256 check catches).
 */
public final class SimHash {
    public static final int SHINGLE_WORDS = 3;

    private SimHash() {
    }

    /** The fingerprint of a text; 0 for a text without words. */
    public static long of(String text) {
        return of(words(text));
    }

    /** The fingerprint of a word list (as {@link #words} produces). */
    public static long of(List<String> words) {
        if (words.isEmpty()) {
            return 0;
        }
        int[] votes = new int[64];
        int n = Math.max(1, words.size() - SHINGLE_WORDS + 1);
        StringBuilder shingle = new StringBuilder();
        for (int i = 0; i < n; i++) {
            shingle.setLength(0);
            for (int j = i; j < Math.min(words.size(), i + SHINGLE_WORDS); j++) {
                shingle.append(words.get(j)).append(' ');
            }
            long h = hash(shingle);
            for (int bit = 0; bit < 64; bit++) {
                votes[bit] += ((h >>> bit) & 1) != 0 ? 1 : -1;
            }
        }
        long fingerprint = 0;
        for (int bit = 0; bit < 64; bit++) {
            if (votes[bit] > 0) {
                fingerprint |= 1L << bit;
            }
        }
        return fingerprint;
    }

    /** Number of differing bits: 0 for identical fingerprints, about 32 for unrelated texts. */
    public static int distance(long a, long b) {
        return Long.bitCount(a ^ b);
    }

    /** Lower-case runs of letters and digits, in order. */
    public static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            boolean wordChar = i < text.length() && Character.isLetterOrDigit(text.charAt(i));
            if (wordChar && start < 0) {
                start = i;
            } else if (!wordChar && start >= 0) {
                words.add(text.substring(start, i).toLowerCase(Locale.ROOT));
                start = -1;
            }
        }
        return words;
    }

    /**
     * FNV-1a followed by the SplitMix64 finaliser: FNV alone mixes the last characters poorly into the high bits,
     * and SimHash needs every bit of the feature hash to be an independent coin flip.
     */
    static long hash(CharSequence s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h;
    }
}
