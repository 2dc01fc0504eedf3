package org.dindex.mcp;

import io.vertx.core.json.JsonObject;
import org.dindex.support.Cli;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code dindex mcp} with no daemon running starts one, like every command, and says so on stderr only: stdout
 * stays pure JSON-RPC even while the daemon is being launched.
 */
@Timeout(300)
class McpAutoStartTest {
    static Path root;
    static Cli cli;

    @BeforeAll
    static void dirs() throws Exception {
        root = TestDirs.privateDir("dm");
        cli = new Cli(root);
    }

    @AfterAll
    static void cleanUp() {
        cli.run("daemon", "stop");
        cli.killDaemon();
        TestDirs.deleteTree(root);
    }

    @Test
    void startsTheDaemonAndKeepsStdoutClean() throws Exception {
        assertEquals(-1, cli.pid(), "no daemon before");
        try (McpProcess mcp = McpProcess.start(cli.dataDir, cli.socket, root.resolve("mcp.err"), Map.of())) {
            JsonObject init = mcp.request("initialize", new JsonObject().put("protocolVersion", "2024-11-05")
                    .put("capabilities", new JsonObject())
                    .put("clientInfo", new JsonObject().put("name", "t").put("version", "1")));
            assertEquals("2024-11-05", init.getJsonObject("result").getString("protocolVersion"));
            mcp.notify("notifications/initialized", null);

            JsonObject stats = mcp.callTool("stats", new JsonObject());
            assertFalse(McpProcess.isError(stats), stats::encode);
            assertEquals(0, stats.getJsonObject("structuredContent").getInteger("documents"));
            assertTrue(cli.pid() > 0, "the daemon runs");
            assertTrue(mcp.stderrText().contains("daemon not running; starting it"), mcp.stderrText());
            assertEquals(List.of(), mcp.stray, "stdout lines that are not JSON-RPC");
            assertEquals(0, mcp.closeInput(Duration.ofSeconds(30)));
        }
        assertTrue(cli.pid() > 0, "the daemon outlives the MCP session");
    }
}
