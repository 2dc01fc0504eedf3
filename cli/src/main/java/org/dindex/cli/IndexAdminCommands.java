package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.protocol.DeleteSelector;
import org.dindex.protocol.ExportPage;
import org.dindex.protocol.ExportRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.concurrent.Callable;

/** The small index commands: stats, commit, delete, clear, export, check. */
final class IndexAdminCommands {
    private IndexAdminCommands() {
    }

    @Command(name = "stats", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex stats",
                    "  dindex stats --json",
                    "  dindex stats --collection papers"},
            description = "Documents, chunks, store sizes, model, last commit, pending writes.")
    static final class Stats implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Mixin
        CollectionOption collection;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            return Replies.ask(root, collection.name, output.json, Dindex::stats, this::print);
        }

        private void print(JsonObject s) {
            JsonObject stores = s.getJsonObject("stores");
            JsonObject model = s.getJsonObject("model");
            JsonObject pending = s.getJsonObject("pending_writes");
            row("collection", s.getString("collection"));
            row("documents", s.getValue("documents"));
            row("chunks", s.getValue("chunks"));
            row("model", model.getString("name") + " (" + model.getInteger("dimensions") + " dimensions)");
            row("lucene", StatusPrinter.mb(stores.getLong("lucene_bytes")) + " on disk");
            row("vectors", StatusPrinter.mb(stores.getLong("vectors_bytes_in_memory")) + " in memory");
            row("wal", stores.getLong("wal_bytes") + " bytes");
            row("last commit", s.getString("last_commit_at") + " (" + s.getLong("last_commit_ms") + " ms)");
            row("pending", pending.getInteger("operations") + " operations, " + pending.getInteger("chunks")
                    + " chunks");
            row("embedded", s.getJsonObject("embedding").getLong("passages_embedded") + " passages since start");
        }

        private void row(String name, Object value) {
            root.out.printf("%-12s %s%n", name, value);
        }
    }

    @Command(name = "commit", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex commit"},
            description = "Make every acknowledged write searchable now.")
    static final class Commit implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Mixin
        CollectionOption collection;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            return Replies.ask(root, collection.name, output.json, Dindex::commit, r -> root.out.println("committed "
                    + r.getInteger("committed_ops") + " operations in " + r.getLong("commit_ms") + " ms"));
        }
    }

    @Command(name = "delete", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex delete --source /home/me/old-notes/",
                    "  dindex delete --doc ID --doc ID2"},
            description = "Delete documents by id or by source prefix.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Mixin
        CollectionOption collection;

        @Option(names = "--doc", paramLabel = "ID", description = "Document id (repeatable).")
        List<String> docs;

        @Option(names = "--source", paramLabel = "PREFIX", description = "Every document whose source (absolute"
                + " path or URL) starts with PREFIX.")
        String source;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            if ((docs == null) == (source == null)) {
                throw new picocli.CommandLine.ParameterException(root.spec.commandLine(),
                        "give --doc ID (repeatable) or --source PREFIX");
            }
            DeleteSelector selector = docs != null ? DeleteSelector.documents(docs) : DeleteSelector.sourcePrefix(source);
            return Replies.ask(root, collection.name, output.json, d -> d.delete(selector),
                    r -> root.out.println("deleted " + r.getInteger("deleted_documents") + " documents"
                            + (collection.name == null ? "" : " from " + collection.name)));
        }
    }

    @Command(name = "clear", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex clear --yes",
                    "  dindex clear --collection scratch --yes"},
            description = "Delete every document of a collection (needs --yes).")
    static final class Clear implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Mixin
        CollectionOption collection;

        @Option(names = "--yes", description = "Confirm.")
        boolean yes;

        @Override
        public Integer call() {
            if (!yes) {
                throw new picocli.CommandLine.ParameterException(root.spec.commandLine(),
                        "clear deletes every document: add --yes to confirm");
            }
            try (Dindex dindex = root.dindex(collection.name)) {
                dindex.clear();
                root.out.println(collection.name == null ? "cleared" : "cleared " + collection.name);
                return Main.OK;
            }
        }
    }

    @Command(name = "export", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex export > chunks.jsonl",
                    "  dindex export | gzip > backup.jsonl.gz",
                    "  dindex export --collection notes --with-vectors > notes.jsonl"},
            description = "Write every chunk with its metadata as JSON lines to stdout.")
    static final class Export implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Mixin
        CollectionOption collection;

        @Option(names = "--format", defaultValue = "jsonl", description = "Output format: jsonl (default).")
        String format;

        @Option(names = "--with-vectors", description = "Add each chunk's embedding (base64 float32), its model and"
                + " its document's content hash, so that 'dindex import FILE --format jsonl' puts the chunks back"
                + " without embedding anything (another collection, another machine).")
        boolean withVectors;

        @Override
        public Integer call() {
            if (!"jsonl".equals(format)) {
                throw new picocli.CommandLine.ParameterException(root.spec.commandLine(),
                        "unknown format '" + format + "' (supported: jsonl)");
            }
            try (Dindex dindex = root.dindex(collection.name)) {
                ExportRequest request = ExportRequest.first(1000).withVectors(withVectors);
                ExportPage page;
                do {
                    page = dindex.export(request);
                    page.chunks().forEach(chunk -> root.out.println(chunk.encode()));
                    request = request.next(page);
                } while (!page.last());
                root.out.flush();
                return Main.OK;
            }
        }
    }

    @Command(name = "check", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex check",
                    "  dindex check --json"},
            description = "Verify that the index's stores agree.")
    static final class Check implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Mixin
        CollectionOption collection;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            try (Dindex dindex = root.dindex(collection.name)) {
                JsonObject r = dindex.check();
                Replies.print(root, output.json, r, () -> {
                    if (r.getBoolean("ok")) {
                        root.out.println("ok: " + r.getInteger("documents") + " documents, " + r.getInteger("chunks")
                                + " chunks, " + r.getInteger("vectors") + " vectors agree");
                    } else {
                        root.out.println("problems found:");
                        r.getJsonArray("problems").forEach(p -> root.out.println("  - " + p));
                    }
                });
                return r.getBoolean("ok") ? Main.OK : Main.FAILURE;
            }
        }
    }
}
