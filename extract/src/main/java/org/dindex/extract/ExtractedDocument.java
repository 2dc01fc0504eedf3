package org.dindex.extract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What extraction produces: a title (may be null when none can be found) and text blocks in document order.
 *
 * @param title  the document's own title, else the caller's fallback title; null when neither exists
 * @param blocks non-empty list of blocks in document order (extraction refuses documents without text)
 * @param format the {@link Format#id() id} of the format the text was extracted as: "text", "markdown", "html"
 *               or "pdf"
 */
public record ExtractedDocument(String title, List<Block> blocks, String format) {
    public ExtractedDocument {
        blocks = List.copyOf(Objects.requireNonNull(blocks, "blocks"));
        Objects.requireNonNull(format, "format");
    }

    /** Total characters of all blocks' text. */
    public long length() {
        long total = 0;
        for (Block b : blocks) {
            total += b.text().length();
        }
        return total;
    }

    /** All text joined with blank lines (used for content hashing). */
    public String fullText() {
        StringBuilder sb = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 16, length() + 2L * blocks.size()));
        for (Block b : blocks) {
            if (!sb.isEmpty()) {
                sb.append("\n\n");
            }
            sb.append(b.text());
        }
        return sb.toString();
    }

    /**
     * SHA-256 (hex) over everything extraction produced: format, title, and every block with its section path.
     *
     * <p>Why besides {@link #fullText()}: renaming a heading or the title changes what the index stores for each
     * chunk (its section path) without changing any block text, so a hash of {@code fullText()} alone would call
     * such a document unchanged and leave stale section names in the index.
     */
    public String fingerprint() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
        // Fields are separated by control characters that normalisation removes from all text, so distinct
        // documents cannot serialise to the same bytes.
        update(sha, format);
        update(sha, title == null ? "\u0000" : title);
        for (Block b : blocks) {
            sha.update((byte) 0x1E);
            for (String heading : b.section()) {
                update(sha, heading);
            }
            sha.update((byte) 0x1D);
            update(sha, b.text());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void update(MessageDigest sha, String s) {
        sha.update(s.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0x1F);
    }
}
