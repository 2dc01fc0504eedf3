package org.dindex.index;

import java.util.List;

/**
 * A chunk as stored: ids, text, place in its document and its vector.
 *
 * @param chunkId  {@code <docId>-<n>}: deterministic, so replaying a write is idempotent
 * @param ordinal  n, the chunk's index within its document (0-based)
 * @param position where it starts in the document, 0..1
 */
public record ChunkRecord(String chunkId, int ordinal, String text, List<String> section, double position,
                          int tokens, float[] vector) {

    public static String id(String docId, int ordinal) {
        return docId + "-" + ordinal;
    }
}
