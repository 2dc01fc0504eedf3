package org.dindex.cli;

import org.dindex.files.FileSelection;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * The file-selection options {@code index} and {@code watch} share (a picocli mixin): by default hidden files and
 * what {@code .gitignore} files exclude are skipped.
 */
final class FileSelectionOptions {
    @Option(names = "--hidden", description = "Include hidden files and folders.")
    boolean hidden;

    @Option(names = "--no-ignore", description = "Also index what .gitignore files exclude.")
    boolean noIgnore;

    /** The rules for collecting files here ({@code index}): these options, no include or exclude globs. */
    FileSelection.Rules rules() {
        return new FileSelection.Rules(hidden, !noIgnore, List.of(), List.of());
    }
}
