package org.dindex.index;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Stable identities: a document's id is a hash of its source, so re-indexing a source finds the same document. */
public final class DocumentIds {
    private DocumentIds() {
    }

    /** 20 hex characters of SHA-256 over the source (absolute path or URL). */
    public static String forSource(String source) {
        return sha256(source).substring(0, 20);
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
