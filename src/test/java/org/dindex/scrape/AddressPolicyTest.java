package org.dindex.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

class AddressPolicyTest {
    private static String refusal(AddressPolicy policy, String ip) {
        try {
            return policy.refusal(InetAddress.getByName(ip));  // a literal: no DNS lookup
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void metadataAndLinkLocalAddressesAreAlwaysRefused() {
        for (AddressPolicy p : new AddressPolicy[] {AddressPolicy.DEFAULT, new AddressPolicy(true, true)}) {
            assertEquals("169.254.169.254 is a cloud metadata address", refusal(p, "169.254.169.254"));
            assertEquals("100.100.100.200 is a cloud metadata address", refusal(p, "100.100.100.200"));
            assertTrue(refusal(p, "fd00:ec2::254").endsWith("is a cloud metadata address"));
            assertEquals("169.254.10.1 is a link-local address", refusal(p, "169.254.10.1"));
            assertTrue(refusal(p, "fe80::1").endsWith("is a link-local address"));
            assertEquals("169.254.169.254 is a cloud metadata address", refusal(p, "::ffff:169.254.169.254"));
            assertTrue(refusal(p, "64:ff9b::a9fe:a9fe").contains("embeds 169.254.169.254 is a cloud metadata"));
            assertTrue(refusal(p, "0.0.0.0").endsWith("unspecified address"));
            assertTrue(refusal(p, "::").endsWith("unspecified address"));
            assertTrue(refusal(p, "224.0.0.1").contains("multicast"));
            assertTrue(refusal(p, "255.255.255.255").contains("broadcast"));
            assertEquals("metadata.google.internal is a cloud metadata host", p.refusal("metadata.google.internal"));
            assertEquals("metadata.google.internal is a cloud metadata host", p.refusal("METADATA.Google.internal."));
        }
    }

    @Test
    void privateRangesOnlyWhenAllowed() {
        AddressPolicy strict = AddressPolicy.DEFAULT;
        for (String ip : new String[] {"10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "100.64.0.1",
            "fc00::1", "fd12:3456::1"}) {
            assertTrue(refusal(strict, ip).endsWith("is a private address (private addresses are not allowed)"), ip);
            assertNull(refusal(new AddressPolicy(true, true), ip), ip);
        }
        assertNull(refusal(strict, "172.32.0.1"));
        assertNull(refusal(strict, "8.8.8.8"));
        assertNull(refusal(strict, "2001:4860:4860::8888"));
        assertNull(strict.refusal("example.com"));
    }

    @Test
    void loopbackIsAllowedByDefaultAndCanBeRefused() {
        assertNull(refusal(AddressPolicy.DEFAULT, "127.0.0.1"));
        assertNull(refusal(AddressPolicy.DEFAULT, "::1"));
        AddressPolicy noLoopback = new AddressPolicy(false, false);
        assertEquals("127.0.0.1 is a loopback address (loopback is not allowed)", refusal(noLoopback, "127.0.0.1"));
        assertTrue(refusal(noLoopback, "::1").endsWith("loopback is not allowed)"));
        assertTrue(refusal(noLoopback, "127.8.9.10").contains("loopback"));
    }
}
