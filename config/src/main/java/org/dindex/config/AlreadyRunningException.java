package org.dindex.config;

/** Another live daemon holds the data dir or socket lock. */
public final class AlreadyRunningException extends StartupException {
    private final long pid;

    public AlreadyRunningException(long pid, String what) {
        super("already running (pid " + (pid > 0 ? pid : "unknown") + ") on " + what);
        this.pid = pid;
    }

    public long pid() {
        return pid;
    }
}
