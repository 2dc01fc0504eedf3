package org.dindex.cli;

import picocli.CommandLine.Option;

/**
 * The options every command that starts a job shares: the collection it writes into, return at once, or print JSON
 * instead of text.
 */
final class JobStartOptions {
    @Option(names = "--collection", paramLabel = "NAME", description = "The collection to write into (default:"
            + " default).")
    String collection;

    @Option(names = "--detach", description = "Print the job id and return at once.")
    boolean detach;

    @Option(names = "--json", description = "Print the job as JSON.")
    boolean json;
}
