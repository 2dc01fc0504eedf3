package org.dindex.files;

import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file rules {@code index} and {@code watch} share: hidden files, {@code .gitignore}, include and exclude. */
class FileSelectionTest {
    Path root;

    @AfterEach
    void cleanUp() {
        TestDirs.deleteTree(root);
    }

    @Test
    void gitignorePatternsMatchAsGitDoes() {
        GitIgnore g = GitIgnore.parse("""
                # a comment
                *.log
                !keep.log
                build/
                /top.txt
                docs/*.tmp
                **/cache
                a/**/z
                out/**
                \\#literal
                file[0-9].txt
                """);
        assertEquals(Boolean.TRUE, g.match("x.log", false));
        assertEquals(Boolean.TRUE, g.match("deep/er/x.log", false), "no slash: any depth");
        assertEquals(Boolean.FALSE, g.match("keep.log", false), "re-included by !");
        assertEquals(Boolean.TRUE, g.match("build", true));
        assertNull(g.match("build", false), "a trailing slash matches folders only");
        assertEquals(Boolean.TRUE, g.match("src/build", true));
        assertEquals(Boolean.TRUE, g.match("top.txt", false));
        assertNull(g.match("sub/top.txt", false), "a leading slash anchors");
        assertEquals(Boolean.TRUE, g.match("docs/a.tmp", false));
        assertNull(g.match("x/docs/a.tmp", false), "a slash inside anchors");
        assertNull(g.match("docs/sub/a.tmp", false), "* does not cross /");
        assertEquals(Boolean.TRUE, g.match("cache", true));
        assertEquals(Boolean.TRUE, g.match("p/q/cache", false));
        assertEquals(Boolean.TRUE, g.match("a/z", false));
        assertEquals(Boolean.TRUE, g.match("a/b/c/z", false));
        assertEquals(Boolean.TRUE, g.match("out/x/y", false));
        assertNull(g.match("out", true), "out/** matches what is inside, not the folder");
        assertEquals(Boolean.TRUE, g.match("#literal", false));
        assertEquals(Boolean.TRUE, g.match("file7.txt", false));
        assertNull(g.match("fileX.txt", false));
        assertNull(g.match("notes.md", false));
    }

    @Test
    void walkHonoursHiddenGitignoreIncludeAndExclude() throws IOException {
        root = TestDirs.privateDir("fs");
        Path repo = Files.createDirectories(root.resolve("repo"));
        Files.createDirectories(repo.resolve(".git"));
        Files.writeString(repo.resolve(".gitignore"), "*.log\nnode_modules/\n/generated\n");
        Path src = Files.createDirectories(repo.resolve("src"));
        write(src.resolve("a.md"));
        write(src.resolve("b.txt"));
        write(src.resolve("debug.log"));
        write(src.resolve(".secret.md"));
        Files.writeString(src.resolve(".gitignore"), "b.txt\n!important.log\n");
        write(src.resolve("important.log"));
        write(repo.resolve("node_modules/lib/index.md"));
        write(repo.resolve("generated/out.md"));
        write(repo.resolve("src/generated/kept.md"));
        write(repo.resolve("drafts/wip.md"));
        write(repo.resolve(".hidden/in.md"));
        Files.createSymbolicLink(repo.resolve("loop"), repo);

        assertEquals(List.of("drafts/wip.md", "src/a.md", "src/generated/kept.md", "src/important.log"),
                walk(repo, FileSelection.Rules.DEFAULT));
        assertEquals(List.of(".gitignore", ".hidden/in.md", "drafts/wip.md", "src/.gitignore", "src/.secret.md",
                        "src/a.md", "src/generated/kept.md", "src/important.log"),
                walk(repo, new FileSelection.Rules(true, true, List.of(), List.of())));
        assertEquals(12, walk(repo, new FileSelection.Rules(true, false, List.of(), List.of())).size(),
                "everything without the rules: " + walk(repo, new FileSelection.Rules(true, false, List.of(),
                        List.of())));
        assertEquals(List.of("drafts/wip.md", "src/a.md", "src/generated/kept.md"),
                walk(repo, new FileSelection.Rules(false, true, List.of("*.md"), List.of())));
        assertEquals(List.of("src/a.md", "src/important.log"),
                walk(repo, new FileSelection.Rules(false, true, List.of(), List.of("drafts", "src/generated/**",
                        "generated"))));

        // A folder below the work tree's top still honours the .gitignore files above it.
        assertEquals(List.of("a.md", "generated/kept.md", "important.log"), walk(src, FileSelection.Rules.DEFAULT));

        FileSelection selection = new FileSelection(FileSelection.Rules.DEFAULT);
        assertTrue(selection.selected(repo, src.resolve("a.md"), false));
        assertFalse(selection.selected(repo, repo.resolve("node_modules/lib/index.md"), false),
                "below an excluded folder");
        assertFalse(selection.selected(repo, repo.resolve(".hidden/in.md"), false));
        assertFalse(selection.selected(repo, src.resolve("debug.log"), false));

        Files.writeString(src.resolve(".gitignore"), "");
        assertFalse(selection.selected(repo, src.resolve("b.txt"), false), "cached until forgotten");
        selection.forget(src);
        assertTrue(selection.selected(repo, src.resolve("b.txt"), false));

        List<String> withoutSrc = new ArrayList<>();
        new FileSelection(FileSelection.Rules.DEFAULT).never(src).walk(repo, repo, (file, attributes) ->
                withoutSrc.add(repo.relativize(file).toString()));
        assertEquals(List.of("drafts/wip.md"), withoutSrc, "a folder never walked (the daemon's data)");

        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () ->
                new FileSelection(new FileSelection.Rules(false, true, List.of("[a-"), List.of())));
        assertTrue(bad.getMessage().startsWith("invalid --include glob '[a-': "), bad.getMessage());
    }

    private static List<String> walk(Path start, FileSelection.Rules rules) throws IOException {
        List<String> files = new ArrayList<>();
        new FileSelection(rules).walk(start, start, (file, attributes) ->
                files.add(start.relativize(file).toString()));
        return files;
    }

    private static void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "text of " + file.getFileName());
    }
}
