package org.dindex.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.Frames;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run for the JVM's ahead-of-time cache of the CLI ({@code bin/dindex} makes one with
 * {@code -XX:AOTCacheOutput} when the CLI jar is new): it runs the everyday commands, so the classes they load
 * (picocli, the commands, the socket client, JSON) are loaded and linked once and mapped from the cache by every
 * later command instead of being read from the jar and verified again.
 *
 * <p>Why a run of its own, against a stand-in daemon that answers status and search with replies of the daemon's
 * shape: a cache trained on whatever the user typed first covers that command only, and one trained without a daemon
 * misses the reply path. It is kept to the commands that must start fastest, since the JVM maps everything in the
 * cache at every start: a cache trained on every command made {@code status} slower than one trained on a few.
 */
public final class StartupTraining {
    private StartupTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("dindex-training");
        Path socket = dir.resolve("d.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread daemon = Thread.ofPlatform().daemon().start(() -> answer(server));
            Map<String, String> env = new HashMap<>();
            env.put("DINDEX_NO_AUTOSTART", "1");
            env.put("HOME", dir.toString());
            PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
            for (List<String> command : List.of(List.of("--version"), List.of("status"), List.of("status", "--json"),
                    List.of("search", "training", "--top-k", "3"))) {
                String[] all = new String[4 + command.size()];
                all[0] = "--data-dir";
                all[1] = dir.resolve("data").toString();
                all[2] = "--socket";
                all[3] = socket.toString();
                for (int i = 0; i < command.size(); i++) {
                    all[4 + i] = command.get(i);
                }
                Main.run(all, sink, sink, env);
            }
            daemon.interrupt();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Answers each request with a canned reply of the daemon's shape, one connection at a time. */
    private static void answer(ServerSocketChannel server) {
        while (!Thread.currentThread().isInterrupted()) {
            try (SocketChannel client = server.accept()) {
                while (true) {
                    ByteBuffer length = ByteBuffer.allocate(4);
                    if (!readFully(client, length)) {
                        break;
                    }
                    ByteBuffer body = ByteBuffer.allocate(length.getInt(0));
                    if (!readFully(client, body)) {
                        break;
                    }
                    JsonObject request = Frames.decode(body.array(), 0, body.capacity());
                    byte[] reply = Frames.utf8(Frames.message(request.getString("replyAddress"),
                            cannedReply(request.getString("address"))));
                    client.write(ByteBuffer.allocate(4 + reply.length).putInt(reply.length).put(reply).flip());
                }
            } catch (IOException | RuntimeException e) {
                return;
            }
        }
    }

    private static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    private static JsonObject cannedReply(String address) {
        if (Addresses.SEARCH.equals(address)) {
            JsonObject chunk = new JsonObject().put("chunk_id", "d-0").put("content", "Training text.")
                    .put("snippet", "**Training** text.").put("section_hierarchy", new JsonArray().add("Intro"))
                    .put("matched_by", new JsonArray().add("dense").add("bm25")).put("position", 0.0)
                    .put("score", new JsonObject().put("dense", 0.5).put("bm25", 1.2).put("fused", 1.0));
            JsonObject doc = new JsonObject().put("document_id", "d").put("title", "Training").put("url", null)
                    .put("source", "/training.txt").put("citation", 1).put("score", 1.0)
                    .put("chunks", new JsonArray().add(chunk));
            return new JsonObject().put("results", new JsonArray().add(doc)).put("citations", new JsonArray())
                    .put("total_documents", 1).put("total_chunks", 1).put("query_time_ms", 1.5).put("mode", "hybrid");
        }
        return new JsonObject().put("state", "running").put("pid", 1).put("version", "training")
                .put("uptime_ms", 1000).put("socket", "/training.sock").put("data_dir", "/training")
                .put("transport", "epoll").put("connections", 1)
                .put("memory", new JsonObject().put("rss_bytes", 1L << 20).put("heap_used_bytes", 1L << 20)
                        .put("heap_max_bytes", 1L << 30));
    }
}
