package org.dindex.client;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.Frames;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A blocking client for the daemon's socket, speaking the event-bus bridge frames. One connection, one caller at a
 * time. It boots no Vert.x, Lucene or ONNX, so CLI commands start fast.
 *
 * <p>Failures surface as {@link DindexException}: {@link ErrorCode#DAEMON_NOT_RUNNING} when nothing listens,
 * {@link ErrorCode#TIMEOUT} when no reply comes in time, otherwise the code and message of the daemon's
 * {@code err} frame.
 */
public final class DindexClient implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_FRAME = 256 * 1024 * 1024;

    private final Path socketPath;
    private final SocketChannel channel;
    private final Selector selector;
    /**
     * Labels this connection's requests. The bridge writes a reply back on the connection that asked, so the label
     * only has to tell this connection's requests apart, not be unguessable: no random UUID, whose secure random
     * source is slow to seed in a command-line process (docs/benchmarks.md, {@code bench cli}).
     */
    private final String replyPrefix = "dindex.client." + Long.toHexString(ThreadLocalRandom.current().nextLong())
            + ".";
    private final AtomicLong sequence = new AtomicLong();
    private ByteBuffer in = ByteBuffer.allocate(64 * 1024);

    private DindexClient(Path socketPath, SocketChannel channel, Selector selector) {
        this.socketPath = socketPath;
        this.channel = channel;
        this.selector = selector;
    }

    /** Connects to the daemon's socket, or throws {@link ErrorCode#DAEMON_NOT_RUNNING}. */
    public static DindexClient connect(Path socket) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            Selector selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new DindexClient(socket, channel, selector);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new DindexException(ErrorCode.DAEMON_NOT_RUNNING, "no daemon is listening on " + socket + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        }
    }

    /** {@link #request(String, JsonObject, Duration)} with the default timeout. */
    public JsonObject request(String address, JsonObject body) {
        return request(address, body, DEFAULT_TIMEOUT);
    }

    /** Sends {@code body} to {@code address} and waits for the reply body. */
    public JsonObject request(String address, JsonObject body, Duration timeout) {
        String replyAddress = replyPrefix + sequence.incrementAndGet();
        JsonObject frame = new JsonObject().put("type", Frames.SEND).put("address", address)
                .put("replyAddress", replyAddress);
        if (timeout.compareTo(DEFAULT_TIMEOUT) > 0) {
            // Ask the daemon to wait as long as we do (its default reply timeout is shorter).
            frame.put("headers", new JsonObject().put("timeout_ms", timeout.toMillis()));
        }
        if (body != null) {
            frame.put("body", body);
        }
        writeFrame(frame);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonObject reply = readFrame(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (reply == null) {
                throw new DindexException(ErrorCode.TIMEOUT, "no reply from the daemon to '" + address
                        + "' within " + timeout.toMillis() + " ms");
            }
            String type = reply.getString("type");
            String from = reply.getString("address");
            if (Frames.ERR.equals(type) && (from == null || from.equals(replyAddress))) {
                throw new DindexException(ErrorCode.fromWireName(reply.getString("code")),
                        reply.getString("message", "unknown error"));
            }
            if (Frames.MESSAGE.equals(type) && replyAddress.equals(from)) {
                Object replyBody = reply.getValue("body");
                return replyBody instanceof JsonObject json ? json : new JsonObject().put("value", replyBody);
            }
        }
    }

    /** Writes one frame. */
    public void writeFrame(JsonObject frame) {
        writeRaw(Frames.utf8(frame));
    }

    /** Writes a length prefix and {@code payload} as given: tests use it to send malformed frames. */
    public void writeRaw(byte[] payload) {
        ByteBuffer out = ByteBuffer.allocate(payload.length + 4).putInt(payload.length).put(payload).flip();
        writeBytes(out);
    }

    /** Writes bytes exactly as given, with no framing. */
    public void writeBytes(ByteBuffer out) {
        try {
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    waitFor(SelectionKey.OP_WRITE, 10_000);
                }
            }
        } catch (IOException e) {
            throw closedWithReason().orElseGet(() -> new DindexException(ErrorCode.DAEMON_NOT_RUNNING,
                    "connection to the daemon lost while writing: " + e.getMessage()));
        }
    }

    /**
     * Why the daemon closed this connection, when it said so: it writes an {@code err} frame before closing (at its
     * connection limit, after an idle timeout), and a client that was writing at that moment sees only a broken pipe.
     */
    private Optional<DindexException> closedWithReason() {
        try {
            JsonObject frame = readFrame(Duration.ofMillis(200));
            if (frame != null && Frames.ERR.equals(frame.getString("type"))) {
                return Optional.of(new DindexException(ErrorCode.fromWireName(frame.getString("code")),
                        frame.getString("message", "the daemon closed the connection")));
            }
        } catch (DindexException ignored) {
            // nothing readable was left: the plain message will do
        }
        return Optional.empty();
    }

    /**
     * Reads the next frame, or returns null when none arrives within {@code timeout}.
     *
     * @throws DindexException {@link ErrorCode#DAEMON_NOT_RUNNING} when the daemon closes the connection
     */
    public JsonObject readFrame(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                JsonObject frame = nextBufferedFrame();
                if (frame != null) {
                    return frame;
                }
                long remainingMs = (deadline - System.nanoTime()) / 1_000_000;
                int n = channel.read(in);
                if (n < 0) {
                    throw new DindexException(ErrorCode.DAEMON_NOT_RUNNING, "the daemon closed the connection");
                }
                if (n == 0) {
                    if (remainingMs <= 0) {
                        return null;
                    }
                    waitFor(SelectionKey.OP_READ, remainingMs);
                }
            }
        } catch (IOException e) {
            throw new DindexException(ErrorCode.DAEMON_NOT_RUNNING, "connection to the daemon lost: "
                    + e.getMessage());
        }
    }

    private JsonObject nextBufferedFrame() {
        if (in.position() < 4) {
            return null;
        }
        int length = in.getInt(0);
        if (length <= 0 || length > MAX_FRAME) {
            throw new DindexException(ErrorCode.BAD_FRAME, "the daemon sent an invalid frame length " + length);
        }
        if (in.capacity() < length + 4) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(length + 4, in.capacity() * 2));
            in.flip();
            bigger.put(in);
            in = bigger;
            return null;
        }
        if (in.position() < length + 4) {
            return null;
        }
        try {
            return Frames.decode(in.array(), 4, length);
        } catch (DecodeException | ClassCastException e) {
            throw new DindexException(ErrorCode.BAD_FRAME, "the daemon sent a frame that is not a JSON object");
        } finally {
            in.flip();
            in.position(length + 4);
            in.compact();
        }
    }

    private void waitFor(int op, long millis) throws IOException {
        SelectionKey key = channel.keyFor(selector);
        key.interestOps(op);
        selector.select(Math.max(1, millis));
        selector.selectedKeys().clear();
    }

    /**
     * Whether the daemon closed this idle connection (it does after {@code bridge.idle_timeout_ms}, saying so in an
     * {@code err} frame): a non-blocking look that sends nothing. Unsolicited bytes count as closed too, since an idle
     * connection is owed no frame.
     */
    boolean closedByDaemon() {
        try {
            return channel.read(in) < 0 || in.position() > 0;
        } catch (IOException e) {
            return true;
        }
    }

    public Path socketPath() {
        return socketPath;
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
