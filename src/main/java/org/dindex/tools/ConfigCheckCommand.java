package org.dindex.tools;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.cli.DindexCommand;
import org.dindex.cli.Examples;
import org.dindex.cli.Main;
import org.dindex.config.ConfigException;
import org.dindex.config.ConfigLoader;
import org.dindex.config.DaemonConfig;
import org.dindex.config.Setting;
import org.dindex.config.Settings;
import org.dindex.embed.ModelCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * {@code dindex config check [FILE]}. It runs in the daemon jar because it checks what only the daemon knows, such
 * as the names of the bundled models.
 */
@Command(name = "check", footerHeading = Examples.HEADING,
        footer = {
                "  dindex config check",
                "  dindex config check /etc/dindex/dindex.yaml --json"},
        description = "Validate a configuration file (with DINDEX_* variables applied) and list"
        + " every problem; exit 1 when there is one.")
public final class ConfigCheckCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    @Parameters(paramLabel = "FILE", arity = "0..1", description = "The file (default: the one the daemon"
            + " would read).")
    Path file;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        DindexCommand root = (DindexCommand) commandSpec.parent().parent().userObject();
        Path target = file != null ? file.toAbsolutePath().normalize() : root.paths().configFile();
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        DaemonConfig loaded = null;
        try {
            loaded = new ConfigLoader(root.env()).load(target, Map.of());
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
            root.out().println(new JsonObject().put("file", target == null ? null : target.toString())
                    .put("ok", problems.isEmpty()).put("problems", new JsonArray(problems))
                    .put("warnings", new JsonArray(warnings)).put("changed", changed).encodePrettily());
        } else if (problems.isEmpty()) {
            root.out().println("ok: " + name + " (" + changed.size() + " setting" + (changed.size() == 1 ? "" : "s")
                    + " differ from the defaults)");
            changed.forEach(e -> root.out().println("  " + e.getKey() + " = " + e.getValue()));
            warnings.forEach(w -> root.out().println("warning: " + w));
        } else {
            root.err().println("dindex: " + name + ": " + problems.size() + (problems.size() == 1 ? " problem"
                    : " problems"));
            problems.forEach(p -> root.err().println("  - " + p));
            warnings.forEach(w -> root.err().println("warning: " + w));
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
