package org.dindex.index.vectors;

import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.store.IndexInput;

import java.io.IOException;

/**
 * What the meta file says about one vector field of one segment: where its graph and PQ codes are in the data file.
 * A field without a graph (too few vectors to be worth one) is searched exactly; both lengths are then 0.
 *
 * @param size        vectors in the field, the graph's node count (node = ordinal in Lucene's flat vector file)
 * @param rerankDepth the graph search's beam (candidates kept by PQ score); a search-time setting, stored here because
 *                    Lucene opens segments with the format's no-argument constructor (it looks formats up by name)
 */
record FieldEntry(int fieldNumber, int size, int rerankDepth, long graphOffset, long graphLength, long pqOffset,
                  long pqLength) {

    static FieldEntry exactOnly(int fieldNumber, int size, int rerankDepth) {
        return new FieldEntry(fieldNumber, size, rerankDepth, 0, 0, 0, 0);
    }

    boolean hasGraph() {
        return graphLength > 0;
    }

    void write(DataOutput meta) throws IOException {
        meta.writeInt(fieldNumber);
        meta.writeVInt(size);
        meta.writeVInt(rerankDepth);
        meta.writeVLong(graphOffset);
        meta.writeVLong(graphLength);
        meta.writeVLong(pqOffset);
        meta.writeVLong(pqLength);
    }

    /** Reads the entry whose field number {@code fieldNumber} the caller has just read. */
    static FieldEntry read(IndexInput meta, int fieldNumber) throws IOException {
        FieldEntry entry = new FieldEntry(fieldNumber, meta.readVInt(), meta.readVInt(), meta.readVLong(),
                meta.readVLong(), meta.readVLong(), meta.readVLong());
        if (entry.rerankDepth <= 0 || entry.hasGraph() != (entry.pqLength > 0)) {
            throw new CorruptIndexException("inconsistent entry for field number " + fieldNumber + ": " + entry, meta);
        }
        return entry;
    }
}
