package org.dindex.index;

import java.util.List;

/** One change to the index, as logged in the write-ahead log and applied to both stores. */
public sealed interface WriteOp {
    /** Adds or replaces a document and all its chunks. */
    record Upsert(DocumentRecord doc) implements WriteOp {
    }

    /** Deletes documents (and their chunks) by id. */
    record DeleteDocuments(List<String> docIds) implements WriteOp {
    }

    /** Deletes every document whose source starts with the prefix. */
    record DeleteSource(String prefix) implements WriteOp {
    }

    /** Deletes everything. */
    record Clear() implements WriteOp {
    }
}
