package org.dindex.index;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Frames;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes a batch of {@link WriteOp}s as one write-ahead-log record (JSON, vectors as base64 little-endian floats)
 * and back. One record per batch means one fsync per batch. Cluster members send each other writes in the same
 * form (a primary forwarding to its replicas, a recovery copying documents), so that a copy stores exactly the
 * primary's bytes, vectors included, without embedding anything again.
 */
public final class WalCodec {
    private WalCodec() {
    }

    public static byte[] encode(List<WriteOp> ops) {
        JsonArray array = new JsonArray();
        for (WriteOp op : ops) {
            array.add(switch (op) {
                case WriteOp.Upsert u -> new JsonObject().put("op", "upsert").put("doc", encode(u.doc()));
                case WriteOp.DeleteDocuments d -> new JsonObject().put("op", "delete_docs")
                        .put("doc_ids", new JsonArray(new ArrayList<>(d.docIds())));
                case WriteOp.DeleteSource s -> new JsonObject().put("op", "delete_source").put("prefix", s.prefix());
                case WriteOp.Clear c -> new JsonObject().put("op", "clear");
            });
        }
        return Frames.utf8(new JsonObject().put("ops", array));
    }

    public static List<WriteOp> decode(byte[] payload) {
        JsonObject record = new JsonObject(Buffer.buffer(payload));
        List<WriteOp> ops = new ArrayList<>();
        for (Object o : record.getJsonArray("ops")) {
            JsonObject op = (JsonObject) o;
            ops.add(switch (op.getString("op")) {
                case "upsert" -> new WriteOp.Upsert(decodeDoc(op.getJsonObject("doc")));
                case "delete_docs" -> new WriteOp.DeleteDocuments(op.getJsonArray("doc_ids").getList());
                case "delete_source" -> new WriteOp.DeleteSource(op.getString("prefix"));
                case "clear" -> new WriteOp.Clear();
                default -> throw new IllegalArgumentException("unknown log op " + op.getString("op"));
            });
        }
        return ops;
    }

    private static JsonObject encode(DocumentRecord doc) {
        JsonArray chunks = new JsonArray();
        Base64.Encoder b64 = Base64.getEncoder();
        for (ChunkRecord c : doc.chunks()) {
            chunks.add(new JsonObject().put("id", c.chunkId()).put("n", c.ordinal()).put("text", c.text())
                    .put("section", new JsonArray(new ArrayList<>(c.section()))).put("position", c.position())
                    .put("tokens", c.tokens()).put("vector", b64.encodeToString(VectorCodec.encode(c.vector()))));
        }
        return new JsonObject().put("id", doc.docId()).put("source", doc.source()).put("title", doc.title())
                .put("url", doc.url()).put("hash", doc.contentHash())
                .put("metadata", new JsonObject(new HashMap<>(doc.metadata())))
                .put("timestamp", doc.timestamp()).put("indexed_at", doc.indexedAt()).put("chunks", chunks);
    }

    private static DocumentRecord decodeDoc(JsonObject d) {
        List<ChunkRecord> chunks = new ArrayList<>();
        Base64.Decoder b64 = Base64.getDecoder();
        for (Object o : d.getJsonArray("chunks")) {
            JsonObject c = (JsonObject) o;
            byte[] v = b64.decode(c.getString("vector"));
            List<String> section = new ArrayList<>();
            c.getJsonArray("section").forEach(s -> section.add((String) s));
            chunks.add(new ChunkRecord(c.getString("id"), c.getInteger("n"), c.getString("text"), section,
                    c.getDouble("position"), c.getInteger("tokens"), VectorCodec.decode(v, 0, v.length)));
        }
        Map<String, String> metadata = new HashMap<>();
        d.getJsonObject("metadata").forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
        return new DocumentRecord(d.getString("id"), d.getString("source"), d.getString("title"), d.getString("url"),
                d.getString("hash"), metadata, d.getLong("timestamp"), d.getLong("indexed_at"), chunks);
    }
}
