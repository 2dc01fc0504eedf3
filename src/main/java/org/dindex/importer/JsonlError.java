package org.dindex.importer;

/**
 * A line of a JSON Lines file that is not a usable document; the import reports it and goes on with the next.
 *
 * @param line    the 1-based line number in the file
 * @param message what is wrong, starting with the line number, e.g. {@code line 9: missing "text"}
 */
public record JsonlError(long line, String message) implements JsonlReader.Entry {
}
