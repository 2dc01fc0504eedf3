package org.dindex.mcp;

import org.dindex.client.Dindex;
import org.dindex.client.DindexClient;

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
}
