package org.dindex.tools;

import org.dindex.cli.DindexCommand;
import org.dindex.cli.Examples;
import org.dindex.cli.Main;
import org.dindex.client.DindexClient;
import org.dindex.config.Settings;
import org.dindex.mcp.DaemonAccess;
import org.dindex.mcp.DindexMcpServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * {@code dindex mcp}: a Model Context Protocol server on stdin/stdout for LLM clients, talking to the daemon over
 * its socket and starting it when needed, like every command.
 *
 * <p>stdout carries only JSON-RPC: the server writes to the process's real stdout, and {@code System.out} is pointed
 * at stderr for as long as it runs, so a stray print anywhere (a library, a notice) cannot corrupt the stream.
 */
@Command(name = "mcp", footerHeading = Examples.HEADING,
        footer = {
                "  dindex mcp",
                "  dindex --data-dir /srv/dindex mcp"},
        description = {"Run a Model Context Protocol server on stdin/stdout (for LLM clients).",
        "Tools: search, context, index, scrape, job_status, stats. Logs go to stderr."})
final class McpCommand implements Callable<Integer> {
    @ParentCommand
    DindexCommand root;

    @Override
    public Integer call() throws Exception {
        boolean realStdout = root.out() == System.out;
        OutputStream out = realStdout ? new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)) : root.out();
        PrintStream previous = System.out;
        if (realStdout) {
            System.setOut(root.err());
        }
        try {
            warmUp();
            new DindexMcpServer(access()).serve(System.in, out);
        } finally {
            if (realStdout) {
                System.setOut(previous);
            }
        }
        return Main.OK;
    }

    private DaemonAccess access() {
        return new DaemonAccess() {
            @Override
            public DindexClient connect() {
                // One start at a time: two tool calls racing to auto-start would both launch a daemon.
                synchronized (McpCommand.this) {
                    return root.connect();
                }
            }

            @Override
            public DindexClient connectRunning() {
                return root.connectRunning();
            }

            @Override
            public long maxDocumentBytes() {
                return root.loadConfig().getLong(Settings.MAX_DOCUMENT_BYTES);
            }
        };
    }

    /**
     * Starts the daemon in the background now, so the first tool call does not wait for the model to load. A
     * failure is only logged here: the tool calls report it to the client.
     */
    private void warmUp() {
        Thread.ofPlatform().daemon().name("dindex-mcp-warmup").start(() -> {
            try {
                access().connect().close();
            } catch (RuntimeException e) {
                root.err().println("dindex: mcp: the daemon is not available yet: " + e.getMessage());
            }
        });
    }
}
