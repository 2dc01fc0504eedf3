package org.dindex.bus;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request addresses the daemon serves. Handlers register here through {@link BusHandlers}; the socket bridge
 * permits requests to exactly these addresses and nothing else, so a new operation becomes reachable by serving it,
 * never by editing a separate allow-list.
 */
public final class ServedAddresses {
    private final Set<String> addresses = ConcurrentHashMap.newKeySet();

    void add(String address) {
        addresses.add(address);
    }

    public boolean contains(String address) {
        return addresses.contains(address);
    }

    public Set<String> snapshot() {
        return Set.copyOf(addresses);
    }
}
