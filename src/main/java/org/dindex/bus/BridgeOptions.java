package org.dindex.bus;

import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;

import java.time.Duration;

/**
 * Limits of the socket bridge.
 *
 * @param maxFrameBytes            largest accepted frame payload; a larger (or non-positive) length prefix closes the
 *                                 connection after an {@code err} frame, since the stream cannot be resynchronised
 * @param requestTimeout           how long a {@code send} waits for its reply before the client gets {@code timeout}
 * @param maxConnections           connections beyond this are told so and closed (after the longest-idle connection,
 *                                 if any, was closed to make room)
 * @param maxInFlightPerConnection requests awaiting a reply on one connection; more get {@code too_many_requests}
 * @param maxPendingFrameBytes     memory all partially received large frames may hold together ({@link FrameBudget})
 * @param frameTimeout             a frame must arrive whole within this time of its length prefix
 * @param idleTimeout              a connection with nothing in flight, no registration and no frame under way is
 *                                 closed after this long
 */
public record BridgeOptions(int maxFrameBytes, Duration requestTimeout, int maxConnections,
                            int maxInFlightPerConnection, long maxPendingFrameBytes, Duration frameTimeout,
                            Duration idleTimeout) {
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

    /** The limits a daemon configuration sets (the frame budget at most a quarter of the heap). */
    public static BridgeOptions from(DaemonConfig config) {
        return new BridgeOptions(config.getInt(Settings.MAX_FRAME_BYTES), config.getMillis(Settings.REQUEST_TIMEOUT_MS),
                config.getInt(Settings.MAX_CONNECTIONS), config.getInt(Settings.MAX_IN_FLIGHT),
                Math.min(config.getLong(Settings.MAX_PENDING_FRAME_BYTES), Runtime.getRuntime().maxMemory() / 4),
                config.getMillis(Settings.FRAME_TIMEOUT_MS), config.getMillis(Settings.SOCKET_IDLE_TIMEOUT_MS));
    }

    public static BridgeOptions defaults() {
        return new BridgeOptions(DEFAULT_MAX_FRAME_BYTES, Duration.ofSeconds(30), 1024, 1024, 256L * 1024 * 1024,
                Duration.ofSeconds(30), Duration.ofMinutes(10));
    }
}
