package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.protocol.DaemonStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;

/** {@code dindex ping}: checks that the daemon answers (starting it if needed) and prints the round-trip time. */
@Command(name = "ping", footerHeading = Examples.HEADING,
        footer = {
                "  dindex ping",
                "  dindex ping --json"},
        description = "Check that the daemon answers, starting it if needed.")
final class PingCommand implements Callable<Integer> {
    @ParentCommand
    DindexCommand root;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        try (Dindex dindex = root.dindex()) {
            long t0 = System.nanoTime();
            DaemonStatus status = dindex.status();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (json) {
                root.out.println(new JsonObject().put("pid", status.pid()).put("round_trip_ms", ms).encode());
            } else {
                root.out.printf("pong from dindex daemon (pid %d) in %.2f ms%n", status.pid(), ms);
            }
        }
        return Main.OK;
    }
}
