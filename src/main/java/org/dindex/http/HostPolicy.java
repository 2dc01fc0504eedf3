package org.dindex.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which names the HTTP server answers to, and which browser origins may open {@code /ws}.
 *
 * <p>Why: with no API key (the default) the server trusts whoever reaches loopback. A web page can reach it too, by
 * DNS rebinding: the attacker's name first resolves to the attacker's server, then to 127.0.0.1, and the browser
 * sends the page's requests to the daemon as same-origin requests for {@code attacker.test}. Such requests carry the
 * attacker's name in {@code Host}, so only names the daemon serves are accepted: {@code localhost} (and
 * {@code *.localhost}, which browsers resolve to loopback themselves), IP addresses (a browser that sends an address
 * in {@code Host} connected to that address: there was no name to rebind), the address the server is bound to, and
 * the names in {@code http.allowed_hosts} (a pod's or a proxy's). {@code *} there accepts any name.
 *
 * <p>A WebSocket's {@code Origin} is compared with the same names, never with {@code Host}: an origin on loopback or
 * at an address must also name this server's port (another local service's page is another origin), while a
 * configured name may come with any port (a proxy in front may listen on 443). {@code http.ws_origins} lists extra
 * origins exactly.
 */
final class HostPolicy {
    private final Set<String> configuredNames;
    private final boolean anyName;
    private final String boundHost;
    private final List<String> extraOrigins;

    HostPolicy(List<String> allowedHosts, String boundHost, List<String> extraOrigins) {
        this.anyName = allowedHosts.contains("*");
        this.configuredNames = allowedHosts.stream().map(HostPolicy::normalise).collect(Collectors.toSet());
        this.boundHost = normalise(boundHost);
        this.extraOrigins = extraOrigins;
    }

    /** Whether a request whose {@code Host} header is {@code hostHeader} is meant for this server. */
    boolean acceptsHost(String hostHeader) {
        if (anyName) {
            return true;
        }
        String name = hostName(hostHeader);
        return name != null && (isLocalName(name) || isAddress(name) || configuredNames.contains(name));
    }

    /** Whether a browser page from {@code origin} may open {@code /ws} on this server, listening on {@code port}. */
    boolean acceptsOrigin(String origin, int port) {
        if (extraOrigins.contains("*") || extraOrigins.contains(origin)) {
            return true;
        }
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return false;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            return false;
        }
        String name = normalise(uri.getHost());
        int originPort = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (configuredNames.contains(name)) {
            return true;
        }
        boolean ours = isLocalName(name) || name.equals(boundHost) || isLoopbackAddress(name);
        return ours && originPort == port;
    }

    /** The lower-case name in a {@code Host} header, without its port or IPv6 brackets; null when malformed. */
    static String hostName(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return null;
        }
        String h = hostHeader.strip();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0 || !(end == h.length() - 1 || h.charAt(end + 1) == ':')) {
                return null;
            }
            return normalise(h.substring(0, end + 1));
        }
        int colon = h.indexOf(':');
        return normalise(colon < 0 ? h : h.substring(0, colon));
    }

    private static String normalise(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);  // "localhost." is localhost
        }
        if (n.startsWith("[") && n.endsWith("]")) {
            n = n.substring(1, n.length() - 1);
        }
        return n;
    }

    private static boolean isLocalName(String name) {
        return name.equals("localhost") || name.endsWith(".localhost");
    }

    /** An IPv4 address in dotted form or any IPv6 address (no name lookup happens). */
    private static boolean isAddress(String name) {
        return name.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (name.contains(":") && name.matches("[0-9a-f:.%]+"));
    }

    private static boolean isLoopbackAddress(String name) {
        return name.matches("127(\\.\\d{1,3}){3}") || name.equals("::1") || name.equals("0:0:0:0:0:0:0:1");
    }
}
