package org.dindex.cli;

import picocli.CommandLine.Option;

/**
 * {@code --json}, as the commands that print a daemon's reply take it (a picocli mixin). A command whose
 * {@code --json} says more than "Print JSON." declares its own.
 */
final class JsonOption {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;
}
