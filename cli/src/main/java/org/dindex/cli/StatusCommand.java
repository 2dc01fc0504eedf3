package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.cli.CommandSpecs.Field;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.concurrent.Callable;

/**
 * {@code dindex status}: the same as {@code dindex daemon status}. Never starts a daemon. Its model is built in code
 * ({@link CommandSpecs}).
 */
final class StatusCommand implements Callable<Integer> {
    private final DindexCommand root;
    boolean json;

    private StatusCommand(DindexCommand root) {
        this.root = root;
    }

    static CommandSpec model(DindexCommand root) {
        StatusCommand c = new StatusCommand(root);
        return CommandSpecs.command(c, "status")
                .description("Show the daemon's status (exit 3 when it is not running).")
                .examples(
                        "  dindex status",
                        "  dindex status --json")
                .option(OptionSpec.builder("--json").description("Print JSON."),
                        Field.flag(() -> c.json, v -> c.json = v))
                .build();
    }

    @Override
    public Integer call() {
        return show(root, json);
    }

    static int show(DindexCommand root, boolean json) {
        JsonObject status;
        try (Dindex dindex = root.dindexRunning()) {
            status = dindex.status().raw();
            if (status.getJsonObject("cluster") != null) {
                // Members with their index sizes (each asked with the member timeout).
                status.put("cluster", dindex.clusterStatus());
            }
        } catch (DindexException e) {
            if (e.code() == ErrorCode.DAEMON_NOT_RUNNING) {
                if (json) {
                    root.out.println(new JsonObject().put("state", "not running")
                            .put("socket", root.paths().socket().toString()).encodePrettily());
                } else {
                    root.err.println("dindex: the daemon is not running (socket " + root.paths().socket() + ")");
                }
                return Main.NOT_RUNNING;
            }
            throw e;
        }
        JsonObject reply = status;
        return Replies.print(root, json, reply, () -> StatusPrinter.print(reply, root.out));
    }
}
