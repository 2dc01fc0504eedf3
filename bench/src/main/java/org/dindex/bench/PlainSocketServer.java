package org.dindex.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

/**
 * The benchmarks' baselines: a plain Unix-socket server (no Vert.x, no event bus), one blocking thread per
 * connection, answering each length-prefixed frame with what its handler makes of it.
 *
 * <ul>
 *   <li>{@link #echo}: the handler runs on the connection's thread and returns the frame unchanged, the bare round
 *       trip {@code bench ipc} measures the daemon against;</li>
 *   <li>with workers: each request is handed to a worker thread and answered when it comes back. {@code bench
 *       search} times the same search through it beside the daemon's socket, so the daemon's overhead can be read
 *       against what any server that keeps blocking work off its I/O thread must pay here (two thread wake-ups,
 *       two socket transfers), with and without JSON.</li>
 * </ul>
 */
final class PlainSocketServer implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;
    private final ExecutorService workers;
    private final UnaryOperator<byte[]> handler;

    /**
     * @param workers threads the handler runs on, or 0 to run it on the connection's thread
     * @param handler turns a request's payload into the reply's payload
     */
    PlainSocketServer(Path socket, int workers, UnaryOperator<byte[]> handler) throws IOException {
        this.socket = socket;
        this.handler = handler;
        this.workers = workers == 0 ? null : Executors.newFixedThreadPool(workers, Thread.ofPlatform()
                .name("plain-worker-", 0).daemon().factory());
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().name("plain-accept").start(this::acceptLoop);
    }

    /** A server that echoes each frame unchanged on the connection's thread. */
    static PlainSocketServer echo(Path socket) throws IOException {
        return new PlainSocketServer(socket, 0, UnaryOperator.identity());
    }

    Path socket() {
        return socket;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread.ofPlatform().daemon().name("plain-conn").start(() -> serve(ch));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            while (true) {
                byte[] request = readFrame(ch);
                if (request == null) {
                    return;
                }
                byte[] reply = workers == null ? handler.apply(request)
                        : workers.submit(() -> handler.apply(request)).get();
                writeFrame(ch, reply);
            }
        } catch (IOException | ExecutionException | RuntimeException e) {
            // client went away, or the handler failed: the client sees the connection close
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes a 4-byte big-endian length and {@code payload}. */
    static void writeFrame(SocketChannel ch, byte[] payload) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(payload.length + 4).putInt(payload.length).put(payload).flip();
        while (out.hasRemaining()) {
            ch.write(out);
        }
    }

    /** Reads one length-prefixed frame from a blocking channel, or null at the end of the stream. */
    static byte[] readFrame(SocketChannel ch) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(4);
        if (!readFully(ch, header)) {
            return null;
        }
        int length = header.getInt(0);
        if (length <= 0 || length > 64 * 1024 * 1024) {
            throw new IOException("invalid frame length " + length);
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        return readFully(ch, body) ? body.array() : null;
    }

    private static boolean readFully(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        server.close();
        if (workers != null) {
            workers.shutdownNow();
        }
        Files.deleteIfExists(socket);
    }
}
