package org.dindex.extract;

import java.util.Objects;

/**
 * Why a file could not be extracted; reason is one of the enum values, message is one clear line for the user
 * naming the file and the cause.
 *
 * <p>This is an expected outcome (a folder full of files always holds a few that cannot be indexed), so callers
 * should report {@link #getMessage()} and move on; the stack trace carries nothing a user can act on.
 */
public final class ExtractionException extends Exception {
    /** The category of failure, for counting and for deciding whether a retry could help. */
    public enum Reason {
        /** The file could not be read or opened: missing, a folder, no permission, damaged or encrypted PDF. */
        UNREADABLE,
        /** Nothing to index: empty, whitespace only, only markup, or a PDF without a text layer. */
        EMPTY,
        /** Not text: NUL bytes, many control characters, or (for unknown extensions) not UTF-8. */
        BINARY,
        /** A text, markdown or HTML file declared (or assumed) UTF-8 that holds an invalid byte sequence. */
        INVALID_UTF8,
        /** Larger than the configured limit. */
        TOO_LARGE,
        /** Content of a kind extraction does not handle (UTF-16 text, PDF passed as a string). */
        UNSUPPORTED
    }

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public ExtractionException(Reason reason, String message) {
        this(reason, message, null);
    }

    /** Keeps the underlying library failure as cause for debug logs; the message stays the user-facing line. */
    public ExtractionException(Reason reason, String message, Throwable cause) {
        super(oneLine(message), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }

    private static String oneLine(String message) {
        return Objects.requireNonNull(message, "message").strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
