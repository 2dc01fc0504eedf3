package org.dindex.scrape;

/**
 * Why a request produced no usable response; the message is the reason shown to users.
 */
final class FetchException extends Exception {
    enum Kind {
        /** No complete response within the request timeout. */
        TIMEOUT,
        /** Content-Length or the body read exceeded the page size limit. */
        TOO_LARGE,
        /** Refused from the response head (content type not extractable); the body was not downloaded. */
        REFUSED,
        /** Connection, DNS or protocol failure. */
        NETWORK,
        /** The crawl stopped while the request was in flight. */
        CANCELLED
    }

    private static final long serialVersionUID = 1L;

    private final Kind kind;
    private final Integer status;

    FetchException(Kind kind, Integer status, String message) {
        this(kind, status, message, null);
    }

    FetchException(Kind kind, Integer status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
        this.status = status;
    }

    Kind kind() {
        return kind;
    }

    /** HTTP status of the response head when one was received, else null. */
    Integer status() {
        return status;
    }

    /** The FetchException in a failure's cause chain, or a NETWORK one describing the failure. */
    static FetchException of(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof FetchException f) {
                return f;
            }
        }
        return new FetchException(Kind.NETWORK, null, "connection failed: " + describe(t), t);
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.strip();
    }
}
