package org.dindex.scrape;

import java.util.ArrayList;
import java.util.List;

/**
 * The hosts a crawl with stayOnDomain may visit: each seed's host and its subdomains, with a seed's leading "www."
 * ignored (a seed www.example.com allows example.com, www.example.com and docs.example.com; a seed
 * docs.example.com allows docs.example.com and api.docs.example.com but not example.com).
 *
 * <p>Why not the whole registrable domain: a seed like docs.python.org should not widen the crawl to every site of
 * python.org; a user who wants that seeds python.org. Why ignore "www.": sites link between example.com and
 * www.example.com freely, and treating them as different sites would cut most crawls short.
 */
final class SiteScope {
    private final List<String> roots = new ArrayList<>();

    SiteScope(List<String> normalizedSeeds) {
        for (String seed : normalizedSeeds) {
            String host = UrlNormalizer.host(seed);
            roots.add(host.startsWith("www.") ? host.substring(4) : host);
        }
    }

    /** True when the normalised URL's host is a seed host or a subdomain of one. */
    boolean contains(String normalizedUrl) {
        String host = UrlNormalizer.host(normalizedUrl);
        for (String root : roots) {
            if (host.equals(root) || host.endsWith("." + root)) {
                return true;
            }
        }
        return false;
    }
}
