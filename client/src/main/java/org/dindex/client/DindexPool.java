package org.dindex.client;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A thread-safe pool of socket connections to the daemon. Callers borrow a connection for one request and give it
 * back; at most {@code maxConnections} are open, extra callers wait up to {@code acquireTimeout}. A connection that
 * failed (the daemon went away, a reply timed out and may still arrive) is closed rather than reused, so a pool
 * heals after a daemon restart.
 *
 * <p>Why pool at all: a connection costs a socket and a selector, and the daemon limits connections per process
 * ({@code bridge.max_connections}); one connection serves one request at a time, so concurrent callers each need
 * their own.
 */
public final class DindexPool implements AutoCloseable {
    /**
     * @param maxConnections connections open at most
     * @param acquireTimeout how long a caller waits for a free connection
     * @param requestTimeout default time a request waits for its reply
     */
    public record Options(Path socket, int maxConnections, Duration acquireTimeout, Duration requestTimeout) {
        public Options {
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
            }
        }

        public static Options of(Path socket) {
            return new Options(socket, 8, Duration.ofSeconds(30), DindexClient.DEFAULT_TIMEOUT);
        }
    }

    private final Options options;
    private final BlockingQueue<DindexClient> idle;
    /** Borrowable slots: idle connections plus connections not yet opened. */
    private final Semaphore slots;
    private final AtomicInteger open = new AtomicInteger();
    private volatile boolean closed;

    public DindexPool(Options options) {
        this.options = options;
        this.idle = new ArrayBlockingQueue<>(options.maxConnections());
        this.slots = new Semaphore(options.maxConnections(), true);
    }

    public Options options() {
        return options;
    }

    /** {@link #request(String, JsonObject, Duration)} with the pool's request timeout. */
    public JsonObject request(String address, JsonObject body) {
        return request(address, body, options.requestTimeout());
    }

    /** Sends a request on a pooled connection and returns the reply body; failures as {@link DindexException}. */
    public JsonObject request(String address, JsonObject body, Duration timeout) {
        DindexClient client = borrow();
        boolean healthy = false;
        try {
            JsonObject reply = client.request(address, body, timeout);
            healthy = true;
            return reply;
        } catch (DindexException e) {
            // The daemon answered with an error: the connection is fine. Timeouts and lost connections are not.
            healthy = e.code() != ErrorCode.TIMEOUT && e.code() != ErrorCode.DAEMON_NOT_RUNNING
                    && e.code() != ErrorCode.BAD_FRAME;
            throw e;
        } finally {
            giveBack(client, healthy);
        }
    }

    /** Connections open now (idle ones included). */
    public int openConnections() {
        return open.get();
    }

    private DindexClient borrow() {
        if (closed) {
            throw new IllegalStateException("the pool is closed");
        }
        try {
            if (!slots.tryAcquire(options.acquireTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new DindexException(ErrorCode.TIMEOUT, "no free connection to the daemon within "
                        + options.acquireTimeout().toMillis() + " ms (pool of " + options.maxConnections() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DindexException(ErrorCode.TIMEOUT, "interrupted while waiting for a connection");
        }
        DindexClient client;
        while ((client = idle.poll()) != null) {
            if (!client.closedByDaemon()) {
                return client;
            }
            client.close();  // the daemon closed it while idle: open a new one instead
            open.decrementAndGet();
        }
        try {
            client = DindexClient.connect(options.socket());
            open.incrementAndGet();
            return client;
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    private void giveBack(DindexClient client, boolean healthy) {
        if (!(healthy && !closed && idle.offer(client))) {
            client.close();
            open.decrementAndGet();
        }
        slots.release();
    }

    @Override
    public void close() {
        closed = true;
        DindexClient c;
        while ((c = idle.poll()) != null) {
            c.close();
            open.decrementAndGet();
        }
    }
}
