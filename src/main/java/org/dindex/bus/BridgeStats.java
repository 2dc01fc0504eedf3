package org.dindex.bus;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the socket bridge, read by status (and later by metrics). Thread-safe. */
public final class BridgeStats {
    private final Set<BridgeConnection> open = ConcurrentHashMap.newKeySet();
    private final LongAdder acceptedConnections = new LongAdder();
    private final LongAdder framesIn = new LongAdder();
    private final AtomicLong requestsInFlight = new AtomicLong();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    void connectionOpened(BridgeConnection connection) {
        open.add(connection);
        acceptedConnections.increment();
    }

    void connectionClosed(BridgeConnection connection) {
        open.remove(connection);
    }

    Set<BridgeConnection> openConnections() {
        return open;
    }

    void frameIn() {
        framesIn.increment();
    }

    void requestStarted() {
        requestsInFlight.incrementAndGet();
    }

    void requestFinished() {
        requestsInFlight.decrementAndGet();
    }

    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    public int connections() {
        return open.size();
    }

    public long acceptedConnections() {
        return acceptedConnections.sum();
    }

    public long framesIn() {
        return framesIn.sum();
    }

    public long requestsInFlight() {
        return requestsInFlight.get();
    }

    public Map<String, Long> errors() {
        Map<String, Long> copy = new TreeMap<>();
        errors.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }
}
