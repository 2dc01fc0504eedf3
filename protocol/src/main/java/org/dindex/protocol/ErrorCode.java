package org.dindex.protocol;

import java.util.Arrays;
import java.util.Locale;

/**
 * Every failure dindex reports, in one place.
 *
 * <p>A code travels as the event-bus failure code ({@link #failureCode()}), appears by name in {@code err} frames and
 * HTTP error bodies ({@link #wireName()}), and maps once to a CLI exit code ({@link #exitCode()}). Failure codes follow
 * HTTP status semantics so that the HTTP layer can reuse them unchanged.
 */
public enum ErrorCode {
    /** The request is well-formed JSON but a field is missing, has the wrong type or an invalid value. */
    BAD_REQUEST(400, 1),
    /** A frame could not be parsed: not JSON, not an object, missing {@code type}, unknown {@code type}. */
    BAD_FRAME(400, 1),
    /** The address is not one the caller may send to or register on. */
    ACCESS_DENIED(403, 1),
    /** The thing named by the request (a job, a document) does not exist. */
    NOT_FOUND(404, 1),
    /** The request conflicts with the current state (for example: already running). */
    CONFLICT(409, 1),
    /** A frame or body exceeds the configured size limit. */
    TOO_LARGE(413, 1),
    /** Too many requests in flight on one connection, or too many connections. */
    TOO_MANY_REQUESTS(429, 1),
    /** An unexpected failure inside the daemon; the message says what failed. */
    INTERNAL(500, 1),
    /** The daemon is starting or stopping and cannot take the request now. */
    UNAVAILABLE(503, 1),
    /** No reply arrived within the request timeout. */
    TIMEOUT(504, 1),
    /** Client side only: no daemon answers on the socket. */
    DAEMON_NOT_RUNNING(599, 3);

    private final int failureCode;
    private final int exitCode;

    ErrorCode(int failureCode, int exitCode) {
        this.failureCode = failureCode;
        this.exitCode = exitCode;
    }

    /** The numeric code carried by {@code Message.fail} and by {@code err} frames as {@code failureCode}. */
    public int failureCode() {
        return failureCode;
    }

    /** The CLI process exit code for this failure (see {@code dindex --help}). */
    public int exitCode() {
        return exitCode;
    }

    /** The lower-case name used on the wire, e.g. {@code access_denied}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; unknown names map to {@link #INTERNAL}. */
    public static ErrorCode fromWireName(String name) {
        if (name == null) {
            return INTERNAL;
        }
        return Arrays.stream(values()).filter(c -> c.wireName().equals(name)).findFirst().orElse(INTERNAL);
    }

    /** Maps a bus failure code back to the first code that uses it; unknown codes map to {@link #INTERNAL}. */
    public static ErrorCode fromFailureCode(int failureCode) {
        return Arrays.stream(values()).filter(c -> c.failureCode == failureCode).findFirst().orElse(INTERNAL);
    }
}
