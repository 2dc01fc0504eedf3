package org.dindex.importer;

import java.io.IOException;

/**
 * A dump that cannot be read as a MediaWiki export: broken XML, or a page missing what every export has.
 *
 * <p>It carries the position so the user can look at the spot ({@code bzcat dump.xml.bz2 | sed -n 12p}); pages
 * before it were already returned, so an import can report how far it got.
 */
public final class DumpFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long line;
    private final long column;

    /**
     * @param line    1-based line in the uncompressed XML, or -1 when unknown
     * @param column  1-based column, or -1 when unknown
     * @param message the whole message, position included
     * @param cause   the parser's exception, or null
     */
    public DumpFormatException(long line, long column, String message, Throwable cause) {
        super(message, cause);
        this.line = line;
        this.column = column;
    }

    /** 1-based line in the uncompressed XML, or -1 when unknown. */
    public long line() {
        return line;
    }

    /** 1-based column in the uncompressed XML, or -1 when unknown. */
    public long column() {
        return column;
    }
}
