package org.dindex.index;

import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongField;
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
                var truth = index.vectorStore().bruteForce(s.vectors(), target, 5, null);
                assertEquals(truth.getFirst().ordinal(), hits.getFirst().ordinal());
            }
            index.write(List.of(new WriteOp.DeleteDocuments(List.of(docs.get(123).docId()))));
            index.commit();
            try (IndexSnapshot s = index.acquire()) {
                var truth = index.vectorStore().bruteForce(s.vectors(), target, 1, null);
                var hits = index.denseSearch(s, target, 1, 50, null, 0);
                assertEquals(truth.getFirst().ordinal(), hits.getFirst().ordinal());
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
     * Indexes written before layout 2 indexed the title of document records too, so that an unfiltered text query
     * matched records; opening one rewrites its records once, keeping everything they hold.
     */
    @Test
    void anOldLayoutIsUpgradedSoThatTextQueriesMatchChunksOnly() throws Exception {
        List<DocumentRecord> docs = List.of(doc("/docs/zebra-1", 3, "h1"), doc("/docs/zebra-2", 2, "h2"),
                doc("/docs/other", 1, "h3"));
        try (ChunkIndex index = ChunkIndex.open(dir, "m", DIMS)) {
            for (DocumentRecord d : docs) {
                index.write(List.of(new WriteOp.Upsert(d)));
            }
            index.commit();
            assertEquals(5, titleMatches(index, "zebra"), "a new index: the chunks only");
            assertEquals(ChunkIndex.LAYOUT, index.luceneStore().commitData().get(ChunkIndex.KEY_LAYOUT));
        }
        // Rewrite the records as the old layout had them (title indexed) and drop the layout key.
        try (var fs = FSDirectory.open(dir.resolve("lucene"));
             var w = new IndexWriter(fs,
                     new IndexWriterConfig(IndexFields.ANALYZER))) {
            for (DocumentRecord d : docs) {
                w.deleteDocuments(new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)),
                                BooleanClause.Occur.FILTER)
                        .add(new TermQuery(new Term(IndexFields.DOC_ID, d.docId())),
                                BooleanClause.Occur.FILTER).build());
                var old = new Document();
                old.add(new StringField(IndexFields.KIND, IndexFields.KIND_DOC,
                        Field.Store.NO));
                old.add(new StringField(IndexFields.DOC_ID, d.docId(),
                        Field.Store.YES));
                old.add(new StringField(IndexFields.SOURCE, d.source(),
                        Field.Store.YES));
                old.add(new TextField(IndexFields.TITLE, d.title(),
                        Field.Store.YES));
                boolean damaged = d.source().equals("/docs/other");  // no timestamps, unreadable metadata
                if (!damaged) {
                    old.add(new LongField(IndexFields.TIMESTAMP, d.timestamp(), Field.Store.YES));
                    old.add(new LongField(IndexFields.INDEXED_AT, d.indexedAt(), Field.Store.YES));
                }
                old.add(new StringField(IndexFields.META, "lang=en",
                        Field.Store.NO));
                old.add(new StoredField(IndexFields.METADATA, damaged ? "{not json" : "{\"lang\":\"en\"}"));
                old.add(new StoredField(IndexFields.CONTENT_HASH, d.contentHash()));
                old.add(new StoredField(IndexFields.CHUNK_COUNT, d.chunks().size()));
                w.addDocument(old);
            }
            Map<String, String> data = new HashMap<>();
            w.getLiveCommitData().forEach(e -> data.put(e.getKey(), e.getValue()));
            data.remove(ChunkIndex.KEY_LAYOUT);
            w.setLiveCommitData(data.entrySet());
            w.commit();
            try (var r = DirectoryReader.open(w)) {
                assertEquals(7, new IndexSearcher(r)
                        .count(new TermQuery(new Term(IndexFields.TITLE, "zebra"))), "the old layout's records match");
            }
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
                var record = s.searcher().storedFields().document(s.searcher().search(
                        new TermQuery(new Term(IndexFields.META, "lang=en")), 100).scoreDocs[0].doc);
                assertEquals(1L, record.getField(IndexFields.TIMESTAMP).numericValue().longValue());
                // The damaged record's metadata could not be read: it keeps its other fields, not its terms.
                assertEquals(2, s.searcher().count(new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)),
                                BooleanClause.Occur.FILTER)
                        .add(new TermQuery(new Term(IndexFields.META, "lang=en")),
                                BooleanClause.Occur.FILTER).build()),
                        "metadata terms are rebuilt from the stored metadata");
                var records = s.searcher().search(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)),
                        10).scoreDocs;
                Set<String> titles = new HashSet<>();
                for (var sd : records) {
                    titles.add(s.searcher().storedFields().document(sd.doc).get(IndexFields.RECORD_TITLE));
                }
                assertEquals(Set.of("T /docs/zebra-1", "T /docs/zebra-2", "T /docs/other"), titles,
                        "titles stay stored");
            }
            assertTrue(IntegrityCheck.run(upgraded).ok());
            // Deleting a document removes its rewritten record with its chunks.
            upgraded.write(List.of(new WriteOp.DeleteDocuments(List.of(DocumentIds.forSource("/docs/zebra-1")))));
            upgraded.commit();
            assertEquals(2, count(upgraded, IndexFields.KIND_DOC));
            assertEquals(2, titleMatches(upgraded, "zebra"));
        }
    }

    /** Every live chunk's ordinal leads to its document, across segments; replaced and deleted ones lead nowhere. */
    @Test
    void ordinalsResolveToTheirLiveDocumentsAcrossSegments() throws Exception {
        try (ChunkIndex index = ChunkIndex.open(dir, "m", DIMS)) {
            for (int round = 0; round < 4; round++) {  // a commit per round: several segments
                for (int i = 0; i < 10; i++) {
                    index.write(List.of(new WriteOp.Upsert(doc("/o/" + (round * 10 + i), 1 + i % 3, "h"))));
                }
                index.commit();
            }
            int[] old = index.ordinalsOf(DocumentIds.forSource("/o/3"));
            assertEquals(1, old.length);
            index.write(List.of(new WriteOp.Upsert(doc("/o/3", 2, "changed")),
                    new WriteOp.DeleteDocuments(List.of(DocumentIds.forSource("/o/25")))));
            index.commit();
            try (IndexSnapshot s = index.acquire()) {
                assertTrue(s.searcher().getIndexReader().leaves().size() > 1, "several segments");
                var stored = s.searcher().storedFields();
                int checked = 0;
                for (var sd : s.searcher().search(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)),
                        1000).scoreDocs) {
                    int ordinal = stored.document(sd.doc).getField(IndexFields.VECTOR_ORDINAL).numericValue()
                            .intValue();
                    assertEquals(sd.doc, s.docsOfOrdinals(new int[] {ordinal})[0]);
                    checked++;
                }
                assertEquals(count(index, IndexFields.KIND_CHUNK), checked);
                int[] gone = s.docsOfOrdinals(old);
                for (int d : gone) {
                    assertEquals(-1, d, "a replaced chunk's ordinal resolves to nothing");
                }
                assertEquals(-1, s.docsOfOrdinals(new int[] {1_000_000})[0]);
            }
        }
    }
}
