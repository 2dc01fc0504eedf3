package org.dindex.index;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.TopDocs;
import org.dindex.embed.EmbeddingService;
import org.dindex.protocol.Addresses;
import org.dindex.bus.BusHandlers;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.JsonTypes;
import org.dindex.collections.Collection;
import org.dindex.collections.CollectionRegistry;
import org.dindex.protocol.QueryVectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Serves the administrative addresses of a collection's index: stats, delete, clear, export and check. Each
 * request addresses one collection ({@code collection}, default {@code default}) and stays inside it.
 */
public final class IndexAdminVerticle extends VerticleBase {
    static final int MAX_EXPORT_PAGE = 5000;

    private final BusHandlers handlers;
    private final CollectionRegistry collections;
    private final Commits commits;
    private WorkerExecutor readers;

    public IndexAdminVerticle(BusHandlers handlers, CollectionRegistry collections, Commits commits) {
        this.handlers = handlers;
        this.collections = collections;
        this.commits = commits;
    }

    @Override
    public Future<?> start() {
        readers = vertx.createSharedWorkerExecutor("dindex-index-read", 2, 5, TimeUnit.MINUTES);
        handlers.serve(Addresses.STATS, body -> {
            Collection c = collections.of(body);
            return read(() -> stats(c));
        });
        handlers.serve(Addresses.DELETE, this::delete);
        handlers.serve(Addresses.CLEAR, this::clear);
        handlers.serve(Addresses.EXPORT, this::export);
        handlers.serve(Addresses.CHECK, body -> {
            Collection c = collections.of(body);
            return read(() -> IntegrityCheck.run(c.index().index()).toJson().put("collection", c.name()));
        });
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        return readers.close();
    }

    private <T> Future<T> read(Callable<T> task) {
        return readers.executeBlocking(task, false);
    }

    private JsonObject stats(Collection c) throws IOException {
        ChunkIndex ix = c.index().index();
        EmbeddingService embeddings = c.embeddings();
        try (IndexSnapshot snap = ix.acquire()) {
            IndexSearcher s = snap.searcher();
            int documents = s.count(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)));
            int chunks = s.count(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)));
            return new JsonObject()
                    .put("collection", c.name())
                    .put("documents", documents)
                    .put("chunks", chunks)
                    .put("model", new JsonObject().put("name", ix.model()).put("dimensions", ix.dimensions()))
                    .put("last_commit_at", ix.lastCommitAt() == null ? null : ix.lastCommitAt().toString())
                    .put("last_commit_ms", ix.lastCommitMillis())
                    .put("commits", c.commits())
                    .put("pending_writes", new JsonObject().put("operations", ix.pendingOps())
                            .put("chunks", ix.pendingChunks()))
                    .put("recovered_operations", ix.recoveredOps())
                    .put("stores", new JsonObject()
                            .put("lucene_bytes", folderSize(ix.luceneDir()))
                            .put("segments", s.getIndexReader().leaves().size())
                            .put("wal_bytes", ix.walBytes())
                            .put("vectors_bytes_in_memory", ix.vectorHeapBytes()))
                    .put("embedding", new JsonObject()
                            .put("passages_embedded", embeddings.passagesEmbedded())
                            .put("batches", embeddings.batches())
                            .put("queued", embeddings.queued())
                            .put("seconds", embeddings.embedSeconds()));
        }
    }

    /** Deletes from this daemon's collection (what a lone daemon always does). */
    private Future<JsonObject> delete(JsonObject body) {
        Collection c = collections.of(body);
        IndexService index = c.index();
        JsonArray ids = body.getValue("doc_ids") instanceof JsonArray a ? a : null;
        String prefix = body.getValue("source_prefix") instanceof String p ? p : null;
        if ((ids == null) == (prefix == null) || body.containsKey("doc_ids") && body.containsKey("source_prefix")) {
            return Future.failedFuture(DindexException.badRequest(
                    "give exactly one of 'doc_ids' (array of document ids) or 'source_prefix' (string)"));
        }
        if (ids != null && ids.stream().anyMatch(id -> !(id instanceof String))) {
            return Future.failedFuture(DindexException.badRequest("'doc_ids' must be an array of strings"));
        }
        if (prefix != null && prefix.isEmpty()) {
            return Future.failedFuture(DindexException.badRequest(
                    "'source_prefix' must not be empty (to delete everything use dindex.clear)"));
        }
        // A cluster member counts only the documents of the shards it is the primary of (every copy deletes).
        BucketRanges counted = BucketRanges.fromJson(body.getJsonArray("count_buckets"));
        c.ensureOpen();
        return index.onWriter(() -> {
            List<String> targets = prefix != null ? index.index().docIdsWithSourcePrefix(prefix)
                    : ids.stream().map(String::valueOf).filter(id -> chunksOf(index, id) >= 0).toList();
            List<String> count = targets.stream().filter(id -> counted.contains(DocumentIds.bucket(id))).toList();
            int chunks = count.stream().mapToInt(id -> Math.max(0, chunksOf(index, id))).sum();
            if (!targets.isEmpty()) {
                index.index().write(List.of(new WriteOp.DeleteDocuments(targets)));
            }
            return new JsonObject().put("deleted_documents", count.size()).put("deleted_chunks", chunks);
        }).compose(reply -> commits.commit(c).map(info -> reply));
    }

    /** The document's chunk count as the writer sees it now, -1 when it does not exist. Writer thread. */
    private static int chunksOf(IndexService index, String docId) {
        try {
            return index.index().lookup(docId).map(ChunkIndex.DocState::chunks).orElse(-1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Future<JsonObject> clear(JsonObject body) {
        Collection c = collections.of(body);
        if (!Boolean.TRUE.equals(body.getValue("confirm"))) {
            return Future.failedFuture(DindexException.badRequest(
                    "clearing deletes every document: send {\"confirm\": true}"));
        }
        c.ensureOpen();
        return c.index().write(List.of(new WriteOp.Clear()))
                .compose(seq -> commits.commit(c))
                .map(info -> new JsonObject().put("cleared", true));
    }

    /** One page of chunks in chunk-id order, after the {@code after} cursor. */
    private Future<JsonObject> export(JsonObject body) {
        Collection c = collections.of(body);
        Object withVectorsValue = body.getValue("with_vectors", false);
        if (!(withVectorsValue instanceof Boolean withVectors)) {
            return Future.failedFuture(DindexException.badRequest("'with_vectors' must be true or false, got "
                    + JsonTypes.describe(withVectorsValue)));
        }
        Object limitValue = body.getValue("limit", 1000);
        if (!(limitValue instanceof Number ln) || ln.doubleValue() != ln.intValue()) {
            return Future.failedFuture(DindexException.badRequest("'limit' must be a whole number between 1 and "
                    + MAX_EXPORT_PAGE + ", got " + JsonTypes.describe(limitValue)));
        }
        int limit = ln.intValue();
        if (body.getValue("after") != null && !(body.getValue("after") instanceof String)) {
            return Future.failedFuture(DindexException.badRequest("'after' must be a chunk id string"));
        }
        if (limit < 1 || limit > MAX_EXPORT_PAGE) {
            return Future.failedFuture(DindexException.badRequest("'limit' must be between 1 and "
                    + MAX_EXPORT_PAGE + ", got " + limit));
        }
        String after = body.getString("after");
        return read(() -> {
            try (IndexSnapshot snap = c.index().acquire()) {
                IndexSearcher s = snap.searcher();
                BooleanQuery.Builder q = new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_CHUNK)),
                                BooleanClause.Occur.FILTER);
                if (after != null) {
                    q.add(TermRangeQuery.newStringRange(IndexFields.CHUNK_ID, after, null, false, false),
                            BooleanClause.Occur.FILTER);
                }
                Query query = q.build();
                TopDocs top = s.search(query, limit, new Sort(new SortField(IndexFields.CHUNK_ID,
                        SortField.Type.STRING)));
                JsonArray chunks = new JsonArray();
                String last = null;
                for (ScoreDoc sd : top.scoreDocs) {
                    Document d = s.storedFields().document(sd.doc);
                    JsonObject chunk = StoredChunks.toJson(d);
                    chunks.add(chunk);
                    last = chunk.getString("chunk_id");
                }
                if (withVectors) {
                    addVectors(c, snap, top.scoreDocs, chunks);
                }
                return new JsonObject().put("chunks", chunks)
                        .put("next", chunks.size() == limit ? last : null);
            }
        });
    }

    /**
     * What an export with vectors adds to each chunk: its embedding ({@code vector}, base64 of little-endian
     * float32), the model that made it, and its document's content hash (so that re-indexing the unchanged source
     * after an import is still recognised as unchanged). An import of such lines writes them back as they are.
     */
    private static void addVectors(Collection c, IndexSnapshot snap, ScoreDoc[] docs, JsonArray chunks)
            throws IOException {
        int[] ids = new int[docs.length];
        for (int i = 0; i < docs.length; i++) {
            ids[i] = docs[i].doc;
        }
        float[][] vectors = snap.vectors(ids);
        Map<String, String> hashes = new HashMap<>();
        IndexSearcher s = snap.searcher();
        for (int i = 0; i < docs.length; i++) {
            JsonObject chunk = chunks.getJsonObject(i);
            String docId = chunk.getString("document_id");
            String hash = hashes.get(docId);
            if (hash == null && !hashes.containsKey(docId)) {
                TopDocs record = s.search(new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(IndexFields.KIND, IndexFields.KIND_DOC)), BooleanClause.Occur.FILTER)
                        .add(new TermQuery(new Term(IndexFields.DOC_ID, docId)), BooleanClause.Occur.FILTER).build(), 1);
                hash = record.scoreDocs.length == 0 ? null : s.storedFields().document(record.scoreDocs[0].doc,
                        Set.of(IndexFields.CONTENT_HASH)).get(IndexFields.CONTENT_HASH);
                hashes.put(docId, hash);
            }
            chunk.put("content_hash", hash).put("model", c.model().name())
                    .put("vector", vectors[i] == null ? null : QueryVectors.encode(vectors[i]));
        }
    }

    /**
     * Bytes under {@code dir}. Files come and go while commits merge segments: a file that vanishes mid-walk counts
     * as zero, and a walk broken by one (Files.walk throws UncheckedIOException from the stream) is retried.
     */
    public static long folderSize(Path dir) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Stream<Path> files = Files.walk(dir)) {
                return files.mapToLong(p -> {
                    try {
                        return Files.isRegularFile(p) ? Files.size(p) : 0;
                    } catch (IOException e) {
                        return 0;
                    }
                }).sum();
            } catch (IOException | UncheckedIOException e) {
                // retry: a segment file was deleted under the walk
            }
        }
        return -1;
    }
}
