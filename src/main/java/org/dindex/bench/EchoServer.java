package org.dindex.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The baseline of the IPC benchmark: a raw Unix-socket server that echoes each length-prefixed frame unchanged, one
 * thread per connection, no parsing. What the daemon adds over it is the cost of the bridge and the event bus.
 */
public final class EchoServer implements AutoCloseable {
    private final Path socket;
    private final ServerSocketChannel server;

    public EchoServer(Path socket) throws IOException {
        this.socket = socket;
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().name("echo-accept").start(this::acceptLoop);
    }

    public Path socket() {
        return socket;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread.ofPlatform().daemon().name("echo-conn").start(() -> echo(ch));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(SocketChannel ch) {
        ByteBuffer header = ByteBuffer.allocate(4);
        ByteBuffer body = ByteBuffer.allocate(64 * 1024);
        try (ch) {
            while (true) {
                header.clear();
                if (!readFully(ch, header)) {
                    return;
                }
                int length = header.getInt(0);
                if (length <= 0 || length > body.capacity()) {
                    return;
                }
                body.clear().limit(length);
                if (!readFully(ch, body)) {
                    return;
                }
                header.flip();
                body.flip();
                ch.write(new ByteBuffer[]{header, body});
            }
        } catch (IOException e) {
            // client went away
        }
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
        Files.deleteIfExists(socket);
    }
}
