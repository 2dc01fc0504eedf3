package org.dindex.jobs;

import java.util.Locale;

/** Where a job is in its life. The last four are final: a finished job never changes again. */
public enum JobState {
    /** Waiting for a free slot ({@code jobs.max_concurrent}). */
    QUEUED,
    RUNNING,
    /** Finished, and everything it indexed is committed and visible to search. */
    COMPLETED,
    /** Stopped by an error; what it indexed before the error is committed and searchable. */
    FAILED,
    /** Stopped by a user; what it indexed is committed and searchable. */
    CANCELLED,
    /** Was queued or running when the daemon stopped or crashed; can be resumed. */
    INTERRUPTED;

    public boolean finished() {
        return this != QUEUED && this != RUNNING;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
