package org.dindex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/find-java}, which {@code bin/dindex} and {@code bin/test} use to pick a JDK. */
class LauncherScriptTest {
    record Run(int exit, String out, String err) {
    }

    static Run findJava(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "bin/find-java");
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
