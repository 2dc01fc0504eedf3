package org.dindex.protocol;

/**
 * A failure with an {@link ErrorCode} and a message meant for the user: it names the bad value and the rule.
 * Handlers throw it (or fail futures with it); the bridge, the HTTP layer and the CLI turn it into their own form.
 */
public class DindexException extends RuntimeException {
    private final ErrorCode code;

    public DindexException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public DindexException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static DindexException badRequest(String message) {
        return new DindexException(ErrorCode.BAD_REQUEST, message);
    }
}
