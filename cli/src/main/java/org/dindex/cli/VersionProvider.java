package org.dindex.cli;

import org.dindex.config.Version;
import picocli.CommandLine;

/** {@code dindex --version}. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[]{"dindex " + Version.get() + " (Java " + Runtime.version() + ")"};
    }
}
