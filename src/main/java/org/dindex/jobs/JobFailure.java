package org.dindex.jobs;

/** Why a job failed, in words meant for its user (the message becomes the job's {@code error}). */
public class JobFailure extends RuntimeException {
    public JobFailure(String message) {
        super(message);
    }

    public JobFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
