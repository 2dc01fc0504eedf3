package org.dindex.bus;

import org.dindex.protocol.Addresses;

import java.util.List;

/**
 * Which addresses a socket client may reach: {@code send}/{@code publish} only to request addresses the daemon
 * serves (exact match), {@code register} only under the event prefixes. Everything else is "access denied".
 */
public final class BridgePermissions {
    private final ServedAddresses served;
    private final List<String> outboundPrefixes;

    public BridgePermissions(ServedAddresses served, List<String> outboundPrefixes) {
        this.served = served;
        this.outboundPrefixes = List.copyOf(outboundPrefixes);
    }

    public static BridgePermissions standard(ServedAddresses served) {
        return new BridgePermissions(served, List.of(Addresses.PROGRESS_PREFIX, Addresses.EVENTS_PREFIX));
    }

    public boolean mayRequest(String address) {
        return served.contains(address);
    }

    public boolean mayRegister(String address) {
        return outboundPrefixes.stream().anyMatch(p -> address.startsWith(p) && address.length() > p.length());
    }

    public List<String> outboundPrefixes() {
        return outboundPrefixes;
    }
}
