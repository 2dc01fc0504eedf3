package org.dindex.ingest;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.bus.BusHandlers;
import org.dindex.protocol.DindexException;
import org.dindex.collections.Collection;
import org.dindex.collections.CollectionRegistry;
import org.dindex.index.ChunkIndex;
import org.dindex.index.ChunkRecord;
import org.dindex.index.Commits;
import org.dindex.index.DocumentIds;
import org.dindex.index.DocumentRecord;
import org.dindex.index.WriteOp;
import org.dindex.extract.Block;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.Locale;
import org.dindex.embed.Embedder;
import org.dindex.metrics.Metrics;
import org.dindex.platform.BackgroundPriority;

/**
 * The ingest batching verticle: serves {@code dindex.index.submit} for the collection a request names. For each
 * document: skip it when its content hash matches what the collection holds (no re-embedding), else chunk it (on
 * the {@code dindex-ingest} pool), embed its chunks through the batching queue of the collection's model (shared by
 * the collections of that model), and write the whole request to the collection's index as one WAL record.
 * Documents that come already chunked with their vectors (an import of an export) are written as they are when the
 * vectors were made by the collection's model. The reply comes when the write is durable, here and, in a cluster,
 * on the other copies of its shards ({@link WriteForwarding}), so a client that waits for replies is slowed by a
 * slow embedder: that is the backpressure.
 */
public final class IngestVerticle extends VerticleBase {
    /** Per-document outcomes. */
    public enum Status { INDEXED, REPLACED, UNCHANGED, FAILED }

    private record Prepared(DocumentRequest request, String docId, String hash, Optional<ChunkIndex.DocState> existing) {
        /** Whether the document brings vectors of the collection's model for every chunk (nothing to embed). */
        boolean hasVectors(Collection c) {
            return request.chunks() != null && c.model().name().equals(request.model())
                    && request.chunks().stream().allMatch(ch -> ch.vector() != null
                    && ch.vector().length == c.model().dimensions());
        }
    }

    private final BusHandlers handlers;
    private final CollectionRegistry collections;
    private final Commits commits;
    private final WriteForwarding forwarding;
    private WorkerExecutor chunkPool;
    private Metrics metrics;

    /** Counts documents by outcome and chunks written (optional). */
    public IngestVerticle meter(Metrics metrics) {
        this.metrics = metrics;
        return this;
    }

    public IngestVerticle(BusHandlers handlers, CollectionRegistry collections, Commits commits,
                          WriteForwarding forwarding) {
        this.forwarding = forwarding;
        this.handlers = handlers;
        this.collections = collections;
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

    /** Indexes the request's documents into this daemon's collection (what a lone daemon always does). */
    private Future<JsonObject> submit(JsonObject body) {
        Collection collection = collections.of(body);
        collection.ensureOpen();
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
            BackgroundPriority.lower();
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
        }, false).compose(requests1 -> prepare(collection, requests1))
                .compose(prepared -> chunkAndEmbed(collection, prepared, results, slots))
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
    private Future<List<Prepared>> prepare(Collection c, List<DocumentRequest> requests) {
        List<String> ids = requests.stream().map(r -> DocumentIds.forSource(r.source())).toList();
        return c.index().onWriter(() -> {
            List<Prepared> prepared = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                DocumentRequest r = requests.get(i);
                boolean sameModel = r.chunks() != null && c.model().name().equals(r.model());
                String hash = sameModel && r.contentHash() != null ? r.contentHash() : contentHash(c, r);
                prepared.add(new Prepared(r, ids.get(i), hash, c.index().index().lookup(ids.get(i))));
            }
            return prepared;
        });
    }

    private Future<Long> chunkAndEmbed(Collection c, List<Prepared> prepared, JsonObject[] results,
                                       List<Integer> slots) {
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
                    BackgroundPriority.lower();
                    return changed.stream().map(p -> p.request().chunks() != null ? asChunks(p.request())
                            : c.chunker().chunk(p.request().content())).toList();
                }, false)
                .compose(chunked -> {
                    // Only the chunks that did not bring their vectors are embedded.
                    List<String> texts = new ArrayList<>();
                    for (int d = 0; d < changed.size(); d++) {
                        if (!changed.get(d).hasVectors(c)) {
                            chunked.get(d).forEach(ch -> texts.add(ch.text()));
                        }
                    }
                    return c.embeddings().embedPassages(texts).map(embedded -> {
                        List<float[]> vectors = new ArrayList<>();
                        int next = 0;
                        for (int d = 0; d < changed.size(); d++) {
                            Prepared p = changed.get(d);
                            if (p.hasVectors(c)) {
                                p.request().chunks().forEach(ch -> vectors.add(normalized(ch.vector())));
                            } else {
                                for (int i = 0; i < chunked.get(d).size(); i++) {
                                    vectors.add(embedded.get(next++));
                                }
                            }
                        }
                        return records(changed, chunked, vectors);
                    });
                })
                .compose(records -> {
                    List<WriteOp> ops = records.stream().<WriteOp>map(WriteOp.Upsert::new).toList();
                    // map, not onSuccess: an onSuccess handler on a future completed by the writer's thread may
                    // be queued behind the caller's own continuation, which then reads results not yet filled in.
                    c.ensureOpen();
                    return c.index().write(ops).compose(seq -> forwarding.forward(c.name(), records).map(v -> seq))
                            .map(seq -> {
                        int chunks = 0;
                        for (int i = 0; i < records.size(); i++) {
                            Prepared p = changed.get(i);
                            DocumentRecord r = records.get(i);
                            chunks += r.chunks().size();
                            results[changedSlots.get(i)] = result(p.request().source(), p.docId(),
                                    p.existing().isPresent() ? Status.REPLACED : Status.INDEXED, r.chunks().size());
                        }
                        commits.written(c, chunks);
                        return seq;
                    });
                });
    }

    /** A document's given chunks as the chunker's records. */
    private static List<Chunk> asChunks(DocumentRequest r) {
        List<Chunk> out = new ArrayList<>(r.chunks().size());
        for (DocumentRequest.PreparedChunk ch : r.chunks()) {
            out.add(new Chunk(ch.text(), ch.section(), 0, ch.position(), ch.tokens()));
        }
        return out;
    }

    /** A given vector at unit length (as exported it already is: then it is kept bit for bit). */
    private static float[] normalized(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        return Math.abs(Math.sqrt(norm) - 1) < 1e-4 ? v : Embedder.normalize(v.clone());
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
    private static String contentHash(Collection c, DocumentRequest r) {
        StringBuilder sb = new StringBuilder();
        sb.append(c.embeddings().embedder().modelName()).append('\u0000').append(c.chunker().options())
                .append('\u0000')
                .append(r.title()).append('\u0000').append(r.url()).append('\u0000')
                .append(new TreeMap<>(r.metadata())).append('\u0000');
        for (Block b : r.content().blocks()) {
            sb.append(String.join("\u001f", b.section())).append('\u0001').append(b.text()).append('\u0002');
        }
        return DocumentIds.sha256(sb.toString());
    }

    private static JsonObject result(String source, String docId, Status status, int chunks) {
        return new JsonObject().put("source", source).put("doc_id", docId)
                .put("status", status.name().toLowerCase(Locale.ROOT)).put("chunks", chunks);
    }

}
