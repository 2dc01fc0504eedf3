package org.dindex.daemon;

import io.vertx.core.json.JsonObject;
import org.dindex.config.DaemonConfig;
import org.dindex.config.Settings;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Daemon logging on {@code java.util.logging}: one line per record, to stderr in the foreground or to a rotated file
 * ({@code daemon.0.log} newest) when detached. Why JUL: Vert.x, Netty and Lucene all log through it when nothing
 * else is present, so one configuration covers them, with no extra dependency.
 */
public final class Logging {
    private Logging() {
    }

    /**
     * Makes {@link DaemonLogManager} the JVM's log manager. Must run before anything touches JUL, so {@code main}
     * calls it first.
     */
    public static void install() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", DaemonLogManager.class.getName());
        }
    }

    /**
     * A log manager that ignores the JDK's shutdown-time {@code reset()}. The stock one closes every handler in its
     * own shutdown hook, racing ours, so the graceful stop's last lines ("stopping", "stopped") were lost on SIGTERM.
     */
    public static final class DaemonLogManager extends LogManager {
        private volatile boolean configured;

        @Override
        public void reset() {
            if (!configured) {
                super.reset();
            }
        }

        void resetNow() {
            super.reset();
            configured = true;
        }
    }

    public static void configure(DaemonConfig config, Path logDir) throws IOException {
        if (LogManager.getLogManager() instanceof DaemonLogManager manager) {
            manager.resetNow();
        } else {
            LogManager.getLogManager().reset();
        }
        Logger root = Logger.getLogger("");
        Level level = level(config.getString(Settings.LOG_LEVEL));
        root.setLevel(level);
        Handler handler;
        if (logDir == null) {
            handler = new ConsoleHandler();
        } else {
            Files.createDirectories(logDir);
            handler = new FileHandler(logDir.resolve("daemon.%g.log").toString(),
                    config.getInt(Settings.LOG_MAX_FILE_BYTES), config.getInt(Settings.LOG_FILES), true);
        }
        handler.setLevel(level);
        handler.setFormatter("json".equals(config.getString(Settings.LOG_FORMAT)) ? new JsonFormatter()
                : new LineFormatter());
        root.addHandler(handler);
        // Netty is chatty at FINE; keep it at INFO unless asked for trace.
        if (level.intValue() > Level.FINEST.intValue()) {
            Logger.getLogger("io.netty").setLevel(Level.INFO);
        }
    }

    private static final Pattern SECRET = Pattern.compile(
            "(?i)(api_key=|authorization: *(?:bearer )?|x-api-key: *)[^&\\s\"]+");

    /**
     * Removes credentials a library might log (Vert.x Web logs request URIs at trace level, with their
     * {@code ?api_key=}): every line of every log goes through here.
     */
    static String redact(String message) {
        return message == null ? null : SECRET.matcher(message).replaceAll("$1***");
    }

    static Level level(String name) {
        return switch (name) {
            case "error" -> Level.SEVERE;
            case "warn" -> Level.WARNING;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> Level.INFO;
        };
    }

    /** {@code 2026-11-25T12:00:00.123Z INFO  bus.BridgeConnection: message}. */
    static final class LineFormatter extends Formatter {
        @Override
        public String format(LogRecord r) {
            String logger = r.getLoggerName() == null ? "" : r.getLoggerName().replace("org.dindex.", "");
            StringBuilder sb = new StringBuilder(128)
                    .append(Instant.ofEpochMilli(r.getMillis())).append(' ')
                    .append(String.format("%-5s", name(r.getLevel()))).append(' ')
                    .append(logger).append(": ").append(redact(formatMessage(r))).append('\n');
            if (r.getThrown() != null) {
                StringWriter sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                sb.append(sw);
            }
            return sb.toString();
        }

        static String name(Level level) {
            if (level.intValue() >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (level.intValue() >= Level.WARNING.intValue()) {
                return "WARN";
            }
            if (level.intValue() >= Level.INFO.intValue()) {
                return "INFO";
            }
            return level.intValue() >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
        }
    }

    /**
     * One JSON object per line. Ids are lifted out of the message into their own fields so log shippers can filter
     * on them: a job id ({@code import-1a2b3c4d}) wherever it appears, and {@code request_id=...} as HTTP and socket
     * requests log it.
     */
    static final class JsonFormatter extends Formatter {
        private static final Pattern JOB = Pattern.compile(
                "\\b((?:import|scrape)-[0-9a-f]{8})\\b");
        private static final Pattern REQUEST = Pattern.compile(
                "\\brequest_id=([A-Za-z0-9._-]{1,64})");

        @Override
        public String format(LogRecord r) {
            String message = redact(formatMessage(r));
            JsonObject json = new JsonObject()
                    .put("ts", Instant.ofEpochMilli(r.getMillis()).toString())
                    .put("level", LineFormatter.name(r.getLevel()))
                    .put("logger", r.getLoggerName() == null ? "" : r.getLoggerName().replace("org.dindex.", ""))
                    .put("thread", Thread.currentThread().getName())
                    .put("msg", message);
            var job = JOB.matcher(message);
            if (job.find()) {
                json.put("job_id", job.group(1));
            }
            var request = REQUEST.matcher(message);
            if (request.find()) {
                json.put("request_id", request.group(1));
            }
            if (r.getThrown() != null) {
                StringWriter sw = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(sw));
                json.put("error", sw.toString());
            }
            return json.encode() + "\n";
        }
    }
}
