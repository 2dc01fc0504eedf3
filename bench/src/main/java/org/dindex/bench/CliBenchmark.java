package org.dindex.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.io.File;
import java.util.Comparator;

/**
 * The front door as a user meets it: whole {@code bin/dindex} processes, each paired with a JDK hello-world run just
 * before it (the same JVM, so the pair sees the same machine), and the time from {@code daemon start} on an empty
 * data dir to the first answered search.
 *
 * <p>Why pairs: on a shared two-core machine absolute start-up times drift by tens of percent from one minute to the
 * next; the ratio of adjacent runs holds. The hello-world class is copied out of this jar, so a JRE is enough.
 */
public final class CliBenchmark {
    /**
     * @param launcher  {@code bin/dindex}
     * @param java      the java binary both commands run on
     * @param runs      pairs per command
     * @param starts    daemon starts timed to the first answered search
     * @param cliJar    the thin CLI jar the launcher runs
     */
    public record Options(Path launcher, Path java, int runs, int starts, Path cliJar) {
    }

    private final Options options;

    public CliBenchmark(Options options) {
        this.options = options;
    }

    /** Runs every series on a fresh temporary data dir and returns the figures. */
    public JsonObject run() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("dindex-bench-cli");
        try {
            Path hello = copyOut(dir, "HelloWorld");
            copyOut(dir, "BareStatusClient");
            Path data = dir.resolve("data");
            Path socket = dir.resolve("run").resolve("d.sock");
            List<String> paths = List.of("--data-dir", data.toString(), "--socket", socket.toString());
            Path docs = Files.createDirectories(dir.resolve("docs"));
            for (int i = 0; i < 7; i++) {
                Files.writeString(docs.resolve("note-" + i + ".md"), "# Note " + i + "\n\nTides follow the moon;"
                        + " note " + i + " adds that spring tides come with the full and the new moon.\n");
            }
            JsonObject series = new JsonObject();
            // The starts first: each begins on an empty data dir of its own.
            series.put("start_to_first_search", startToFirstSearch(dir));
            check(launch(paths, List.of("daemon", "start")), "daemon start");
            check(launch(paths, List.of("index", docs.toString())), "index");
            List<String> hello1 = List.of(options.java().toString(), "-cp", hello.toString(), "HelloWorld");
            series.put("version", pairs(withLauncher(List.of(), List.of("--version")), hello1));
            series.put("status", pairs(withLauncher(paths, List.of("status")), hello1));
            series.put("search", pairs(withLauncher(paths, List.of("search", "when do spring tides come")), hello1));
            // The floors: the same JVM asking the daemon for its status with JDK classes only, and printing the CLI
            // jar's version without the launcher.
            series.put("bare_status_client", pairs(List.of(options.java().toString(), "-cp", hello.toString(),
                    "BareStatusClient", socket.toString()), hello1).put("command", "floor: bare status client"));
            series.put("version_without_launcher", pairs(List.of(options.java().toString(), "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-XX:-UsePerfData", "-jar", options.cliJar().toString(), "--version"), hello1)
                    .put("command", "floor: CLI jar --version, no launcher"));
            launch(paths, List.of("daemon", "stop"));
            return new JsonObject().put("benchmark", "cli").put("machine", Machine.describe())
                    .put("runs", options.runs()).put("series", series);
        } finally {
            launchQuietly(List.of(options.launcher().toString(), "--data-dir", dir.resolve("data").toString(),
                    "--socket", dir.resolve("run").resolve("d.sock").toString(), "daemon", "stop"));
            deleteTree(dir);
        }
    }

    /**
     * Copies a class of the default package out of this jar into {@code dir/hello} (the hello-world every command is
     * paired with, or the bare client), so that running it reads no large jar; returns the folder.
     */
    private static Path copyOut(Path dir, String name) throws IOException {
        Path classes = Files.createDirectories(dir.resolve("hello"));
        try (InputStream in = CliBenchmark.class.getResourceAsStream("/" + name + ".class")) {
            if (in == null) {
                throw new IOException(name + ".class is missing from the jar");
            }
            Files.write(classes.resolve(name + ".class"), in.readAllBytes());
        }
        return classes;
    }

    private List<String> withLauncher(List<String> paths, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(options.launcher().toString()));
        cmd.addAll(paths);
        cmd.addAll(args);
        return cmd;
    }

    /** Alternates hello-world and the command, {@code runs} pairs after two warm-up pairs. */
    private JsonObject pairs(List<String> command, List<String> hello) throws IOException, InterruptedException {
        for (int i = 0; i < 2; i++) {
            time(hello);
            time(command);
        }
        long[] commandNanos = new long[options.runs()];
        long[] helloNanos = new long[options.runs()];
        double[] ratios = new double[options.runs()];
        for (int i = 0; i < options.runs(); i++) {
            helloNanos[i] = time(hello);
            commandNanos[i] = time(command);
            ratios[i] = (double) commandNanos[i] / helloNanos[i];
        }
        Arrays.sort(ratios);
        List<String> shown = new ArrayList<>(command.subList(1, command.size()));
        int paths = shown.indexOf("--socket");
        if (paths >= 0) {
            shown.subList(0, paths + 2).clear();  // the temporary paths say nothing
        }
        return new JsonObject().put("command", String.join(" ", shown))
                .put("median_ms", ms(commandNanos, 0.5)).put("hello_median_ms", ms(helloNanos, 0.5))
                .put("ratio_median", ratios[ratios.length / 2]).put("ratio_p10", ratios[ratios.length / 10])
                .put("ratio_p90", ratios[ratios.length * 9 / 10]);
    }

    /**
     * {@code daemon start} on an empty data dir, then {@code search} until one is answered: the time a new user waits
     * for a first answer, with the daemon's own account of its stages. The first start of a data dir also records the
     * JVM's cache of the daemon's classes (written when that daemon stops), so it is reported apart; the later
     * starts reuse the data dir with its index emptied (the cache kept), as a user's later starts do.
     */
    private JsonObject startToFirstSearch(Path dir) throws IOException, InterruptedException {
        long[] nanos = new long[options.starts()];
        long first = 0;
        JsonArray stages = new JsonArray();
        Path root = Files.createDirectories(dir.resolve("starts"));
        List<String> paths = List.of("--data-dir", root.resolve("data").toString(), "--socket",
                root.resolve("run").resolve("d.sock").toString());
        for (int i = -1; i < options.starts(); i++) {
            deleteTree(root.resolve("data").resolve("index"));
            long t0 = System.nanoTime();
            check(launch(paths, List.of("daemon", "start")), "daemon start");
            check(launch(paths, List.of("search", "first question")), "first search");
            long took = System.nanoTime() - t0;
            if (i < 0) {
                first = took;
            } else {
                nanos[i] = took;
                Result status = launch(paths, List.of("daemon", "status", "--json"));
                if (status.exit() == 0) {
                    stages.add(new JsonObject(status.out()).getJsonObject("startup"));
                }
            }
            launch(paths, List.of("daemon", "stop"));
        }
        return new JsonObject().put("median_ms", ms(nanos, 0.5)).put("min_ms", ms(nanos, 0))
                .put("max_ms", ms(nanos, 1)).put("first_start_of_a_data_dir_ms", first / 1e6)
                .put("daemon_stages", stages);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The {@code q} quantile of {@code nanos}, in milliseconds. */
    private static double ms(long[] nanos, double q) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return LatencyPercentiles.percentile(sorted, Math.max(q, 1e-9)) / 1e6;
    }

    private record Result(int exit, String out) {
    }

    private long time(List<String> command) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Result r = run(command);
        long nanos = System.nanoTime() - t0;
        check(r, String.join(" ", command));
        return nanos;
    }

    private Result launch(List<String> paths, List<String> args) throws IOException, InterruptedException {
        return run(withLauncher(paths, args));
    }

    private void launchQuietly(List<String> command) {
        try {
            run(command);
        } catch (IOException | InterruptedException e) {
            // cleanup only
        }
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(Map.of("DINDEX_HTTP_PORT", "0"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), out);
    }

    private static void check(Result r, String what) throws IOException {
        if (r.exit() != 0) {
            throw new IOException(what + " failed (exit " + r.exit() + "): " + r.out().strip());
        }
    }

    /** The table printed on stdout. */
    public static String table(JsonObject result) {
        StringBuilder sb = new StringBuilder(String.format("%-38s %10s %10s %8s %8s %8s%n", "command", "median ms",
                "hello ms", "ratio", "p10", "p90"));
        JsonObject series = result.getJsonObject("series");
        for (String name : List.of("version", "status", "search", "bare_status_client", "version_without_launcher")) {
            JsonObject s = series.getJsonObject(name);
            String command = s.getString("command");
            sb.append(String.format("%-38s %10.1f %10.1f %8.2f %8.2f %8.2f%n", command.startsWith("floor:")
                            ? command : "dindex " + command,
                    s.getDouble("median_ms"), s.getDouble("hello_median_ms"), s.getDouble("ratio_median"),
                    s.getDouble("ratio_p10"), s.getDouble("ratio_p90")));
        }
        JsonObject start = series.getJsonObject("start_to_first_search");
        sb.append(String.format("%-38s %10.1f  (min %.1f, max %.1f ms; the data dir's first start, which records"
                        + " the JVM's class cache: %.1f ms)%n", "daemon start -> first search",
                start.getDouble("median_ms"), start.getDouble("min_ms"), start.getDouble("max_ms"),
                start.getDouble("first_start_of_a_data_dir_ms")));
        return sb.toString();
    }
}
