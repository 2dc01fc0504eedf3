package org.dindex.client;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.Frames;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A stand-in for the daemon's socket bridge, enough for the client alone: a Unix socket in a temp folder, one thread
 * per connection reading length-prefixed JSON frames and writing back what {@code answer} makes of each (nothing when
 * it returns null). It counts the connections it accepted and the most open at once.
 */
final class FakeDaemon implements AutoCloseable {
    final Path dir;
    final Path socket;
    private final ServerSocketChannel server;
    private final Function<JsonObject, JsonObject> answer;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();

    private FakeDaemon(Path dir, ServerSocketChannel server, Function<JsonObject, JsonObject> answer) {
        this.dir = dir;
        this.socket = dir.resolve("dindex.sock");
        this.server = server;
        this.answer = answer;
    }

    static FakeDaemon start(Function<JsonObject, JsonObject> answer) throws IOException {
        Path dir = Files.createTempDirectory("dindex-client-test-");
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        FakeDaemon daemon = new FakeDaemon(dir, server, answer);
        server.bind(UnixDomainSocketAddress.of(daemon.socket));
        Thread.ofPlatform().daemon().name("fake-daemon-accept").start(daemon::acceptLoop);
        return daemon;
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel c = server.accept();
                accepted.incrementAndGet();
                open.add(c);
                maxOpen.accumulateAndGet(open.size(), Math::max);
                Thread.ofPlatform().daemon().name("fake-daemon-conn").start(() -> serve(c));
            }
        } catch (ClosedChannelException closed) {
            // stopped
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            while (true) {
                ByteBuffer length = readFully(c, 4);
                byte[] payload = readFully(c, length.getInt(0)).array();
                JsonObject reply = answer.apply(new JsonObject(new String(payload, StandardCharsets.UTF_8)));
                if (reply != null) {
                    byte[] out = Frames.utf8(reply);
                    ByteBuffer framed = ByteBuffer.allocate(out.length + 4).putInt(out.length).put(out).flip();
                    while (framed.hasRemaining()) {
                        c.write(framed);
                    }
                }
            }
        } catch (IOException e) {
            // the client went away, or closeConnections() closed it
        } finally {
            open.remove(c);
        }
    }

    private static ByteBuffer readFully(SocketChannel c, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (c.read(b) < 0) {
                throw new EOFException();
            }
        }
        return b;
    }

    /** Connections open now. */
    int openConnections() {
        return open.size();
    }

    /**
     * Closes every open connection the way the daemon closes idle ones: an {@code err} frame saying why, then the end
     * of the stream. The output is shut down before the close, because closing a channel that another thread is
     * reading only takes effect once that thread wakes up: the client must see the end at once.
     */
    void closeConnections() throws IOException {
        byte[] why = Frames.utf8(Frames.err(null, ErrorCode.TIMEOUT, "closing this connection after 1000 ms without"
                + " requests (bridge.idle_timeout_ms)"));
        for (SocketChannel c : open) {
            try {
                ByteBuffer framed = ByteBuffer.allocate(why.length + 4).putInt(why.length).put(why).flip();
                while (framed.hasRemaining()) {
                    c.write(framed);
                }
                c.shutdownOutput();
            } catch (IOException gone) {
                // the client closed it first
            } finally {
                c.close();
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        closeConnections();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }
}
