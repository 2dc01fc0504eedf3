package org.dindex.ingest;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.bus.BusHandlers;
import org.dindex.protocol.DindexException;
import org.dindex.embed.EmbeddingService;
import org.dindex.index.ChunkIndex;
import org.dindex.index.ChunkRecord;
import org.dindex.index.CommitVerticle;
import org.dindex.index.DocumentIds;
import org.dindex.index.DocumentRecord;
import org.dindex.index.IndexService;
import org.dindex.index.WriteOp;
import org.dindex.extract.Block;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The ingest batching verticle: serves {@code dindex.index.submit}. For each document: skip it when its content hash
 * matches what is indexed (no re-embedding), else chunk it (on the {@code dindex-ingest} pool), embed its chunks
 * through the shared batching {@link EmbeddingService}, and write the whole request to the index as one WAL record.
 * The reply comes when the write is durable, so a client that waits for replies is slowed by a slow embedder: that
 * is the backpressure.
 */
public final class IngestVerticle extends VerticleBase {
    /** Per-document outcomes. */
    public enum Status { INDEXED, REPLACED, UNCHANGED, FAILED }

    private record Prepared(DocumentRequest request, String docId, String hash, Optional<ChunkIndex.DocState> existing) {
    }

    private final BusHandlers handlers;
    private final IndexService index;
    private final EmbeddingService embeddings;
    private final Chunker chunker;
    private final CommitVerticle commits;
    private WorkerExecutor chunkPool;
    private org.dindex.metrics.Metrics metrics;

    /** Counts documents by outcome and chunks written (optional). */
    public IngestVerticle meter(org.dindex.metrics.Metrics metrics) {
        this.metrics = metrics;
        return this;
    }

    public IngestVerticle(BusHandlers handlers, IndexService index, EmbeddingService embeddings, Chunker chunker,
                          CommitVerticle commits) {
        this.handlers = handlers;
        this.index = index;
        this.embeddings = embeddings;
        this.chunker = chunker;
        this.commits = commits;
    }

    @Override
    public Future<?> start() {
        chunkPool = vertx.createSharedWorkerExecutor("dindex-ingest", 2, 5, TimeUnit.MINUTES);
        handlers.serve(Addresses.INDEX_SUBMIT, this::submit);
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        return chunkPool.close();
    }

    private Future<JsonObject> submit(JsonObject body) {
        if (!(body.getValue("documents") instanceof JsonArray docs)) {
            return Future.failedFuture(DindexException.badRequest("'documents' must be an array of documents"));
        }
        if (docs.isEmpty()) {
            return Future.succeededFuture(new JsonObject().put("results", new JsonArray()));
        }
        JsonObject[] results = new JsonObject[docs.size()];
        List<DocumentRequest> requests = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        // Parsing may extract HTML or markdown (CPU work on large bodies): not on the event loop.
        Future<JsonObject> done = chunkPool.executeBlocking(() -> {
            org.dindex.platform.BackgroundPriority.lower();
            for (int i = 0; i < docs.size(); i++) {
                Object o = docs.getValue(i);
                try {
                    if (!(o instanceof JsonObject json)) {
                        throw DindexException.badRequest("document " + i + " is not an object");
                    }
                    requests.add(DocumentRequest.parse(json));
                    slots.add(i);
                } catch (DindexException e) {
                    results[i] = result(o instanceof JsonObject j ? j.getString("source") : null, null,
                            Status.FAILED, 0).put("error", e.getMessage());
                }
            }
            return requests;
        }, false).compose(this::prepare)
                .compose(prepared -> chunkAndEmbed(prepared, results, slots))
                .map(seq -> new JsonObject().put("results", new JsonArray(List.of(results))));
        return metrics == null ? done : done.onSuccess(this::count);
    }

    private void count(JsonObject reply) {
        for (Object o : reply.getJsonArray("results")) {
            JsonObject r = (JsonObject) o;
            metrics.registry().counter("dindex.documents", "status", r.getString("status")).increment();
            if (!"unchanged".equals(r.getString("status")) && !"failed".equals(r.getString("status"))) {
                metrics.registry().counter("dindex.chunks.indexed").increment(r.getInteger("chunks", 0));
            }
        }
    }

    /** Ids, hashes and what the index already holds, looked up on the writer (sees uncommitted writes too). */
    private Future<List<Prepared>> prepare(List<DocumentRequest> requests) {
        List<String> ids = requests.stream().map(r -> DocumentIds.forSource(r.source())).toList();
        return index.onWriter(() -> {
            List<Prepared> prepared = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                DocumentRequest r = requests.get(i);
                prepared.add(new Prepared(r, ids.get(i), contentHash(r), index.index().lookup(ids.get(i))));
            }
            return prepared;
        });
    }

    private Future<Long> chunkAndEmbed(List<Prepared> prepared, JsonObject[] results, List<Integer> slots) {
        List<Prepared> changed = new ArrayList<>();
        List<Integer> changedSlots = new ArrayList<>();
        for (int i = 0; i < prepared.size(); i++) {
            Prepared p = prepared.get(i);
            if (p.existing().isPresent() && p.existing().get().contentHash().equals(p.hash())) {
                results[slots.get(i)] = result(p.request().source(), p.docId(), Status.UNCHANGED,
                        p.existing().get().chunks());
            } else {
                changed.add(p);
                changedSlots.add(slots.get(i));
            }
        }
        if (changed.isEmpty()) {
            return Future.succeededFuture(0L);
        }
        return chunkPool.executeBlocking(() -> {
                    org.dindex.platform.BackgroundPriority.lower();
                    return changed.stream().map(p -> chunker.chunk(p.request().content())).toList();
                }, false)
                .compose(chunked -> {
                    List<String> texts = chunked.stream().flatMap(List::stream).map(Chunk::text).toList();
                    return embeddings.embedPassages(texts).map(vectors -> records(changed, chunked, vectors));
                })
                .compose(records -> {
                    List<WriteOp> ops = records.stream().<WriteOp>map(WriteOp.Upsert::new).toList();
                    // map, not onSuccess: an onSuccess handler on a future completed by the writer's thread may
                    // be queued behind the caller's own continuation, which then reads results not yet filled in.
                    return index.write(ops).map(seq -> {
                        int chunks = 0;
                        for (int i = 0; i < records.size(); i++) {
                            Prepared p = changed.get(i);
                            DocumentRecord r = records.get(i);
                            chunks += r.chunks().size();
                            results[changedSlots.get(i)] = result(p.request().source(), p.docId(),
                                    p.existing().isPresent() ? Status.REPLACED : Status.INDEXED, r.chunks().size());
                        }
                        commits.written(chunks);
                        return seq;
                    });
                });
    }

    private static List<DocumentRecord> records(List<Prepared> docs, List<List<Chunk>> chunked,
                                                List<float[]> vectors) {
        List<DocumentRecord> records = new ArrayList<>();
        int v = 0;
        long now = System.currentTimeMillis();
        for (int d = 0; d < docs.size(); d++) {
            Prepared p = docs.get(d);
            List<ChunkRecord> chunks = new ArrayList<>();
            List<Chunk> pieces = chunked.get(d);
            for (int i = 0; i < pieces.size(); i++) {
                Chunk c = pieces.get(i);
                chunks.add(new ChunkRecord(ChunkRecord.id(p.docId(), i), i, c.text(), c.section(), c.position(),
                        c.tokens(), vectors.get(v++)));
            }
            DocumentRequest r = p.request();
            records.add(new DocumentRecord(p.docId(), r.source(), r.title(), r.url(), p.hash(), r.metadata(),
                    r.timestamp(), now, chunks));
        }
        return records;
    }

    /**
     * What makes a document "the same": its text and structure, title, url, metadata, and the model and chunking that
     * would turn it into chunks. Equal hashes mean re-indexing would produce identical chunks and vectors.
     */
    private String contentHash(DocumentRequest r) {
        StringBuilder sb = new StringBuilder();
        sb.append(embeddings.embedder().modelName()).append('\u0000').append(chunker.options()).append('\u0000')
                .append(r.title()).append('\u0000').append(r.url()).append('\u0000')
                .append(new TreeMap<>(r.metadata())).append('\u0000');
        for (Block b : r.content().blocks()) {
            sb.append(String.join("\u001f", b.section())).append('\u0001').append(b.text()).append('\u0002');
        }
        return DocumentIds.sha256(sb.toString());
    }

    private static JsonObject result(String source, String docId, Status status, int chunks) {
        return new JsonObject().put("source", source).put("doc_id", docId)
                .put("status", status.name().toLowerCase(java.util.Locale.ROOT)).put("chunks", chunks);
    }

}
