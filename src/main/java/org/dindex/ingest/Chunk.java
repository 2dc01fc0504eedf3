package org.dindex.ingest;

import java.util.List;

/**
 * One piece of a document as the chunker cuts it, before ids and vectors are attached.
 *
 * @param text     the chunk's text
 * @param section  the heading hierarchy it sits under (outermost first)
 * @param start    offset of its first character in the document's full text
 * @param position {@code start} over the full text's length: 0 at the beginning, towards 1 at the end
 * @param tokens   its length in the model's tokens, without special tokens
 */
public record Chunk(String text, List<String> section, int start, double position, int tokens) {
}
