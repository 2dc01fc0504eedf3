package org.dindex.scrape;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class SiteScopeTest {
    @Test
    void seedHostsAndTheirSubdomainsIgnoringWww() {
        SiteScope scope = new SiteScope(List.of("https://www.example.com/", "https://docs.python.org/3/"));
        assertTrue(scope.contains("https://example.com/about"));
        assertTrue(scope.contains("http://www.example.com/"));
        assertTrue(scope.contains("https://blog.example.com/post"));
        assertTrue(scope.contains("https://docs.python.org/2/"));
        assertTrue(scope.contains("https://api.docs.python.org/"));
        assertFalse(scope.contains("https://python.org/"));
        assertFalse(scope.contains("https://bugs.python.org/"));
        assertFalse(scope.contains("https://notexample.com/"));
        assertFalse(scope.contains("https://example.com.evil.net/"));
    }
}
