package org.dindex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/find-java}, which {@code bin/dindex} and {@code bin/test} use to pick a JDK. */
class LauncherScriptTest {
    record Run(int exit, String out, String err) {
    }

    static Run findJava(Map<String, String> env, String... args) throws Exception {
        return script("bin/find-java", env, args);
    }

    /** Runs one of bin/'s scripts with bash, without JAVA_HOME unless {@code env} sets it. */
    private static Run script(String script, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", script));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }

    @Test
    void javaHomeThatIsNewEnoughWins() throws Exception {
        String current = System.getProperty("java.home");
        Run r = findJava(Map.of("JAVA_HOME", current));
        assertEquals(0, r.exit(), r.err());
        assertEquals(current, r.out());
    }

    @Test
    void tooOldJavaHomeFallsBackToTheSystemJvmFolder(@TempDir Path jvms) throws Exception {
        Path old = fakeJdk(jvms.resolve("jdk-17"), "17");
        Path newer = fakeJdk(jvms.resolve("jdk-25"), "25");
        fakeJdk(jvms.resolve("jdk-21"), "21");
        Run r = findJava(Map.of("JAVA_HOME", old.toString(), "DINDEX_JVM_DIR", jvms.toString()));
        assertEquals(0, r.exit(), r.err());
        assertEquals(newer.toString(), r.out(), "the newest JDK >= 21");
    }

    @Test
    void noSuitableJdkSaysWhatToInstall(@TempDir Path jvms) throws Exception {
        Path old = fakeJdk(jvms.resolve("jdk-17"), "17");
        Run r = findJava(Map.of("JAVA_HOME", old.toString(), "DINDEX_JVM_DIR", jvms.toString()));
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("needs a JDK 21 or newer"), r.err());
        assertTrue(r.err().contains("apt-get install"), r.err());
    }

    /**
     * Running needs only a Java runtime, read from its {@code release} file without starting it; building needs a
     * JDK. A JRE 25 beside a JDK 21: the runtime picks the JRE, a build the JDK.
     */
    @Test
    void aJreRunsTheJarsAndAJdkBuildsThem(@TempDir Path jvms) throws Exception {
        Path jre = jvms.resolve("jre-25");
        Files.createDirectories(jre.resolve("bin"));
        Files.writeString(jre.resolve("bin/java"), "#!/bin/sh\nexit 1\n");  // never run: the release file says it
        jre.resolve("bin/java").toFile().setExecutable(true);
        Files.writeString(jre.resolve("release"), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.3\"\n");
        Path jdk = fakeJdk(jvms.resolve("jdk-21"), "21");
        Run runtime = findJava(Map.of("DINDEX_JVM_DIR", jvms.toString()), "--runtime");
        assertEquals(0, runtime.exit(), runtime.err());
        assertEquals(jre.toString(), runtime.out());
        Run build = findJava(Map.of("DINDEX_JVM_DIR", jvms.toString()));
        assertEquals(jdk.toString(), build.out(), "a build needs javac");
        Run none = findJava(Map.of("DINDEX_JVM_DIR", jvms.resolve("none").toString()), "--runtime");
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("needs a Java runtime (JRE or JDK) 21 or newer"), none.err());
    }

    /**
     * {@code bin/dindex} remembers the runtime it chose, so a command starts no extra process to find one; a
     * remembered runtime that is gone is chosen again.
     */
    @Test
    void theLauncherRemembersItsRuntime(@TempDir Path jvms) throws Exception {
        Path remembered = Path.of("cli/target/java-home");
        String before = Files.exists(remembered) ? Files.readString(remembered) : null;
        try {
            Files.writeString(remembered, System.getProperty("java.home") + "\n");
            Map<String, String> noRuntimeToFind = Map.of("DINDEX_JVM_DIR", jvms.toString());
            Run known = launcher(noRuntimeToFind, "--version");
            assertEquals(0, known.exit(), known.err());
            assertTrue(known.out().startsWith("dindex "), known.out());

            Files.writeString(remembered, jvms.resolve("uninstalled") + "\n");
            Run gone = launcher(noRuntimeToFind, "--version");
            assertEquals(1, gone.exit(), gone.toString());
            assertTrue(gone.err().contains("needs a Java runtime (JRE or JDK) 21 or newer"), gone.err());

            Run found = launcher(Map.of(), "--version");
            assertEquals(0, found.exit(), found.err());
            assertEquals(System.getProperty("java.home"), Files.readString(remembered).strip(),
                    "the runtime found again is remembered");
        } finally {
            if (before != null) {
                Files.writeString(remembered, before);
            } else {
                Files.deleteIfExists(remembered);
            }
        }
    }

    private static Run launcher(Map<String, String> env, String... args) throws Exception {
        return script("bin/dindex", env, args);
    }

    /** A JDK home whose java reports {@code version} like a real one does. */
    private static Path fakeJdk(Path home, String version) throws Exception {
        Files.createDirectories(home.resolve("bin"));
        Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho '    java.specification.version = " + version + "' >&2\n");
        Path javac = home.resolve("bin/javac");
        Files.writeString(javac, "#!/bin/sh\n");
        java.toFile().setExecutable(true);
        javac.toFile().setExecutable(true);
        return home;
    }
}
