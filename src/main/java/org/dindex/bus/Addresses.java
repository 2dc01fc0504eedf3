package org.dindex.bus;

/**
 * Every event-bus address dindex serves or publishes on.
 *
 * <p>Requests use {@code dindex.<area>[.<verb>]} and are permitted through the socket bridge only when the daemon
 * actually serves them (see {@link ServedAddresses}). Events live under their own prefixes so the bridge rule reads
 * "exact inbound, prefix outbound".
 */
public final class Addresses {
    private Addresses() {
    }

    /** Daemon status: the same content as {@code dindex daemon status --json}. */
    public static final String STATUS = "dindex.status";
    /** Graceful shutdown of the daemon. */
    public static final String SHUTDOWN = "dindex.shutdown";

    /** Prefix of per-job progress streams: {@code dindex.progress.<jobId>}. */
    public static final String PROGRESS_PREFIX = "dindex.progress.";
    /** Prefix of shared event streams such as {@code dindex.events.jobs}. */
    public static final String EVENTS_PREFIX = "dindex.events.";
}
