package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.protocol.DaemonStatus;
import org.dindex.cli.CommandSpecs.Field;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.concurrent.Callable;

/**
 * {@code dindex ping}: checks that the daemon answers (starting it if needed) and prints the round-trip time. Its
 * model is built in code ({@link CommandSpecs}).
 */
final class PingCommand implements Callable<Integer> {
    private final DindexCommand root;
    boolean json;

    private PingCommand(DindexCommand root) {
        this.root = root;
    }

    static CommandSpec model(DindexCommand root) {
        PingCommand c = new PingCommand(root);
        return CommandSpecs.command(c, "ping")
                .description("Check that the daemon answers, starting it if needed.")
                .examples(
                        "  dindex ping",
                        "  dindex ping --json")
                .option(OptionSpec.builder("--json").description("Print JSON."),
                        Field.flag(() -> c.json, v -> c.json = v))
                .build();
    }

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
