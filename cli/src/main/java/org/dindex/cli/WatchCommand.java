package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.WatchRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code dindex watch FOLDER...}: a job in the daemon that indexes the folders and keeps them in sync until it is
 * cancelled, across daemon restarts. The daemon reads the files (this command only starts the job), with the rules of
 * {@code dindex index}: hidden files and what {@code .gitignore} excludes are skipped.
 */
@Command(name = "watch", footerHeading = Examples.HEADING,
        footer = {
                "  dindex watch ~/notes",
                "  dindex watch ~/notes ~/papers --exclude drafts --detach",
                "  dindex watch src/ --include '*.md' --include '*.txt' --no-ignore",
                "  dindex cancel watch-1a2b3c4d",
                "  dindex watch ~/papers --collection papers"},
        description = {"Keep folders in sync with the index: a job in the daemon indexes them, then"
        + " indexes new and changed files and removes deleted and renamed ones as they change (hidden files and what"
        + " .gitignore files exclude skipped, as 'index' does).",
        "The job runs until 'dindex cancel ID', without a terminal, and the daemon resumes it when it starts again"
                + " (catching up on what changed meanwhile). Prints the job id and follows its events; Ctrl-C only"
                + " stops following."})
final class WatchCommand implements Callable<Integer> {
    @ParentCommand
    DindexCommand root;

    @Parameters(arity = "1..*", paramLabel = "FOLDER", description = "Folders to keep in sync (read by the daemon).")
    List<Path> folders;

    @Option(names = "--include", paramLabel = "GLOB", description = "Only files matching GLOB (repeatable; without"
            + " '/' it matches the name, with '/' the path below the folder; ** crosses folders).")
    List<String> include = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "Skip files and folders matching GLOB"
            + " (repeatable).")
    List<String> exclude = new ArrayList<>();

    @picocli.CommandLine.Mixin
    FileSelectionOptions selection;

    @picocli.CommandLine.Mixin
    JobStartOptions start;

    @Override
    public Integer call() {
        List<String> paths = new ArrayList<>();
        for (Path f : folders) {
            Path abs = f.toAbsolutePath().normalize();
            // Checked here too, so that a typo does not start a daemon just to hear about it.
            if (!Files.exists(abs)) {
                throw new DindexException(ErrorCode.NOT_FOUND, "no such folder: " + abs);
            }
            paths.add(abs.toString());
        }
        WatchRequest request = new WatchRequest(paths, include, exclude, selection.hidden ? true : null,
                selection.noIgnore ? false : null);
        try (Dindex dindex = root.dindex(start.collection)) {
            JsonObject job = dindex.watch(request).raw();
            int exit = JobCommands.startedJob(root, dindex, job, start.detach, start.json);
            // A watch ends by being cancelled: that is its normal end.
            return exit != Main.OK && !start.detach && "cancelled".equals(dindex.job(job.getString("id")).state())
                    ? Main.OK : exit;
        }
    }
}
