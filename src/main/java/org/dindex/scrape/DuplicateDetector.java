package org.dindex.scrape;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers the text of every page indexed in a crawl and recognises exact and near-duplicates of it.
 *
 * <p>Why both: the SHA-256 of the extracted text catches mirrors and URL aliases exactly and cheaply; the
 * {@link SimHash} catches copies that differ in a few words (a date, a view counter), which would otherwise fill
 * search results with the same passage several times. Both compare extracted text, not HTML, so differences in
 * markup, navigation or scripts never hide a duplicate.
 *
 * <p>Near-duplicate search compares the new fingerprint with every stored one (an XOR and a popcount each), which
 * is fast for the thousands of pages a crawl indexes; much larger collections would need permuted-table indexes.
 * Not thread-safe: the crawler uses it from its own context only.
 */
public final class DuplicateDetector {
    /** Fingerprints at most this many bits apart are near-duplicates. */
    public static final int NEAR_DUPLICATE_DISTANCE = 3;

    /** Both hashes of one text; computed off the event loop, compared on it. */
    public record Fingerprint(String sha256, long simHash) {
    }

    /** The indexed page a new text duplicates; exact for an identical text, else near. */
    public record Match(String url, boolean exact, int distance) {
    }

    private record Entry(String url, Fingerprint fingerprint) {
    }

    private final Map<String, String> bySha = new HashMap<>();
    private final List<Entry> entries = new ArrayList<>();

    public static Fingerprint fingerprint(String text) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        String sha256 = HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
        return new Fingerprint(sha256, SimHash.of(text));
    }

    /** The earliest remembered page this text duplicates exactly, else the nearest near-duplicate, else empty. */
    public Optional<Match> find(Fingerprint fp) {
        String exact = bySha.get(fp.sha256());
        if (exact != null) {
            return Optional.of(new Match(exact, true, 0));
        }
        Match best = null;
        for (Entry e : entries) {
            int d = SimHash.distance(fp.simHash(), e.fingerprint().simHash());
            if (d <= NEAR_DUPLICATE_DISTANCE && (best == null || d < best.distance())) {
                best = new Match(e.url(), false, d);
            }
        }
        return Optional.ofNullable(best);
    }

    /** Remembers an indexed page. */
    public void add(String url, Fingerprint fp) {
        bySha.putIfAbsent(fp.sha256(), url);
        entries.add(new Entry(url, fp));
    }

    /** Forgets a page whose indexing failed, so a later copy of it can still be indexed. */
    public void remove(String url) {
        entries.removeIf(e -> e.url().equals(url));
        bySha.values().removeIf(url::equals);
    }

    public int size() {
        return entries.size();
    }
}
