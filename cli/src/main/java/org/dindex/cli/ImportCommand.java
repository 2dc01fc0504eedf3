package org.dindex.cli;

import org.dindex.protocol.ImportRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code dindex import FILE}: a background job that streams a MediaWiki XML dump or a JSONL file into the index. */
@Command(name = "import", footerHeading = Examples.HEADING,
        footer = {
                "  dindex import enwiki-latest-pages-articles-multistream.xml.bz2",
                "  dindex import corpus.jsonl --format jsonl --detach",
                "  dindex import dump.xml.bz2 --resume JOB_ID",
                "  dindex import notes-export.jsonl --collection notes"},
        description = {"Import a MediaWiki XML dump (.xml, .xml.bz2 incl. multistream, .xml.gz) or a"
        + " JSONL file ({\"id\",\"title\",\"text\",\"url\"?,\"metadata\"?} per line) as a background job.",
        "Prints the job id and follows its progress; the job survives Ctrl-C (see 'dindex jobs')."})
final class ImportCommand implements Callable<Integer> {
    @ParentCommand
    DindexCommand root;

    @Parameters(paramLabel = "FILE", description = "The dump or JSONL file (read by the daemon).")
    Path file;

    @Option(names = "--format", paramLabel = "FORMAT", description = "wikipedia-xml or jsonl (default: from the"
            + " file name: *.jsonl[.gz] is jsonl, anything else a MediaWiki dump).")
    String format;

    @Option(names = "--namespaces", split = ",", paramLabel = "N", description = "MediaWiki namespaces to import"
            + " (default: 0, articles only).")
    List<Integer> namespaces;

    @Option(names = "--max-docs", paramLabel = "N", description = "Stop after importing N documents.")
    Long maxDocs;

    @Option(names = "--min-length", paramLabel = "CHARS", description = "Skip articles shorter than CHARS"
            + " characters of clean text (default 200; 0 keeps all).")
    Integer minLength;

    @Option(names = "--resume", paramLabel = "JOB_ID", description = "Continue an interrupted, cancelled or failed"
            + " import of the same file where it stopped.")
    String resume;

    @picocli.CommandLine.Mixin
    JobStartOptions start;

    @Override
    public Integer call() {
        ImportRequest request = new ImportRequest(file.toAbsolutePath().normalize().toString(), format, namespaces,
                maxDocs, minLength, resume);
        return JobCommands.start(root, start, d -> d.importFile(request));
    }
}
