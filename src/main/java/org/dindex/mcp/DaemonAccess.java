package org.dindex.mcp;

import org.dindex.client.Dindex;
import org.dindex.client.DindexClient;

import java.nio.file.Path;

/**
 * How the MCP server reaches the daemon: the CLI's own connection logic, so {@code dindex mcp} honours
 * {@code --socket}, {@code --data-dir}, {@code --config} and auto-start exactly like every other command.
 */
public interface DaemonAccess {
    /** A new connection, starting the daemon first when it is not running (unless auto-start is off). */
    DindexClient connect();

    /** A new connection to a running daemon; never starts one. */
    DindexClient connectRunning();

    /** The typed API over a new connection ({@link #connect()}). */
    default Dindex dindex() {
        return Dindex.over(connect());
    }

    /** The typed API over a new connection to a running daemon ({@link #connectRunning()}). */
    default Dindex dindexRunning() {
        return Dindex.over(connectRunning());
    }

    /** The largest file the {@code index} tool extracts ({@code index.max_document_bytes}). */
    long maxDocumentBytes();

    /**
     * Why the {@code index} tool may not read {@code path} (a path it was given, or a file found under one), or null
     * when it may. The stdio server reads whatever its user can (it runs as that user, on that user's machine); MCP
     * over HTTP reads only under {@code http.import_roots}, as {@code POST /api/v1/import} does, since its client is
     * somewhere else and the daemon's files are not its to read.
     */
    default String readRefusal(Path path) {
        return null;
    }
}
