package org.dindex.config;

/** The daemon cannot start; the message says why and what to do. Printed as one line, never as a stack trace. */
public class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
