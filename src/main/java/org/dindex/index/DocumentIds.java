package org.dindex.index;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/** Stable identities: a document's id is a hash of its source, so re-indexing a source finds the same document. */
public final class DocumentIds {
    private DocumentIds() {
    }

    /** 20 hex characters of SHA-256 over the source (absolute path or URL). */
    public static String forSource(String source) {
        return sha256(source).substring(0, 20);
    }

    /** How many hash buckets documents fall into: a cluster's shards are contiguous ranges of them. */
    public static final int BUCKETS = 1 << 16;

    /**
     * The document's hash bucket, 0 to {@link #BUCKETS} - 1: CRC32C of its id's UTF-8 bytes. Stored with every chunk
     * and record ({@link IndexFields#BUCKET}) whatever the shard count, so that a search or a recovery can take any
     * shard's documents out of an index holding several.
     */
    public static int bucket(String docId) {
        CRC32C crc = new CRC32C();
        crc.update(docId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % BUCKETS);
    }

    public static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
