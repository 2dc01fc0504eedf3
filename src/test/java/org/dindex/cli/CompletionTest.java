package org.dindex.cli;

import org.dindex.support.Cli;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code dindex completion bash|zsh}: picocli's script for the whole command tree, loaded into a real bash (and a
 * real zsh, through its bash-completion compatibility), whose completion function is then asked what it offers.
 */
@Timeout(120)
class CompletionTest {
    static Path root;
    static Cli cli;
    static Path bashScript;
    static Path zshScript;

    @BeforeAll
    static void generate() throws Exception {
        root = TestDirs.privateDir("dco");
        cli = new Cli(root);
        Cli.Result bash = cli.run("completion", "bash");
        assertEquals(0, bash.exit(), bash.toString());
        bashScript = Files.writeString(root.resolve("dindex.bash"), bash.out());
        Cli.Result zsh = cli.run("completion", "zsh");
        assertEquals(0, zsh.exit(), zsh.toString());
        zshScript = Files.writeString(root.resolve("dindex.zsh"), zsh.out());
    }

    @AfterAll
    static void clean() {
        TestDirs.deleteTree(root);
    }

    /** Runs {@code script} in {@code shell} and returns its stdout. */
    static String shell(List<String> shell, String script) throws Exception {
        Process p = new ProcessBuilder(shell).redirectErrorStream(false).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "exit of " + shell + "\n" + out + err);
        return out;
    }

    /** What the completion function offers for a command line ending in {@code current}. */
    static String complete(String... words) {
        StringBuilder s = new StringBuilder("COMP_WORDS=(");
        for (String w : words) {
            s.append('\'').append(w).append("' ");
        }
        String line = String.join(" ", words);
        s.append("); COMP_CWORD=").append(words.length - 1).append("; COMP_LINE='").append(line)
                .append("'; COMP_POINT=").append(line.length()).append("; COMPREPLY=(); _complete_dindex dindex '")
                .append(words[words.length - 1]).append("' '").append(words[words.length - 2]).append("'")
                .append("; echo \"[${COMPREPLY[*]}]\"\n");
        return s.toString();
    }

    @Test
    void bashCompletesCommandsOptionsAndValues() throws Exception {
        String script = Files.readString(bashScript);
        assertTrue(script.startsWith("#!/usr/bin/env bash\n# dindex completion for bash"), script.substring(0, 200));
        assertTrue(script.contains("complete -F _complete_dindex"), "registers the function for dindex");
        String out = shell(List.of("bash", "--norc", "--noprofile"),
                "source " + bashScript + "\ncompopt() { :; }\n"  // compopt works only inside a real completion
                        + complete("dindex", "se")
                        + complete("dindex", "")
                        + complete("dindex", "search", "--to")
                        + complete("dindex", "--color", "")
                        + complete("dindex", "completion", "")
                        + complete("dindex", "daemon", "st"));
        List<String> lines = out.lines().toList();
        assertEquals("[search]", lines.get(0));
        for (String command : List.of("daemon", "index", "search", "context", "import", "scrape", "jobs", "completion",
                "bench", "eval", "mcp")) {
            assertTrue(lines.get(1).matches(".*[\\[ ]" + command + "[ \\]].*"), command + " in " + lines.get(1));
        }
        assertEquals("[--top-k]", lines.get(2));
        assertEquals("[auto always never]", lines.get(3));
        assertEquals("[bash zsh]", lines.get(4));
        assertEquals("[start status stop]", lines.get(5).replace("stop status", "status stop"));
    }

    /**
     * zsh: the same script, which loads zsh's bashcompinit and registers the function with it. zsh runs bash
     * completion functions with KSH_ARRAYS on, as bashcompinit's wrapper does.
     */
    @Test
    void zshLoadsItThroughBashcompinit() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/zsh")) || Files.isExecutable(Path.of("/bin/zsh")),
                "zsh is installed (.ci/run installs it)");
        String script = Files.readString(zshScript);
        assertTrue(script.contains("# dindex completion for zsh"), script.substring(0, 300));
        assertTrue(script.contains("bashcompinit"), "the script enables zsh's bash completion");
        String out = shell(List.of("env", "HOME=" + root, "zsh", "-f"),
                "source " + zshScript + "\nprint -r -- \"registered: ${_comps[dindex]}\"\n"
                        + "compopt() { :; }\nsetopt ksharrays\n"
                        + complete("dindex", "--color", "")
                        + complete("dindex", "completion", ""));
        List<String> lines = out.lines().toList();
        assertTrue(lines.get(0).startsWith("registered: _bash_complete -F _complete_dindex"), out);
        assertEquals("[auto always never]", lines.get(1));
        assertEquals("[bash zsh]", lines.get(2));
    }

    @Test
    void anotherShellIsAUsageError() {
        Cli.Result fish = cli.run("completion", "fish");
        assertEquals(2, fish.exit(), fish.toString());
        assertTrue(fish.err().contains("bash, zsh"), fish.err());
    }
}
