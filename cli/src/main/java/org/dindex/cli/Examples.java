package org.dindex.cli;

/**
 * The "Examples:" section every command's help ends with (picocli's footer). Each example is a command line a user
 * can type, indented two spaces; {@code HelpExamplesTest} checks that every command has some.
 */
public final class Examples {
    /** The footer heading of a command's examples. */
    public static final String HEADING = "%nExamples:%n";

    private Examples() {
    }
}
