package org.dindex.cli;

import picocli.CommandLine.Option;

/** {@code --collection NAME}, as the commands that act on one collection take it (a picocli mixin); null: default. */
final class CollectionOption {
    @Option(names = "--collection", paramLabel = "NAME", description = "The collection (default: default).")
    String name;
}
