package org.dindex.cli;

import org.dindex.config.RuntimePaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.concurrent.Callable;

/** {@code dindex init [DIR]} and the {@code dindex config} group ({@code check} runs in the daemon jar). */
final class ConfigCommands {
    private ConfigCommands() {
    }

    @Command(name = "init", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex init",
                    "  dindex init /etc/dindex --force"},
            description = "Write a commented starting configuration (every setting at its default).")
    static final class Init implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Parameters(paramLabel = "DIR", arity = "0..1", description = "Folder for dindex.yaml (default:"
                + " $XDG_CONFIG_HOME/dindex, where the daemon looks for it).")
        Path dir;

        @Option(names = "--force", description = "Overwrite an existing file.")
        boolean force;

        @Override
        public Integer call() throws IOException {
            Path file = dir == null ? RuntimePaths.defaultConfigLocation(root.env)
                    : dir.toAbsolutePath().normalize().resolve("dindex.yaml");
            if (Files.exists(file) && !force) {
                root.err.println("dindex: " + file + " already exists; use --force to overwrite it, or"
                        + " 'dindex config check " + file + "' to validate it");
                return Main.FAILURE;
            }
            Files.createDirectories(file.getParent());
            try (InputStream in = Objects.requireNonNull(ConfigCommands.class.getResourceAsStream(
                    "/conf/dindex.yaml"), "conf/dindex.yaml is missing from the jar")) {
                Files.write(file, in.readAllBytes());
            }
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: keep the default permissions
            }
            root.out.println(file);
            root.err.println("dindex: wrote a starting configuration (it may hold API keys: mode 0600)."
                    + (dir == null ? " The daemon reads it at its next start." : " Start the daemon with"
                    + " --config " + file + " or DINDEX_CONFIG=" + file + "."));
            return Main.OK;
        }
    }

    @Command(name = "config", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex config check",
                    "  dindex config check /etc/dindex/dindex.yaml --json"},
            description = "Configuration tools.")
    public static final class Config implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.out);
        }
    }
}
