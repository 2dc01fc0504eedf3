package org.dindex.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class UrlNormalizerTest {
    @Test
    void lowerCasesSchemeAndHostDropsDefaultPortFragmentAndSortsQuery() {
        assertEquals("http://example.com/Docs/Page?a=1&b=2",
                UrlNormalizer.normalize("HTTP://Example.COM:80/Docs/Page?b=2&a=1#section"));
        assertEquals("https://example.com/", UrlNormalizer.normalize("https://example.com:443"));
        assertEquals("https://example.com:8443/X", UrlNormalizer.normalize("https://EXAMPLE.com:8443/X"));
        assertEquals("http://example.com:443/", UrlNormalizer.normalize("http://example.com:443/"));
    }

    @Test
    void emptyPathBecomesSlashAndEmptyQueryIsDropped() {
        assertEquals("http://example.com/", UrlNormalizer.normalize("http://example.com"));
        assertEquals("http://example.com/", UrlNormalizer.normalize("http://example.com/?"));
        assertEquals("http://example.com/?a=1", UrlNormalizer.normalize("http://example.com/?&a=1&"));
    }

    @Test
    void repeatedParametersSortByNameThenValue() {
        assertEquals(UrlNormalizer.normalize("http://h/p?tag=b&tag=a&x"),
                UrlNormalizer.normalize("http://h/p?x&tag=a&tag=b"));
        assertEquals("http://h/p?tag=a&tag=b&x", UrlNormalizer.normalize("http://h/p?x&tag=b&tag=a"));
    }

    @Test
    void dotSegmentsAreResolvedButPathCaseIsKept() {
        assertEquals("http://example.com/a/C", UrlNormalizer.normalize("http://example.com/a/./b/../C"));
        assertEquals("http://example.com/", UrlNormalizer.normalize("http://example.com/../.."));
        assertEquals("http://example.com/a/", UrlNormalizer.normalize("http://example.com/a/b/.."));
    }

    @Test
    void escapesAreNormalisedAndIllegalCharactersEncoded() {
        assertEquals("http://example.com/~user/a%2Fb", UrlNormalizer.normalize("http://example.com/%7euser/a%2fb"));
        assertEquals("http://example.com/a%20b?q=caf%C3%A9", UrlNormalizer.normalize("http://example.com/a b?q=café"));
        assertEquals("http://example.com/100%25", UrlNormalizer.normalize("http://example.com/100%"));
    }

    @Test
    void userInfoIsDroppedAndInternationalHostsBecomeAscii() {
        assertEquals("http://example.com/", UrlNormalizer.normalize("http://user:secret@example.com/"));
        assertEquals("http://xn--bcher-kva.example/", UrlNormalizer.normalize("http://Bücher.example/"));
        assertEquals("http://example.com/", UrlNormalizer.normalize("http://example.com./"));
        assertEquals("http://[::1]:8080/x", UrlNormalizer.normalize("http://[::1]:8080/x"));
        assertEquals("http://under_score.example.com/", UrlNormalizer.normalize("http://under_score.example.com"));
    }

    @Test
    void onlyAbsoluteHttpUrlsAreAccepted() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UrlNormalizer.normalize("ftp://example.com/file"));
        assertEquals("unsupported scheme ftp: ftp://example.com/file", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UrlNormalizer.normalize("mailto:someone@example.com"));
        assertThrows(IllegalArgumentException.class, () -> UrlNormalizer.normalize("/relative/path"));
        assertThrows(IllegalArgumentException.class, () -> UrlNormalizer.normalize("http:///nohost"));
        assertThrows(IllegalArgumentException.class, () -> UrlNormalizer.normalize("http://example.com:99999/"));
        assertThrows(IllegalArgumentException.class, () -> UrlNormalizer.normalize("http://exa mple.com/"));
        assertThrows(IllegalArgumentException.class, () -> UrlNormalizer.normalize(""));
    }

    @Test
    void relativeLinksResolveAgainstTheBase() {
        String base = "http://example.com/dir/page?x=1";
        assertEquals(Optional.of("http://example.com/dir/other"), UrlNormalizer.resolve(base, "other"));
        assertEquals(Optional.of("http://example.com/up"), UrlNormalizer.resolve(base, "../up"));
        assertEquals(Optional.of("http://example.com/root"), UrlNormalizer.resolve(base, "/root"));
        assertEquals(Optional.of("http://example.com/dir/page?q=2"), UrlNormalizer.resolve(base, "?q=2"));
        assertEquals(Optional.of("http://example.com/dir/page?x=1"), UrlNormalizer.resolve(base, "#top"));
        assertEquals(Optional.of("http://example.com/dir/page?x=1"), UrlNormalizer.resolve(base, ""));
        assertEquals(Optional.of("http://cdn.example.com/x"), UrlNormalizer.resolve(base, "//CDN.example.com/x"));
        assertEquals(Optional.of("https://other.com/"), UrlNormalizer.resolve(base, "https://OTHER.com"));
        assertEquals(Optional.of("http://example.com/dir/a%20b"), UrlNormalizer.resolve(base, " a b\n"));
    }

    @Test
    void nonHttpLinksDoNotResolve() {
        String base = "http://example.com/";
        assertEquals(Optional.empty(), UrlNormalizer.resolve(base, "mailto:someone@example.com"));
        assertEquals(Optional.empty(), UrlNormalizer.resolve(base, "javascript:void(0)"));
        assertEquals(Optional.empty(), UrlNormalizer.resolve(base, "tel:+123"));
        assertEquals(Optional.empty(), UrlNormalizer.resolve(base, "data:text/plain,hi"));
    }

    @Test
    void partsOfANormalisedUrl() {
        String url = UrlNormalizer.normalize("https://Example.com:8443/a/b?z=1&y=2");
        assertEquals("example.com", UrlNormalizer.host(url));
        assertEquals(8443, UrlNormalizer.port(url));
        assertEquals("https://example.com:8443", UrlNormalizer.origin(url));
        assertEquals("/a/b", UrlNormalizer.path(url));
        assertEquals("y=2&z=1", UrlNormalizer.query(url));
        String plain = UrlNormalizer.normalize("http://example.com");
        assertEquals(80, UrlNormalizer.port(plain));
        assertNull(UrlNormalizer.query(plain));
        assertEquals("[::1]", UrlNormalizer.host("http://[::1]:8080/x"));
        assertEquals(8080, UrlNormalizer.port("http://[::1]:8080/x"));
        assertEquals(443, UrlNormalizer.port("https://[::1]/x"));
    }

    @Test
    void normalisingIsIdempotent() {
        for (String raw : new String[] {"HTTP://Example.COM:80/Docs/Page?b=2&a=1#s", "http://h/a b/%7e?q=é",
                "https://x.org/a/../b/./c/"}) {
            String once = UrlNormalizer.normalize(raw);
            assertEquals(once, UrlNormalizer.normalize(once), raw);
            assertTrue(once.startsWith("http"));
        }
    }
}
