package org.dindex.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every setting dindex knows. Add a setting here and it is loadable, overridable, validated and documented. */
public final class Settings {
    private Settings() {
    }

    public static final Setting SHUTDOWN_TIMEOUT_MS = Setting.integer("daemon.shutdown_timeout_ms", 30_000, 1_000,
            3_600_000, "Hard deadline for a graceful stop (SIGTERM, SIGINT, `daemon stop`). Past it the process exits"
                    + " even if work is unfinished.");
    public static final Setting START_TIMEOUT_MS = Setting.integer("daemon.start_timeout_ms", 120_000, 1_000,
            3_600_000, "How long `daemon start` and auto-start wait for the daemon to answer on its socket.");
    public static final Setting PREFER_NATIVE_TRANSPORT = Setting.bool("daemon.prefer_native_transport", true,
            "Use Netty's native epoll transport when available (status shows the transport in use).");
    public static final Setting MAX_FRAME_BYTES = Setting.integer("bridge.max_frame_bytes", 16L * 1024 * 1024, 1024,
            1L << 30, "Largest frame accepted on the socket; a larger length prefix gets an `err` frame and the"
                    + " connection is closed.");
    public static final Setting REQUEST_TIMEOUT_MS = Setting.integer("bridge.request_timeout_ms", 30_000, 10,
            3_600_000, "How long a request over the socket waits for its reply before the client gets `timeout`.");
    public static final Setting MAX_CONNECTIONS = Setting.integer("bridge.max_connections", 1024, 1, 1_000_000,
            "Socket connections served at once; more are refused with an `err` frame.");
    public static final Setting MAX_IN_FLIGHT = Setting.integer("bridge.max_in_flight_per_connection", 1024, 1,
            1_000_000, "Requests awaiting a reply on one connection; more get `too_many_requests`.");
    public static final Setting LOG_LEVEL = Setting.choice("log.level", "info",
            List.of("error", "warn", "info", "debug", "trace"), "Daemon log level.");
    public static final Setting LOG_MAX_FILE_BYTES = Setting.integer("log.max_file_bytes", 10L * 1024 * 1024,
            64 * 1024, Integer.MAX_VALUE, "Size at which the detached daemon's log file is rotated.");
    public static final Setting LOG_FILES = Setting.integer("log.files", 5, 1, 100,
            "Rotated log files kept (logs/daemon.0.log is the newest).");

    public static final List<Setting> ALL = List.of(SHUTDOWN_TIMEOUT_MS, START_TIMEOUT_MS, PREFER_NATIVE_TRANSPORT,
            MAX_FRAME_BYTES, REQUEST_TIMEOUT_MS, MAX_CONNECTIONS, MAX_IN_FLIGHT, LOG_LEVEL, LOG_MAX_FILE_BYTES,
            LOG_FILES);

    private static final Map<String, Setting> BY_KEY = ALL.stream()
            .collect(Collectors.toUnmodifiableMap(Setting::key, Function.identity()));

    public static Optional<Setting> byKey(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** Sections (the part of keys before the first dot), for "did you mean" hints and YAML structure checks. */
    public static boolean isSection(String name) {
        return ALL.stream().anyMatch(s -> s.key().startsWith(name + "."));
    }
}
