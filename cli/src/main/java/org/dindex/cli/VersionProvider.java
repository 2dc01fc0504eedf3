package org.dindex.cli;

import org.dindex.config.Version;
import picocli.CommandLine;

/** {@code dindex --version}: the version, the git commit it was built from, and the Java running it. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[]{line()};
    }

    static String line() {
        return "dindex " + Version.get() + " (commit " + Version.commit() + ", Java " + Runtime.version() + ")";
    }
}
