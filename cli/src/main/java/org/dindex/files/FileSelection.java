package org.dindex.files;

import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.PatternSyntaxException;

/**
 * Which files under a folder are indexed: the one set of rules {@code dindex index} and {@code dindex watch} share.
 * Below a folder given by the user:
 * <ul>
 *   <li>hidden files and folders (a name starting with a dot) are skipped unless {@link Rules#hidden()};</li>
 *   <li>what a {@code .gitignore} excludes is skipped unless {@link Rules#gitignore()} is off: the {@code .gitignore}
 *       files of the folder and of every folder below it, and, when the folder is inside a git work tree, those of
 *       the folders between it and the work tree's top; deeper files override shallower ones, and nothing below an
 *       excluded folder comes back (as in git); {@code .git} folders are skipped too, even with hidden files;</li>
 *   <li>{@link Rules#exclude()} globs skip files and folders, {@link Rules#include()} globs (when given) keep only the
 *       files one of them matches. A glob without {@code /} is matched against the name, one with {@code /}
 *       against the path below the given folder (Java's glob syntax: {@code *} stays within a name, {@code **}
 *       crosses folders, {@code {md,txt}} alternatives);</li>
 *   <li>only regular files are indexed (symbolic links to files too); symbolic links to folders are not followed,
 *       so a link cannot make a walk loop; folders that cannot be read are skipped.</li>
 * </ul>
 * A file given by the user by name is taken as it is. Not thread-safe: {@code .gitignore} files are cached per
 * folder ({@link #forget} drops one that changed).
 */
public final class FileSelection {
    private static final Logger LOG = Logger.getLogger(FileSelection.class.getName());
    /** A {@code .gitignore} larger than this is not read (no real one comes close). */
    private static final long MAX_IGNORE_BYTES = 1 << 20;

    /**
     * @param hidden    also index hidden files and folders
     * @param gitignore honour {@code .gitignore} files
     * @param include   globs a file must match one of (empty: every file)
     * @param exclude   globs no file or folder may match
     */
    public record Rules(boolean hidden, boolean gitignore, List<String> include, List<String> exclude) {
        /** What {@code dindex index} does without options. */
        public static final Rules DEFAULT = new Rules(false, true, List.of(), List.of());

        public Rules {
            include = include == null ? List.of() : List.copyOf(include);
            exclude = exclude == null ? List.of() : List.copyOf(exclude);
        }
    }

    /** What a walk reports, in order: a folder before what is in it. */
    public interface Visitor {
        /** A folder that is walked (the start included). */
        default void folder(Path dir) throws IOException {
        }

        /** A selected regular file, with its attributes (the link's target for a symbolic link). */
        void file(Path file, BasicFileAttributes attributes) throws IOException;

        /** Whether to stop the walk now (a cancelled job). */
        default boolean stopped() {
            return false;
        }
    }

    private record Glob(PathMatcher matcher, boolean nameOnly) {
        boolean matches(Path relative) {
            return matcher.matches(nameOnly ? relative.getFileName() : relative);
        }
    }

    private final Rules rules;
    private final List<Glob> include;
    private final List<Glob> exclude;
    private final Map<Path, GitIgnore> ignoreFiles = new HashMap<>();
    private final Map<Path, Path> tops = new HashMap<>();
    private final Set<Path> never = new HashSet<>();

    /** @throws IllegalArgumentException naming a glob that does not parse */
    public FileSelection(Rules rules) {
        this.rules = rules;
        this.include = globs(rules.include(), "--include");
        this.exclude = globs(rules.exclude(), "--exclude");
    }

    public Rules rules() {
        return rules;
    }

    /**
     * Never walks {@code folder} (absolute, normalized), whatever the rules say: a daemon watching a tree that holds
     * its own data folder would otherwise index its own index and logs, whose writes it would then see as changes.
     */
    public FileSelection never(Path folder) {
        never.add(folder);
        return this;
    }

    private static List<Glob> globs(List<String> patterns, String option) {
        List<Glob> out = new ArrayList<>();
        for (String p : patterns) {
            if (p == null || p.isBlank()) {
                throw new IllegalArgumentException(option + " needs a glob, got an empty one");
            }
            try {
                out.add(new Glob(FileSystems.getDefault().getPathMatcher("glob:" + p), p.indexOf('/') < 0));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid " + option + " glob '" + p + "': "
                        + (e instanceof PatternSyntaxException s ? s.getDescription() : e.getMessage()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * The files {@code dindex index} takes for {@code paths}: each folder walked by these rules (sorted per folder),
     * each file as given; absolute and normalized.
     *
     * @throws DindexException {@link ErrorCode#BAD_REQUEST} naming a path that does not exist
     */
    public List<Path> collect(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            Path abs = p.toAbsolutePath().normalize();
            if (!Files.exists(abs)) {
                throw new DindexException(ErrorCode.BAD_REQUEST, "no such file or folder: " + p);
            }
            if (Files.isDirectory(abs)) {
                walk(abs, abs, (file, attributes) -> files.add(file));
            } else {
                files.add(abs);
            }
        }
        return files;
    }

    /**
     * Walks {@code start} (the root or a folder below it that these rules select) depth first, names sorted,
     * reporting each walked folder and each selected file. Folders that vanish or cannot be read are skipped.
     */
    public void walk(Path root, Path start, Visitor visitor) throws IOException {
        walkFolder(root, start, visitor);
    }

    private void walkFolder(Path root, Path dir, Visitor visitor) throws IOException {
        if (visitor.stopped()) {
            return;
        }
        visitor.folder(dir);
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException | SecurityException e) {
            LOG.fine(() -> "skipping unreadable folder " + dir + ": " + e.getMessage());
            return;
        }
        entries.sort(null);
        for (Path entry : entries) {
            if (visitor.stopped()) {
                return;
            }
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (attributes.isSymbolicLink()) {
                    attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                    if (!attributes.isRegularFile()) {
                        continue;  // links to folders are not followed
                    }
                }
            } catch (IOException e) {
                continue;  // gone, or a dangling link
            }
            if (attributes.isDirectory()) {
                if (selectedHere(root, entry, true)) {
                    walkFolder(root, entry, visitor);
                }
            } else if (attributes.isRegularFile() && selectedHere(root, entry, false)) {
                visitor.file(entry, attributes);
            }
        }
    }

    /**
     * Whether {@code path} (the root or below it) is selected: for a folder, whether it is walked; for a file, whether
     * it is indexed. Every folder between the root and it must be selected too.
     */
    public boolean selected(Path root, Path path, boolean folder) {
        if (path.equals(root)) {
            return true;
        }
        if (!path.startsWith(root)) {
            return false;
        }
        Path relative = root.relativize(path);
        Path current = root;
        for (int i = 0; i < relative.getNameCount() - 1; i++) {
            current = current.resolve(relative.getName(i));
            if (!selectedHere(root, current, true)) {
                return false;
            }
        }
        return selectedHere(root, path, folder);
    }

    /** The rules for {@code path} alone, its parent folders taken as selected. */
    private boolean selectedHere(Path root, Path path, boolean folder) {
        Path relative = root.relativize(path);
        String name = path.getFileName().toString();
        if (!rules.hidden() && name.startsWith(".") || folder && rules.gitignore() && name.equals(".git")
                || folder && never.contains(path)) {
            return false;
        }
        for (Glob g : exclude) {
            if (g.matches(relative)) {
                return false;
            }
        }
        if (!folder && !include.isEmpty() && include.stream().noneMatch(g -> g.matches(relative))) {
            return false;
        }
        return !rules.gitignore() || !ignored(root, path, folder);
    }

    /** Whether the {@code .gitignore} files from the top (work tree or root) down to its parent exclude it. */
    private boolean ignored(Path root, Path path, boolean folder) {
        Path top = tops.computeIfAbsent(root, FileSelection::top);
        List<Path> chain = new ArrayList<>();
        for (Path d = path.getParent(); d != null && d.startsWith(top); d = d.getParent()) {
            chain.addFirst(d);
        }
        Boolean verdict = null;
        for (Path dir : chain) {
            GitIgnore g = ignoreFile(dir);
            if (!g.isEmpty()) {
                Boolean v = g.match(slashed(dir.relativize(path)), folder);
                if (v != null) {
                    verdict = v;
                }
            }
        }
        return Boolean.TRUE.equals(verdict);
    }

    private static String slashed(Path relative) {
        String s = relative.toString();
        return relative.getFileSystem().getSeparator().equals("/") ? s : s.replace(relative.getFileSystem()
                .getSeparator(), "/");
    }

    /** The top of the git work tree holding {@code root} (a folder with {@code .git}), else the root itself. */
    private static Path top(Path root) {
        for (Path p = root; p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
                return p;
            }
        }
        return root;
    }

    private GitIgnore ignoreFile(Path dir) {
        return ignoreFiles.computeIfAbsent(dir, d -> {
            Path file = d.resolve(".gitignore");
            try {
                if (!Files.isRegularFile(file) || Files.size(file) > MAX_IGNORE_BYTES) {
                    return GitIgnore.NONE;
                }
                return GitIgnore.parse(decode(Files.readAllBytes(file)));
            } catch (IOException | SecurityException e) {
                return GitIgnore.NONE;
            }
        });
    }

    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    /** Forgets the cached {@code .gitignore} of {@code dir}: it changed. */
    public void forget(Path dir) {
        ignoreFiles.remove(dir);
    }

    /** Forgets every cached {@code .gitignore} (before a full scan). */
    public void forgetAll() {
        ignoreFiles.clear();
        tops.clear();
    }
}
