package org.dindex.cli;

import org.dindex.support.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code dindex init} and {@code dindex config check}: no daemon involved. */
class ConfigCommandsTest {
    @TempDir
    Path dir;

    @Test
    void initWritesTheCommentedDefaultsAndCheckAcceptsThem() throws Exception {
        Cli cli = new Cli(dir);
        Cli.Result init = cli.run("init", dir.resolve("conf").toString());
        assertEquals(0, init.exit(), init.toString());
        Path file = dir.resolve("conf/dindex.yaml");
        assertEquals(Files.readString(Path.of("conf/dindex.yaml")), Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(init.err().contains("--config " + file), init.err());

        Cli.Result again = cli.run("init", dir.resolve("conf").toString());
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already exists; use --force"), again.err());
        assertEquals(0, cli.run("init", dir.resolve("conf").toString(), "--force").exit());

        Cli.Result check = new Cli(dir).run("config", "check", file.toString());
        assertEquals(0, check.exit(), check.toString());
        assertTrue(check.out().startsWith("ok: " + file), check.out());
    }

    @Test
    void checkListsEveryProblemAndExitsOne() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                http:
                  port: 99999
                  prot: 80
                search:
                  fusion: average
                embedding:
                  model: gpt-embedder
                """);
        Cli.Result r = new Cli(dir).env("DINDEX_JOBS_MAX_CONCURRENT", "zero").run("config", "check", file.toString());
        assertEquals(1, r.exit(), r.toString());
        String err = r.err();
        assertTrue(err.contains("4 problems"), err);
        assertTrue(err.contains("http.port"), err);
        assertTrue(err.contains("unknown setting 'http.prot'") && err.contains("did you mean 'http.port'"), err);
        assertTrue(err.contains("search.fusion"), err);
        assertTrue(err.contains("DINDEX_JOBS_MAX_CONCURRENT"), err);

        Path model = Files.writeString(dir.resolve("model.yaml"), "embedding:\n  model: gpt-embedder\n"
                + "http:\n  host: 0.0.0.0\n");
        Cli.Result semantic = new Cli(dir).env("DINDEX_EMBEDDING_MODEL", "gpt-embedder").run("config", "check", model.toString(), "--json");
        assertEquals(1, semantic.exit(), semantic.toString());
        assertTrue(semantic.json().getJsonArray("problems").getString(0).contains("not a known model"));
        assertTrue(semantic.json().getJsonArray("warnings").getString(0).contains("http.api_keys is empty"));

        Path broken = Files.writeString(dir.resolve("broken.yaml"), "http:\n  port: [1,\n");
        Cli.Result yaml = new Cli(dir).run("config", "check", broken.toString());
        assertEquals(1, yaml.exit());
        assertTrue(yaml.err().contains("broken.yaml:2:11: not valid YAML: while parsing a flow node; expected the node"
                + " content, but found '<stream end>'"), yaml.err());
    }
}
