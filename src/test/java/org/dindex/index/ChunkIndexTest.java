package org.dindex.index;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.IntField;
import org.apache.lucene.document.LongField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index without the daemon: real Lucene, real jvector, real WAL; vectors are seeded random unit vectors. */
class ChunkIndexTest {
    static final int DIMS = 32;
    @TempDir
    Path dir;
    final Random random = new Random(42);

    float[] unit() {
        float[] v = new float[DIMS];
        double n = 0;
        for (int i = 0; i < DIMS; i++) {
            v[i] = (float) random.nextGaussian();
            n += v[i] * v[i];
        }
        for (int i = 0; i < DIMS; i++) {
            v[i] /= (float) Math.sqrt(n);
        }
        return v;
    }

    DocumentRecord doc(String source, int chunks, String hash) {
        String id = DocumentIds.forSource(source);
        List<ChunkRecord> list = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            list.add(new ChunkRecord(ChunkRecord.id(id, i), i, "text of " + source + " part " + i,
                    List.of("Section"), i / (double) chunks, 5, unit()));
        }
        return new DocumentRecord(id, source, "T " + source, null, hash, Map.of("lang", "en"), 1L, 2L, list);
    }

    static int count(ChunkIndex index, String kind) throws Exception {
        try (IndexSnapshot s = index.acquire()) {
            return s.searcher().count(new TermQuery(new Term(IndexFields.KIND, kind)));
        }
    }

    @Test
    void writesBecomeVisibleOnlyAtCommit() throws Exception {
        try (ChunkIndex index = ChunkIndex.open(dir, "m", DIMS)) {
            index.write(List.of(new WriteOp.Upsert(doc("/a", 3, "h1"))));
            assertEquals(0, count(index, IndexFields.KIND_CHUNK), "not visible before commit");
            assertTrue(index.lookup(DocumentIds.forSource("/a")).isPresent(), "the writer sees its own write");
            IndexSnapshot before = index.acquire();
            index.commit();
            assertEquals(3, count(index, IndexFields.KIND_CHUNK));
            assertEquals(0, before.searcher().count(new TermQuery(new Term(IndexFields.KIND,
                    IndexFields.KIND_CHUNK))), "an old snapshot keeps its view");
            before.close();
            assertTrue(IntegrityCheck.run(index).ok());
        }
    }

    @Test
    void uncommittedWritesAreReplayedFromTheLogExactlyOnce() throws Exception {
        ChunkIndex index = ChunkIndex.open(dir, "m", DIMS);
        index.write(List.of(new WriteOp.Upsert(doc("/a", 2, "h1"))));
        index.commit();
        index.write(List.of(new WriteOp.Upsert(doc("/b", 4, "h2")), new WriteOp.Upsert(doc("/a", 3, "h3"))));
        // Simulate a crash: drop the writer without committing (close() rolls back uncommitted Lucene changes).
        index.luceneStore().close();
        for (int reopen = 0; reopen < 2; reopen++) {
            try (ChunkIndex again = ChunkIndex.open(dir, "m", DIMS)) {
                assertEquals(reopen == 0 ? 2 : 0, again.recoveredOps(), "replayed once, then the log is empty");
                assertEquals(2, count(again, IndexFields.KIND_DOC));
                assertEquals(7, count(again, IndexFields.KIND_CHUNK));
                assertEquals("h3", again.lookup(DocumentIds.forSource("/a")).orElseThrow().contentHash());
                IntegrityCheck.Report report = IntegrityCheck.run(again);
                assertTrue(report.ok(), report.problems().toString());
                assertEquals(7, report.vectors());
            }
        }
    }

    @Test
    void replaceDeleteAndClearKeepStoresInAgreement() throws Exception {
        try (ChunkIndex index = ChunkIndex.open(dir, "m", DIMS)) {
            for (int i = 0; i < 20; i++) {
                index.write(List.of(new WriteOp.Upsert(doc("/docs/" + i, 1 + i % 4, "h" + i))));
            }
            index.commit();
            index.write(List.of(new WriteOp.Upsert(doc("/docs/3", 7, "changed"))));
            index.write(List.of(new WriteOp.DeleteDocuments(List.of(DocumentIds.forSource("/docs/5")))));
            index.write(List.of(new WriteOp.DeleteSource("/docs/1")));  // 1, 10..19
            index.commit();
            assertEquals(20 - 1 - 11, count(index, IndexFields.KIND_DOC));
            IntegrityCheck.Report report = IntegrityCheck.run(index);
            assertTrue(report.ok(), report.problems().toString());
            assertEquals(report.chunks(), report.vectors());
            index.write(List.of(new WriteOp.Clear()));
            index.write(List.of(new WriteOp.Upsert(doc("/new", 2, "n"))));
            index.commit();
            assertEquals(1, count(index, IndexFields.KIND_DOC));
            assertTrue(IntegrityCheck.run(index).ok());
        }
        try (ChunkIndex reopened = ChunkIndex.open(dir, "m", DIMS)) {
            assertEquals(2, count(reopened, IndexFields.KIND_CHUNK));
            assertTrue(IntegrityCheck.run(reopened).ok());
        }
    }

    @Test
    void denseSearchFindsTheNearestVisibleVector() throws Exception {
        try (ChunkIndex index = ChunkIndex.open(dir, "m", DIMS)) {
            List<DocumentRecord> docs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                docs.add(doc("/v/" + i, 1, "h"));
            }
            index.write(docs.stream().<WriteOp>map(WriteOp.Upsert::new).toList());
            index.commit();
            float[] target = docs.get(123).chunks().getFirst().vector();
            try (IndexSnapshot s = index.acquire()) {
                var hits = index.denseSearch(s, target, 5, 50, null, 0);
                var truth = index.exactDenseSearch(s, target, 5);
                assertEquals(truth.getFirst().doc(), hits.getFirst().doc());
                assertEquals(1.0f, hits.getFirst().score(), 1e-4, "a dot product of unit vectors");
                assertEquals(docs.get(123).chunks().getFirst().chunkId(), s.searcher().storedFields()
                        .document(hits.getFirst().doc()).get(IndexFields.CHUNK_ID));
            }
            index.write(List.of(new WriteOp.DeleteDocuments(List.of(docs.get(123).docId()))));
            index.commit();
            try (IndexSnapshot s = index.acquire()) {
                var truth = index.exactDenseSearch(s, target, 1);
                var hits = index.denseSearch(s, target, 1, 50, null, 0);
                assertEquals(truth.getFirst().doc(), hits.getFirst().doc());
                assertTrue(hits.getFirst().score() < 0.99f, "the deleted vector is gone");
            }
        }
    }

    @Test
    void anotherModelIsRefusedWithAClearMessage() throws Exception {
        try (ChunkIndex index = ChunkIndex.open(dir, "model-a", DIMS)) {
            index.write(List.of(new WriteOp.Upsert(doc("/a", 1, "h"))));
            index.commit();
        }
        IndexMismatchException e = assertThrows(IndexMismatchException.class,
                () -> ChunkIndex.open(dir, "model-b", DIMS));
        assertTrue(e.getMessage().contains("built with model 'model-a'"), e.getMessage());
        assertTrue(e.getMessage().contains("re-index"), e.getMessage());
        try (ChunkIndex ok = ChunkIndex.open(dir, "model-a", DIMS)) {
            assertEquals(1, count(ok, IndexFields.KIND_DOC), "the refusal left the index intact");
        }
    }

    static int titleMatches(ChunkIndex index, String word) throws Exception {
        try (IndexSnapshot s = index.acquire()) {
            return s.searcher().count(new TermQuery(new Term(IndexFields.TITLE, word)));
        }
    }

    /**
     * Writes {@code docs} as layouts before 3 did, with a plain Lucene writer: each chunk's embedding as stored bytes
     * with its graph ordinal, no vector field, and (layout 1, when {@code titledRecords}) records with an indexed title.
     */
    static void writeOldLayout(Path lucene, List<DocumentRecord> docs, boolean titledRecords) throws Exception {
        try (var fs = FSDirectory.open(lucene); var w = new IndexWriter(fs, new IndexWriterConfig(IndexFields.ANALYZER))) {
            int ordinal = 0;
            for (DocumentRecord d : docs) {
                boolean damaged = d.source().equals("/docs/other");  // no timestamps, unreadable metadata
                for (ChunkRecord c : d.chunks()) {
                    var chunk = new Document();
                    chunk.add(new StringField(IndexFields.KIND, IndexFields.KIND_CHUNK, Field.Store.NO));
                    chunk.add(new StringField(IndexFields.CHUNK_ID, c.chunkId(), Field.Store.YES));
                    chunk.add(new SortedDocValuesField(IndexFields.CHUNK_ID, new BytesRef(c.chunkId())));
                    chunk.add(new StringField(IndexFields.DOC_ID, d.docId(), Field.Store.YES));
                    chunk.add(new StringField(IndexFields.SOURCE, d.source(), Field.Store.YES));
                    chunk.add(new TextField(IndexFields.TITLE, d.title(), Field.Store.YES));
                    chunk.add(new IntField(IndexFields.ORDINAL, c.ordinal(), Field.Store.YES));
                    chunk.add(new IntField("vector_ordinal", ordinal++, Field.Store.YES));
                    chunk.add(new TextField(IndexFields.TEXT, c.text(), Field.Store.YES));
                    chunk.add(new StoredField(IndexFields.SECTION, String.join(IndexFields.SECTION_SEPARATOR,
                            c.section())));
                    chunk.add(new StoredField(IndexFields.POSITION, c.position()));
                    chunk.add(new StoredField(IndexFields.TOKENS, c.tokens()));
                    chunk.add(new StoredField(IndexFields.METADATA, "{\"lang\":\"en\"}"));
                    chunk.add(new StringField(IndexFields.META, "lang=en", Field.Store.NO));
                    chunk.add(new StoredField(IndexFields.LEGACY_VECTOR, new BytesRef(VectorCodec.encode(c.vector()))));
                    w.addDocument(chunk);
                }
                var old = new Document();
                old.add(new StringField(IndexFields.KIND, IndexFields.KIND_DOC, Field.Store.NO));
                old.add(new StringField(IndexFields.DOC_ID, d.docId(), Field.Store.YES));
                old.add(new StringField(IndexFields.SOURCE, d.source(), Field.Store.YES));
                old.add(titledRecords ? new TextField(IndexFields.TITLE, d.title(), Field.Store.YES)
                        : new StoredField(IndexFields.RECORD_TITLE, d.title()));
                if (!damaged) {
                    old.add(new LongField(IndexFields.TIMESTAMP, d.timestamp(), Field.Store.YES));
                    old.add(new LongField(IndexFields.INDEXED_AT, d.indexedAt(), Field.Store.YES));
                }
                old.add(new StringField(IndexFields.META, "lang=en", Field.Store.NO));
                old.add(new StoredField(IndexFields.METADATA, damaged ? "{not json" : "{\"lang\":\"en\"}"));
                old.add(new StoredField(IndexFields.CONTENT_HASH, d.contentHash()));
                old.add(new StoredField(IndexFields.CHUNK_COUNT, d.chunks().size()));
                w.addDocument(old);
            }
            Map<String, String> data = new HashMap<>(Map.of(ChunkIndex.KEY_WAL_SEQ, "0", ChunkIndex.KEY_MODEL, "m",
                    ChunkIndex.KEY_DIMENSIONS, Integer.toString(DIMS), "next_ordinal", Integer.toString(ordinal)));
            if (!titledRecords) {
                data.put(ChunkIndex.KEY_LAYOUT, "2");
            }
            w.setLiveCommitData(data.entrySet());
            w.commit();
        }
    }

    /**
     * An index of an earlier layout (embeddings as stored bytes for a graph on the heap; layout 1 also indexed record
     * titles) is converted once when opened: every chunk gets its embedding back in the vector field without being
     * embedded again, records keep what they hold (a damaged one its other fields), text queries match chunks only.
     */
    @Test
    void anOldLayoutIsConvertedWithoutReembedding() throws Exception {
        List<DocumentRecord> docs = List.of(doc("/docs/zebra-1", 3, "h1"), doc("/docs/zebra-2", 2, "h2"),
                doc("/docs/other", 1, "h3"));
        writeOldLayout(dir.resolve("lucene"), docs, true);
        try (var fs = FSDirectory.open(dir.resolve("lucene")); var r = DirectoryReader.open(fs)) {
            assertEquals(7, new IndexSearcher(r).count(new TermQuery(new Term(IndexFields.TITLE, "zebra"))),
                    "the old layout's records match text queries (5 chunks, 2 records)");
        }
        try (ChunkIndex upgraded = ChunkIndex.open(dir, "m", DIMS)) {
            assertEquals(ChunkIndex.LAYOUT, upgraded.luceneStore().commitData().get(ChunkIndex.KEY_LAYOUT));
            assertEquals(5, titleMatches(upgraded, "zebra"), "records no longer match text queries");
            assertEquals(3, count(upgraded, IndexFields.KIND_DOC));
            assertEquals(6, count(upgraded, IndexFields.KIND_CHUNK));
            assertEquals("h2", upgraded.lookup(DocumentIds.forSource("/docs/zebra-2")).orElseThrow().contentHash());
            assertEquals(2, upgraded.lookup(DocumentIds.forSource("/docs/zebra-2")).orElseThrow().chunks());
            assertEquals("h3", upgraded.lookup(DocumentIds.forSource("/docs/other")).orElseThrow().contentHash(),
                    "a damaged record is rewritten, not lost");
            assertEquals(List.of(DocumentIds.forSource("/docs/zebra-1"), DocumentIds.forSource("/docs/zebra-2")),
                    upgraded.docIdsWithSourcePrefix("/docs/zebra").stream().sorted().toList());
            try (IndexSnapshot s = upgraded.acquire()) {
                for (DocumentRecord d : docs) {
                    for (ChunkRecord c : d.chunks()) {
                        var hit = upgraded.denseSearch(s, c.vector(), 1, 10, null, 0).getFirst();
                        assertEquals(c.chunkId(), s.searcher().storedFields().document(hit.doc())
                                .get(IndexFields.CHUNK_ID), "each chunk is found by its own embedding");
                        assertEquals(1.0f, hit.score(), 1e-4);
                    }
                }
                var records = s.searcher().search(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)),
                        10).scoreDocs;
                Set<String> titles = new HashSet<>();
                for (var sd : records) {
                    titles.add(s.searcher().storedFields().document(sd.doc).get(IndexFields.RECORD_TITLE));
                }
                assertEquals(Set.of("T /docs/zebra-1", "T /docs/zebra-2", "T /docs/other"), titles,
                        "titles stay stored");
            }
            IntegrityCheck.Report report = IntegrityCheck.run(upgraded);
            assertTrue(report.ok(), report.problems()::toString);
            upgraded.write(List.of(new WriteOp.DeleteDocuments(List.of(DocumentIds.forSource("/docs/zebra-1")))));
            upgraded.commit();
            assertEquals(2, count(upgraded, IndexFields.KIND_DOC));
            assertEquals(2, titleMatches(upgraded, "zebra"));
        }
    }

    /**
     * A conversion cut off before its commit (the process dies) leaves the old layout, still readable, and the next
     * open converts it.
     */
    @Test
    void aConversionCutOffBeforeItsCommitLeavesTheOldIndex() throws Exception {
        List<DocumentRecord> docs = List.of(doc("/docs/a", 2, "ha"), doc("/docs/b", 1, "hb"));
        writeOldLayout(dir.resolve("lucene"), docs, false);
        try (LuceneStore lucene = new LuceneStore(dir.resolve("lucene"))) {
            assertEquals(2, lucene.convertToCurrentLayout(n -> { }));
            // no commit: the conversion's work is dropped with the writer
        }
        try (var fs = FSDirectory.open(dir.resolve("lucene")); var r = DirectoryReader.open(fs)) {
            assertEquals("2", r.getIndexCommit().getUserData().get(ChunkIndex.KEY_LAYOUT));
            assertEquals(5, r.numDocs(), "the old documents are all there");
        }
        try (ChunkIndex converted = ChunkIndex.open(dir, "m", DIMS)) {
            assertEquals(3, count(converted, IndexFields.KIND_CHUNK));
            assertTrue(IntegrityCheck.run(converted).ok());
        }
    }

    /**
     * Segments merge while searches and writes go on: a search on a snapshot taken before the merge still answers
     * from it, and after the merge every chunk is found by its embedding in one segment.
     */
    @Test
    void aMergeDuringSearchesAndWritesKeepsEverySnapshotAnswering() throws Exception {
        try (ChunkIndex index = ChunkIndex.open(dir, "m", DIMS)) {
            List<DocumentRecord> docs = new ArrayList<>();
            for (int round = 0; round < 4; round++) {  // a commit per round: several segments, each with a graph
                List<WriteOp> ops = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    DocumentRecord d = doc("/m/" + (round * 400 + i), 3, "h");
                    docs.add(d);
                    ops.add(new WriteOp.Upsert(d));
                }
                index.write(ops);
                index.commit();
            }
            IndexSnapshot before = index.acquire();
            assertTrue(before.searcher().getIndexReader().leaves().size() > 1, "several segments");
            var searching = java.util.concurrent.Executors.newSingleThreadExecutor();
            var searches = searching.submit(() -> {
                int found = 0;
                for (int i = 0; i < 200; i++) {
                    ChunkRecord c = docs.get(i * 7 % docs.size()).chunks().getFirst();
                    var hit = index.denseSearch(before, c.vector(), 1, 50, null, 0).getFirst();
                    if (c.chunkId().equals(before.searcher().storedFields().document(hit.doc())
                            .get(IndexFields.CHUNK_ID))) {
                        found++;
                    }
                }
                return found;
            });
            index.luceneStore().forceMerge(1);
            index.write(List.of(new WriteOp.Upsert(doc("/m/late", 2, "h"))));
            index.commit();
            assertTrue(searches.get() >= 195, "searches on the old snapshot answered through the merge");
            searching.shutdown();
            before.close();
            try (IndexSnapshot after = index.acquire()) {
                assertTrue(after.searcher().getIndexReader().leaves().size() <= 2, "merged");
                int found = 0;
                for (int i = 0; i < 200; i++) {
                    ChunkRecord c = docs.get(i * 11 % docs.size()).chunks().get(1);
                    var hit = index.denseSearch(after, c.vector(), 1, 50, null, 0).getFirst();
                    if (c.chunkId().equals(after.searcher().storedFields().document(hit.doc())
                            .get(IndexFields.CHUNK_ID))) {
                        found++;
                    }
                }
                assertTrue(found >= 195, "found " + found + " of 200 after the merge");
            }
            assertTrue(IntegrityCheck.run(index).ok());
        }
    }
}
