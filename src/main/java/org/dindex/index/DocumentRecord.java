package org.dindex.index;

import java.util.List;
import java.util.Map;

/**
 * A document with its chunks, as one unit of writing: replacing a document replaces all its chunks at once.
 *
 * @param docId       stable id derived from the source (see {@link DocumentIds})
 * @param source      absolute path or URL the document came from
 * @param contentHash hash of the extracted text, title, metadata and chunking settings: equal means unchanged
 * @param timestamp   the source's own time (file modification time, revision time), epoch millis
 * @param indexedAt   when it was indexed, epoch millis
 */
public record DocumentRecord(String docId, String source, String title, String url, String contentHash,
                             Map<String, String> metadata, long timestamp, long indexedAt,
                             List<ChunkRecord> chunks) {
}
