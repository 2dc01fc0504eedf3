package org.dindex.scrape;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.regex.Pattern;

/**
 * Resolves hosts and applies the {@link AddressPolicy} to every address they resolve to.
 *
 * <p>Why off the event loop: {@link InetAddress#getAllByName} blocks on the system resolver (which honours
 * /etc/hosts and the platform's DNS configuration, unlike a separate DNS client), so it runs through
 * {@code executeBlocking}; IP literals are parsed directly. Results are cached for a minute so a crawl resolves each
 * host about once, and the cached address is the one connected to: the address checked is the address used (a
 * shorter-lived cache would re-open the door to DNS rebinding between hops of one URL). Used on the crawler's
 * context only.
 */
final class AddressResolver {
    /** Refused by the address policy; the message is the reason. */
    static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message, null, false, false);
        }
    }

    private static final long TTL_MS = 60_000;

    private record Cached(Future<InetAddress> address, long expiresAt) {
    }

    private final Vertx vertx;
    private final AddressPolicy policy;
    private final Map<String, Cached> cache = new HashMap<>();

    AddressResolver(Vertx vertx, AddressPolicy policy) {
        this.vertx = vertx;
        this.policy = policy;
    }

    /**
     * The address to connect to for host (as in a normalised URL).
     *
     * @return the first address the host resolves to, when every one of them is allowed; failed with
     *         {@link RefusedException} when the name or any address is refused, or {@link UnknownHostException}
     */
    Future<InetAddress> resolve(String host) {
        long now = HostQueue.now();
        Cached cached = cache.get(host);
        if (cached != null && cached.expiresAt() > now) {
            return cached.address();
        }
        Future<InetAddress> result = lookup(host);
        cache.put(host, new Cached(result, now + TTL_MS));
        return result;
    }

    private Future<InetAddress> lookup(String host) {
        String refusal = policy.refusal(host);
        if (refusal != null) {
            return Future.failedFuture(new RefusedException(refusal));
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        InetAddress literal = literal(bare);
        if (literal != null) {
            return check(new InetAddress[] {literal});
        }
        return vertx.<InetAddress[]>executeBlocking(() -> InetAddress.getAllByName(bare), false)
                .compose(this::check);
    }

    private Future<InetAddress> check(InetAddress[] addresses) {
        if (addresses.length == 0) {
            return Future.failedFuture(new UnknownHostException("no addresses"));
        }
        for (InetAddress a : addresses) {
            String refusal = policy.refusal(a);
            if (refusal != null) {
                return Future.failedFuture(new RefusedException(refusal));
            }
        }
        return Future.succeededFuture(addresses[0]);
    }

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** The address of an IP literal (no DNS lookup: getByName does none for literals), else null. */
    private static InetAddress literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!IPV4.matcher(h).matches() && !h.contains(":")) {
            return null;
        }
        try {
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
