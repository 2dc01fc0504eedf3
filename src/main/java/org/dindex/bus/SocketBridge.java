package org.dindex.bus;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import org.dindex.metrics.Metrics;
import org.dindex.protocol.ErrorCode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Exposes the event bus on a Unix domain socket in the TCP event-bus bridge wire format, hardened: frame-size limit,
 * an {@code err} frame for every bad input, request timeouts, permitted addresses only. See {@code docs/protocol.md}.
 *
 * <p>Why not the stock {@code TcpEventBusBridge}: in Vert.x 5.1.6 it leaves a client hanging on malformed JSON, an
 * unknown type or a bad length prefix, and has no frame-size limit. The wire format is kept, so its clients work.
 */
public final class SocketBridge {
    private final Vertx vertx;
    private final BridgeOptions options;
    private final BridgePermissions permissions;
    private final BridgeStats stats = new BridgeStats();
    private final FrameBudget budget;
    private NetServer server;

    private final DirectRoutes direct;

    public SocketBridge(Vertx vertx, BridgeOptions options, BridgePermissions permissions, DirectRoutes direct) {
        this.vertx = vertx;
        this.direct = direct;
        this.options = options;
        this.permissions = permissions;
        this.budget = new FrameBudget(options.maxPendingFrameBytes());
    }

    public Future<Void> listen(Path socketPath) {
        server = vertx.createNetServer(new NetServerOptions());
        server.connectHandler(this::accept);
        return server.listen(SocketAddress.domainSocketAddress(socketPath.toString())).mapEmpty();
    }

    private void accept(NetSocket socket) {
        BridgeConnection connection = new BridgeConnection(vertx, socket, options, permissions, stats, budget,
                direct);
        if (stats.connections() >= options.maxConnections()) {
            evictLongestIdle();
        }
        if (stats.connections() >= options.maxConnections()) {
            stats.error("too_many_connections");
            connection.refuse(ErrorCode.TOO_MANY_REQUESTS, "too many connections (limit " + options.maxConnections()
                    + "); try again later");
            return;
        }
        stats.connectionOpened(connection);
        connection.start();
    }

    /**
     * At the connection limit, idle connections (a pool's spare ones, a forgotten client) must not lock out a new
     * client: the one idle longest is closed, and counts as gone at once so the new one is served.
     */
    private void evictLongestIdle() {
        stats.openConnections().stream().filter(c -> c.idleSince() != Long.MAX_VALUE)
                .min(Comparator.comparingLong(BridgeConnection::idleSince)).ifPresent(idle -> {
                    stats.error("evicted_idle");
                    stats.connectionClosed(idle);
                    idle.evict("closing this idle connection: the daemon reached its limit of "
                            + options.maxConnections() + " connections (bridge.max_connections)");
                });
    }

    /** Binds the bridge's meters: connections, frames, errors by kind. */
    public void meter(Metrics metrics) {
        BridgeMeters.bind(stats(), metrics);
    }

    public BridgeStats stats() {
        return stats;
    }

    /**
     * Graceful close: stop accepting, let requests in flight finish (up to {@code grace}), then close every
     * connection. Never fails.
     */
    public Future<Void> close(Duration grace) {
        if (server == null) {
            return Future.succeededFuture();
        }
        NetServer s = server;
        server = null;
        return s.close().recover(e -> Future.succeededFuture())
                .compose(v -> awaitIdle(System.nanoTime() + grace.toNanos()))
                .onComplete(v -> List.copyOf(stats.openConnections()).forEach(BridgeConnection::close));
    }

    private Future<Void> awaitIdle(long deadlineNanos) {
        Promise<Void> idle = Promise.promise();
        checkIdle(idle, deadlineNanos);
        return idle.future();
    }

    private void checkIdle(Promise<Void> idle, long deadlineNanos) {
        if (stats.requestsInFlight() <= 0 || System.nanoTime() >= deadlineNanos) {
            idle.complete();
        } else {
            vertx.setTimer(20, t -> checkIdle(idle, deadlineNanos));
        }
    }
}
