package org.dindex.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.client.Dindex;
import org.dindex.protocol.CollectionInfo;
import org.dindex.protocol.SnapshotInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code collections}, {@code collection create|delete} and {@code snapshot create|list|restore|delete}: named
 * indexes in the one daemon, and consistent copies of them.
 */
final class CollectionCommands {
    private CollectionCommands() {
    }

    @Command(name = "collections", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex collections",
                    "  dindex collections --json"},
            description = "The collections (named indexes) with their model and size.")
    static final class ListCollections implements Callable<Integer> {
        @ParentCommand
        DindexCommand root;

        @Option(names = "--json", description = "Print JSON (the collections, and the models in memory).")
        boolean json;

        @Override
        public Integer call() {
            return Replies.ask(root, null, json, Dindex::collectionsJson, reply -> {
                root.out.printf("%-24s %-22s %10s %10s  %s%n", "NAME", "MODEL", "DOCUMENTS", "CHUNKS", "CREATED");
                for (CollectionInfo c : CollectionInfo.listFromJson(reply)) {
                    root.out.printf("%-24s %-22s %10d %10d  %s%n", c.name(), c.model(), c.documents(), c.chunks(),
                            c.createdAt() == null ? "" : c.createdAt().replaceAll("\\.\\d+Z$", "Z"));
                }
            });
        }
    }

    @Command(name = "collection", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex collection create papers",
                    "  dindex collection delete papers --yes"},
            description = "Create or delete a collection (a named index with its own model).",
            subcommands = {Create.class, Delete.class})
    static final class Collection {
        @ParentCommand
        DindexCommand root;
    }

    @Command(name = "create", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex collection create papers",
                    "  dindex collection create fast --model all-minilm-l6-v2-q"},
            description = "Create an empty collection.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        Collection parent;

        @Parameters(paramLabel = "NAME", description = "Lower-case letters, digits, '-' and '_', at most 64"
                + " characters.")
        String name;

        @Option(names = "--model", paramLabel = "M", description = "Embedding model (default: the configured one,"
                + " embedding.model). Collections of one model share its instance.")
        String model;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            DindexCommand root = parent.root;
            return Replies.ask(root, null, output.json, d -> d.createCollection(name, model), CollectionInfo::raw,
                    c -> root.out.println("created collection " + c.name() + " (model " + c.model() + ")"));
        }
    }

    @Command(name = "delete", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex collection delete papers --yes"},
            description = "Delete a collection and every document in it (needs --yes); jobs writing to it are"
                    + " cancelled first.")
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        Collection parent;

        @Parameters(paramLabel = "NAME", description = "The collection.")
        String name;

        @Option(names = "--yes", description = "Confirm.")
        boolean yes;

        @Override
        public Integer call() {
            DindexCommand root = parent.root;
            if (!yes) {
                throw new picocli.CommandLine.ParameterException(root.spec.commandLine(), "deleting collection "
                        + name + " deletes every document in it: add --yes to confirm");
            }
            try (Dindex dindex = root.dindex()) {
                dindex.deleteCollection(name);
                root.out.println("deleted collection " + name);
                return Main.OK;
            }
        }
    }

    @Command(name = "snapshot", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex snapshot create --collection papers",
                    "  dindex snapshot list",
                    "  dindex snapshot restore papers-20261207T120000Z --as papers-copy"},
            description = "Consistent copies of a collection: create, list, restore, delete.",
            subcommands = {SnapshotCreate.class, SnapshotList.class, SnapshotRestore.class, SnapshotDelete.class})
    static final class Snapshot {
        @ParentCommand
        DindexCommand root;
    }

    @Command(name = "create", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex snapshot create",
                    "  dindex snapshot create --collection papers --to /mnt/backup/dindex"},
            description = {"Copy a collection as of now (every acknowledged write is committed"
            + " first) while writes and searches go on: its Lucene commit (files hard-linked on the same file"
            + " system, else copied), its settings and a manifest of SHA-256 checksums."})
    static final class SnapshotCreate implements Callable<Integer> {
        @ParentCommand
        Snapshot parent;

        @Mixin
        CollectionOption collection;

        @Option(names = "--to", paramLabel = "DIR", description = "Write the snapshot into DIR (on the daemon's"
                + " machine) instead of the daemon's snapshot folder.")
        Path to;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            DindexCommand root = parent.root;
            return Replies.ask(root, collection.name, output.json, d -> d.createSnapshot(to), SnapshotInfo::raw, s -> {
                root.out.println("snapshot " + s.id() + " of " + s.collection() + ": " + s.documents()
                        + " documents, " + s.chunks() + " chunks, " + StatusPrinter.mb(s.bytes()) + " in "
                        + s.raw().getLong("millis", 0L) + " ms");
                root.out.println("  " + s.path());
            });
        }
    }

    @Command(name = "list", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex snapshot list",
                    "  dindex snapshot list --collection papers --json"},
            description = "The snapshots in the daemon's snapshot folder, oldest first.")
    static final class SnapshotList implements Callable<Integer> {
        @ParentCommand
        Snapshot parent;

        @Option(names = "--collection", paramLabel = "NAME", description = "Only this collection's.")
        String collection;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            DindexCommand root = parent.root;
            return Replies.ask(root, null, output.json, d -> d.snapshots(collection), SnapshotList::asJson, list -> {
                if (list.isEmpty()) {
                    root.out.println("no snapshots");
                    return;
                }
                root.out.printf("%-44s %-20s %10s %10s %10s%n", "SNAPSHOT", "COLLECTION", "DOCUMENTS", "CHUNKS",
                        "SIZE");
                for (SnapshotInfo s : list) {
                    root.out.printf("%-44s %-20s %10d %10d %10s%n", s.id(), s.collection(), s.documents(),
                            s.chunks(), StatusPrinter.mb(s.bytes()));
                }
            });
        }

        private static JsonObject asJson(List<SnapshotInfo> list) {
            JsonArray a = new JsonArray();
            list.forEach(s -> a.add(s.raw()));
            return new JsonObject().put("snapshots", a);
        }
    }

    @Command(name = "restore", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex snapshot restore papers-20261207T120000Z --as papers-copy",
                    "  dindex snapshot restore papers-20261207T120000Z --yes",
                    "  dindex snapshot restore /mnt/backup/dindex/papers-20261207T120000Z"},
            description = {"Restore a snapshot into a new collection, or in place of an existing"
            + " one with --yes. Every file's checksum is verified first: a damaged or partial snapshot is refused"
            + " and nothing changes."})
    static final class SnapshotRestore implements Callable<Integer> {
        @ParentCommand
        Snapshot parent;

        @Parameters(paramLabel = "SNAPSHOT", description = "A snapshot id from 'dindex snapshot list', or the path"
                + " of a snapshot folder on the daemon's machine.")
        String snapshot;

        @Option(names = "--as", paramLabel = "NAME", description = "The collection to restore into (default: the"
                + " one the snapshot was taken of).")
        String as;

        @Option(names = "--yes", description = "Replace the collection when it exists (its jobs are cancelled).")
        boolean yes;

        @Mixin
        JsonOption output;

        @Override
        public Integer call() {
            DindexCommand root = parent.root;
            Path asPath = Path.of(snapshot);
            String target = snapshot.contains("/") && !asPath.isAbsolute()
                    ? asPath.toAbsolutePath().normalize().toString() : snapshot;
            return Replies.ask(root, null, output.json, d -> d.restoreSnapshot(target, as, yes), CollectionInfo::raw,
                    c -> root.out.println("restored collection " + c.name() + ": " + c.documents() + " documents, "
                            + c.chunks() + " chunks"));
        }
    }

    @Command(name = "delete", footerHeading = Examples.HEADING,
            footer = {
                    "  dindex snapshot delete papers-20261207T120000Z"},
            description = "Delete a snapshot from the daemon's snapshot folder.")
    static final class SnapshotDelete implements Callable<Integer> {
        @ParentCommand
        Snapshot parent;

        @Parameters(paramLabel = "SNAPSHOT", description = "A snapshot id from 'dindex snapshot list'.")
        String snapshot;

        @Override
        public Integer call() {
            DindexCommand root = parent.root;
            try (Dindex dindex = root.dindex()) {
                dindex.deleteSnapshot(snapshot);
                root.out.println("deleted snapshot " + snapshot);
                return Main.OK;
            }
        }
    }
}
