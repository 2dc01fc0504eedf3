package org.dindex.watch;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The inotify watches (one per watched folder) that all watch jobs of a daemon may hold together. The kernel's limit
 * ({@code /proc/sys/fs/inotify/max_user_watches}) is per user and shared with every other program of that user
 * (editors, IDEs, file managers), so by default a daemon takes at most half of it; a watch that would need more scans
 * its folders instead of failing, or of starving the user's other programs. Thread-safe.
 */
final class WatchBudget {
    static final Path MAX_USER_WATCHES = Path.of("/proc/sys/fs/inotify/max_user_watches");
    /** When the system's limit cannot be read (not Linux): the kernel's old default. */
    static final int FALLBACK_LIMIT = 8192;

    private final int limit;
    private final long systemLimit;
    private final boolean configured;
    private int used;

    private WatchBudget(int limit, long systemLimit, boolean configured) {
        this.limit = limit;
        this.systemLimit = systemLimit;
        this.configured = configured;
    }

    /** @param configured {@code watch.max_inotify_watches}; 0: half of the system's per-user limit */
    static WatchBudget of(int configured) {
        long system = systemLimit();
        int limit = configured > 0 ? configured
                : system > 0 ? (int) Math.max(1, Math.min(Integer.MAX_VALUE, system / 2)) : FALLBACK_LIMIT / 2;
        return new WatchBudget(limit, system, configured > 0);
    }

    /**
     * {@code fs.inotify.max_user_watches}, or -1 when it cannot be read. Read in one call with a large buffer:
     * {@code Files.readString} probes a file that reports size 0 with a one-byte read, and a sysctl file answers a
     * read past its start with nothing, so it read "1" for 192917.
     */
    static long systemLimit() {
        try (BufferedReader in = Files.newBufferedReader(MAX_USER_WATCHES)) {
            String line = in.readLine();
            return line == null ? -1 : Long.parseLong(line.strip());
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
    }

    /** Takes one watch; false when the budget is spent. */
    synchronized boolean take() {
        if (used >= limit) {
            return false;
        }
        used++;
        return true;
    }

    synchronized void give(int n) {
        used = Math.max(0, used - n);
    }

    synchronized int used() {
        return used;
    }

    int limit() {
        return limit;
    }

    /** The system's per-user limit as a phrase, for messages. */
    String system() {
        return systemLimit > 0 ? "fs.inotify.max_user_watches is " + systemLimit
                : "the system's limit could not be read from " + MAX_USER_WATCHES;
    }

    /** Where the budget comes from, for messages. */
    String describe() {
        return configured ? "watch.max_inotify_watches allows " + limit + " (" + system() + ")"
                : "the daemon's watches may hold " + limit + " (half of " + (systemLimit > 0
                ? "fs.inotify.max_user_watches = " + systemLimit : FALLBACK_LIMIT) + "; set"
                + " watch.max_inotify_watches to change it)";
    }
}
