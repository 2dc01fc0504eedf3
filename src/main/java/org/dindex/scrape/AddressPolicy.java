package org.dindex.scrape;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Which network addresses the crawler may connect to.
 *
 * <p>Why: the crawler fetches URLs that pages (written by anyone) point at, from inside the network the daemon runs
 * in. Without a check, a page (or a redirect) pointing at {@code http://169.254.169.254/latest/meta-data/} would make
 * the daemon fetch cloud credentials and index them, where any user can search for them; links to
 * {@code http://10.0.0.5/admin} would reach internal services. Such server-side request forgery is prevented by
 * resolving every host and checking every address it resolves to (a host with one public and one private address
 * is refused, since the connection might use either), on every redirect hop, before connecting.
 *
 * <p>Always refused: link-local addresses (169.254.0.0/16, fe80::/10), cloud metadata endpoints (169.254.169.254,
 * fd00:ec2::254, 100.100.100.200, and the host names metadata.google.internal, metadata.goog, metadata,
 * instance-data), unspecified, multicast, broadcast and reserved addresses. Refused unless allowed: loopback
 * (127.0.0.0/8, ::1) and private ranges (10/8, 172.16/12, 192.168/16, the shared 100.64/10, fc00::/7, fec0::/10).
 * IPv4 addresses embedded in IPv6 (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) are checked as IPv4.
 *
 * @param allowLoopback allow 127.0.0.0/8 and ::1 (default true: crawling a site served on the same machine is a
 *                      normal use of a local daemon)
 * @param allowPrivate  allow private ranges (default false: a daemon on a server should not be able to crawl its
 *                      internal network unless the operator says so)
 */
public record AddressPolicy(boolean allowLoopback, boolean allowPrivate) {
    /** Loopback allowed, private ranges refused. */
    public static final AddressPolicy DEFAULT = new AddressPolicy(true, false);

    private static final Set<String> METADATA_HOSTS = Set.of(
            "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal");

    /**
     * Checks a host name before it is resolved, so metadata host names are refused without a DNS query.
     *
     * @param host lower-case host as in a normalised URL (IPv6 literals in brackets)
     * @return null when the name may be resolved, else why not
     */
    public String refusal(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (METADATA_HOSTS.contains(h)) {
            return h + " is a cloud metadata host";
        }
        return null;
    }

    /**
     * Checks one resolved address.
     *
     * @return null when the crawler may connect to it, else why not ("169.254.169.254 is a cloud metadata address")
     */
    public String refusal(InetAddress address) {
        String text = address.getHostAddress();
        if (address instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            byte[] embedded = embeddedIpv4(b);
            if (embedded != null) {
                String why = refusalV4(embedded, toV4(embedded).getHostAddress());
                return why == null ? null : text + " embeds " + why;
            }
            return refusalV6(b, text);
        }
        return refusalV4(address.getAddress(), text);
    }

    private String refusalV4(byte[] b, String text) {
        int a0 = b[0] & 0xFF;
        int a1 = b[1] & 0xFF;
        int a2 = b[2] & 0xFF;
        int a3 = b[3] & 0xFF;
        if ((a0 == 169 && a1 == 254 && a2 == 169 && a3 == 254) || (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200)) {
            return text + " is a cloud metadata address";
        }
        if (a0 == 169 && a1 == 254) {
            return text + " is a link-local address";
        }
        if (a0 == 0) {
            return text + " is an unspecified address";
        }
        if (a0 >= 224) {
            return text + " is a multicast, broadcast or reserved address";
        }
        if (a0 == 127) {
            return allowLoopback ? null : text + " is a loopback address (loopback is not allowed)";
        }
        boolean isPrivate = a0 == 10 || (a0 == 172 && a1 >= 16 && a1 <= 31) || (a0 == 192 && a1 == 168)
                || (a0 == 100 && a1 >= 64 && a1 <= 127);
        if (isPrivate && !allowPrivate) {
            return text + " is a private address (private addresses are not allowed)";
        }
        return null;
    }

    private String refusalV6(byte[] b, String text) {
        if (isMetadataV6(b)) {
            return text + " is a cloud metadata address";
        }
        int first = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
        if ((first & 0xFFC0) == 0xFE80) {
            return text + " is a link-local address";
        }
        if ((b[0] & 0xFF) == 0xFF) {
            return text + " is a multicast address";
        }
        boolean zeroPrefix = true;
        for (int i = 0; i < 15; i++) {
            zeroPrefix &= b[i] == 0;
        }
        if (zeroPrefix && b[15] == 0) {
            return text + " is an unspecified address";
        }
        if (zeroPrefix && b[15] == 1) {
            return allowLoopback ? null : text + " is a loopback address (loopback is not allowed)";
        }
        boolean isPrivate = (first & 0xFE00) == 0xFC00 || (first & 0xFFC0) == 0xFEC0;
        if (isPrivate && !allowPrivate) {
            return text + " is a private address (private addresses are not allowed)";
        }
        return null;
    }

    /** fd00:ec2::254, the AWS metadata service over IPv6. */
    private static boolean isMetadataV6(byte[] b) {
        byte[] metadata = {(byte) 0xFD, 0, 0x0E, (byte) 0xC2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
        return Arrays.equals(b, metadata);
    }

    /** The IPv4 address carried by a mapped, compatible, NAT64 or 6to4 IPv6 address, else null. */
    private static byte[] embeddedIpv4(byte[] b) {
        boolean first10Zero = true;
        for (int i = 0; i < 10; i++) {
            first10Zero &= b[i] == 0;
        }
        boolean mapped = first10Zero && b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
        boolean compatible = first10Zero && b[10] == 0 && b[11] == 0
                && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1));
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xFF && b[3] == (byte) 0x9B;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = b[i] == 0;
        }
        if (mapped || compatible || nat64) {
            return new byte[] {b[12], b[13], b[14], b[15]};
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return new byte[] {b[2], b[3], b[4], b[5]};
        }
        return null;
    }

    private static InetAddress toV4(byte[] b) {
        try {
            return Inet4Address.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}
