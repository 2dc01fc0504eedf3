package org.dindex.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The dindex version, filtered into a resource by Maven at build time, and the git commit the build was made from
 * (written by config/pom.xml at build time).
 */
public final class Version {
    private static final String VERSION = load("/dindex-version.properties").getProperty("version", "dev");
    private static final String COMMIT = commit(load("/dindex-commit.properties"));

    private Version() {
    }

    public static String get() {
        return VERSION;
    }

    /**
     * The short hash of the commit the jars were built from, with {@code -dirty} when tracked files had changes
     * that were not committed; "unknown" when the build had no git repository.
     */
    public static String commit() {
        return COMMIT;
    }

    private static String commit(Properties p) {
        String commit = p.getProperty("commit", "unknown").strip();
        if (commit.isEmpty() || commit.contains("${")) {
            return "unknown";
        }
        return "true".equals(p.getProperty("dirty")) ? commit + "-dirty" : commit;
    }

    private static Properties load(String resource) {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(resource)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // the defaults
        }
        return p;
    }
}
