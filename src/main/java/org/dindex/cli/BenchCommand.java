package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.bench.IpcBenchmark;
import org.dindex.client.DindexClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** {@code dindex bench ...}: benchmarks that print a table and write JSON. */
@Command(name = "bench", description = "Run benchmarks (table on stdout, JSON to a file).",
        subcommands = picocli.CommandLine.HelpCommand.class)
final class BenchCommand {
    @ParentCommand
    DindexCommand root;

    @Command(name = "ipc", description = "Socket round-trip latency against a raw Unix-socket echo, and"
            + " requests/s with concurrent clients.")
    int ipc(@Option(names = "--requests", defaultValue = "20000", description = "Round trips per series"
            + " (default ${DEFAULT-VALUE}).") int requests,
            @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients for the"
                    + " throughput run (default ${DEFAULT-VALUE}).") int clients,
            @Option(names = "--seconds", defaultValue = "5", description = "Length of each throughput run"
                    + " (default ${DEFAULT-VALUE}).") int seconds,
            @Option(names = "--out", defaultValue = "bench-ipc.json", description = "JSON output file"
                    + " (default ${DEFAULT-VALUE}).") Path outFile,
            @Option(names = "--json", description = "Print the JSON instead of the table.") boolean json)
            throws Exception {
        if (requests < 10 || clients < 1 || seconds < 1) {
            throw new picocli.CommandLine.ParameterException(root.spec.commandLine(),
                    "--requests must be >= 10, --clients >= 1, --seconds >= 1");
        }
        try (DindexClient ignored = root.connect()) {
            // auto-start (if needed) before measuring
        }
        JsonObject result = new IpcBenchmark(new IpcBenchmark.Options(root.paths().socket(), requests, clients,
                Duration.ofSeconds(seconds))).run();
        Files.writeString(outFile, result.encodePrettily() + "\n");
        root.out.print(json ? result.encodePrettily() + "\n" : IpcBenchmark.table(result));
        root.err.println("dindex: wrote " + outFile.toAbsolutePath());
        return Main.OK;
    }
}
