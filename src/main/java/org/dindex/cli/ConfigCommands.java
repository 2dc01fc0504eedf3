package org.dindex.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.config.ConfigException;
import org.dindex.config.ConfigLoader;
import org.dindex.config.DaemonConfig;
import org.dindex.config.Setting;
import org.dindex.config.Settings;
import org.dindex.daemon.RuntimePaths;
import org.dindex.embed.ModelCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/** {@code dindex init [DIR]} and {@code dindex config check [FILE]}. */
final class ConfigCommands {
    private ConfigCommands() {
    }

    @Command(name = "init", description = "Write a commented starting configuration (every setting at its default).")
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

    @Command(name = "config", description = "Configuration tools.", subcommands = Check.class)
    static final class Config implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(System.out);
        }
    }

    @Command(name = "check", description = "Validate a configuration file (with DINDEX_* variables applied) and list"
            + " every problem; exit 1 when there is one.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        Config config;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(paramLabel = "FILE", arity = "0..1", description = "The file (default: the one the daemon"
                + " would read).")
        Path file;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            DindexCommand root = (DindexCommand) spec.parent().parent().userObject();
            Path target = file != null ? file.toAbsolutePath().normalize() : root.paths().configFile();
            List<String> problems = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            DaemonConfig loaded = null;
            try {
                loaded = new ConfigLoader(root.env).load(target, Map.of());
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
            if (loaded != null) {
                semantic(loaded, problems, warnings);
            }
            JsonObject changed = new JsonObject();
            if (loaded != null) {
                for (Setting s : Settings.ALL) {
                    Object v = loaded.values().get(s);
                    if (!Objects.equals(v, s.defaultValue())) {
                        changed.put(s.key(), s.key().contains("api_key") ? "(set)" : v);
                    }
                }
            }
            String name = target == null ? "built-in defaults (no config file)" : target.toString();
            if (json) {
                root.out.println(new JsonObject().put("file", target == null ? null : target.toString())
                        .put("ok", problems.isEmpty()).put("problems", new JsonArray(problems))
                        .put("warnings", new JsonArray(warnings)).put("changed", changed).encodePrettily());
            } else if (problems.isEmpty()) {
                root.out.println("ok: " + name + " (" + changed.size() + " setting" + (changed.size() == 1 ? "" : "s")
                        + " differ from the defaults)");
                changed.forEach(e -> root.out.println("  " + e.getKey() + " = " + e.getValue()));
                warnings.forEach(w -> root.out.println("warning: " + w));
            } else {
                root.err.println("dindex: " + name + ": " + problems.size() + (problems.size() == 1 ? " problem"
                        : " problems"));
                problems.forEach(p -> root.err.println("  - " + p));
                warnings.forEach(w -> root.err.println("warning: " + w));
            }
            return problems.isEmpty() ? Main.OK : Main.FAILURE;
        }

        /** Checks across settings that single values cannot express. */
        private static void semantic(DaemonConfig c, List<String> problems, List<String> warnings) {
            if ("onnx".equals(c.getString(Settings.EMBEDDING_BACKEND))
                    && ModelCatalog.byName(c.getString(Settings.EMBEDDING_MODEL)).isEmpty()) {
                problems.add("embedding.model '" + c.getString(Settings.EMBEDDING_MODEL) + "' is not a known model"
                        + " (known: " + String.join(", ", ModelCatalog.names()) + ")");
            }
            if ("http".equals(c.getString(Settings.EMBEDDING_BACKEND))) {
                if (c.getString(Settings.HTTP_EMBEDDING_URL).isBlank()) {
                    problems.add("embedding.backend is http but embedding.http.url is not set");
                }
                if (c.getInt(Settings.HTTP_EMBEDDING_DIMENSIONS) <= 0) {
                    problems.add("embedding.backend is http but embedding.http.dimensions is not set");
                }
            }
            for (String root : c.getString(Settings.HTTP_IMPORT_ROOTS).split(",")) {
                if (!root.isBlank() && !Files.isDirectory(Path.of(root.strip()))) {
                    warnings.add("http.import_roots: " + root.strip() + " is not a folder (imports there will fail)");
                }
            }
            String host = c.getString(Settings.HTTP_HOST);
            if (c.getBoolean(Settings.HTTP_ENABLED) && !host.equals("127.0.0.1") && !host.equals("localhost")
                    && !host.equals("::1") && c.getString(Settings.HTTP_API_KEYS).isBlank()) {
                warnings.add("http.host " + host + " accepts connections from other machines but http.api_keys is"
                        + " empty: anyone who can reach it can read and change the index");
            }
        }
    }
}
