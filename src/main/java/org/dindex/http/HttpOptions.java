package org.dindex.http;

import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The HTTP server's settings, read once from the daemon configuration.
 *
 * @param allowedHosts names accepted in {@code Host} besides loopback names and addresses ({@link HostPolicy})
 * @param importRoots folders {@code POST /api/v1/import} and the MCP index tool over {@code /mcp} may read from;
 *                    empty refuses reading files over HTTP
 * @param maxDocumentBytes the largest file the MCP index tool reads ({@code index.max_document_bytes})
 */
public record HttpOptions(String host, List<String> allowedHosts, int port, List<String> apiKeys, boolean metricsNeedKey,
                          List<String> corsOrigins, List<String> wsOrigins, long maxBodyBytes, int wsMaxFrameBytes,
                          long idleTimeoutMs, long requestTimeoutMs, List<Path> importRoots, long maxDocumentBytes) {

    public static HttpOptions from(DaemonConfig config) {
        return new HttpOptions(config.getString(Settings.HTTP_HOST), list(config.getString(Settings.HTTP_ALLOWED_HOSTS)),
                config.getInt(Settings.HTTP_PORT),
                list(config.getString(Settings.HTTP_API_KEYS)), config.getBoolean(Settings.HTTP_METRICS_NEED_KEY),
                list(config.getString(Settings.HTTP_CORS_ORIGINS)), list(config.getString(Settings.HTTP_WS_ORIGINS)),
                config.getLong(Settings.HTTP_MAX_BODY_BYTES), config.getInt(Settings.HTTP_WS_MAX_FRAME_BYTES),
                config.getLong(Settings.HTTP_IDLE_TIMEOUT_MS), config.getLong(Settings.HTTP_REQUEST_TIMEOUT_MS),
                list(config.getString(Settings.HTTP_IMPORT_ROOTS)).stream().map(p -> Path.of(p).toAbsolutePath()
                        .normalize()).toList(), config.getLong(Settings.MAX_DOCUMENT_BYTES));
    }

    static List<String> list(String commaSeparated) {
        return commaSeparated == null ? List.of() : Arrays.stream(commaSeparated.split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
