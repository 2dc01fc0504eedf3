package org.dindex.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A validated configuration: every {@link Settings} value, typed. Built only by {@link ConfigLoader}, so holding one
 * means the configuration is valid.
 *
 * @param source where the values came from (file path or "defaults"), for messages and status
 */
public record DaemonConfig(Map<Setting, Object> values, String source, Path file) {

    public long getLong(Setting setting) {
        return (Long) value(setting);
    }

    public int getInt(Setting setting) {
        return Math.toIntExact(getLong(setting));
    }

    public double getDouble(Setting setting) {
        return ((Number) value(setting)).doubleValue();
    }

    public boolean getBoolean(Setting setting) {
        return (Boolean) value(setting);
    }

    public String getString(Setting setting) {
        return (String) value(setting);
    }

    public Duration getMillis(Setting setting) {
        return Duration.ofMillis(getLong(setting));
    }

    private Object value(Setting setting) {
        Object v = values.get(setting);
        if (v == null) {
            throw new IllegalArgumentException("unknown setting " + setting.key());
        }
        return v;
    }

    public Duration shutdownTimeout() {
        return getMillis(Settings.SHUTDOWN_TIMEOUT_MS);
    }
}
