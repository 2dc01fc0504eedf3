package org.dindex.ops;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * LICENSE and NOTICE: NOTICE is what bin/notices makes from this build's list of bundled dependencies (so a new or
 * upgraded dependency fails here until NOTICE is regenerated), both jars carry both files, and the pom names the
 * licence.
 */
class NoticeTest {
    @Test
    void noticeIsCurrentForTheBundledDependencies() throws Exception {
        Path list = Path.of("target/bundled-dependencies.txt");
        assertTrue(Files.isRegularFile(list), list + " is written by the build (daemon/pom.xml, generate-resources)");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "bin/Notices.java", list.toString(), "LICENSE", "pom.xml")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String made = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertEquals(made, Files.readString(Path.of("NOTICE")),
                "NOTICE is out of date with the bundled dependencies: run bin/notices and commit NOTICE");
        // Every bundled artifact is named, with a licence.
        for (String line : Files.readAllLines(list)) {
            String[] parts = line.strip().split(":");
            if (parts.length >= 5 && line.startsWith("   ")) {
                String coordinates = parts[0] + ":" + parts[1];
                assertTrue(made.contains("\n- " + coordinates + " "), coordinates + " in NOTICE");
            }
        }
        assertTrue(!made.contains("no licence declared"), "every bundled component declares a licence");
    }

    @Test
    void licenceIsApache2AndNamedByThePom() throws Exception {
        String license = Files.readString(Path.of("LICENSE"));
        assertTrue(license.contains("Apache License") && license.contains("Version 2.0, January 2004"));
        assertTrue(license.strip().endsWith("limitations under the License."), "the full text, appendix included");
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(pom.contains("<licenses>") && pom.contains("<name>Apache-2.0</name>"), "the pom's <licenses>");
    }

    @Test
    void theThinCliJarCarriesLicenceAndNotice() throws Exception {
        try (ZipFile jar = new ZipFile("cli/target/dindex-cli.jar")) {
            for (String name : List.of("LICENSE", "NOTICE")) {
                String inJar = new String(jar.getInputStream(jar.getEntry("META-INF/" + name)).readAllBytes(),
                        StandardCharsets.UTF_8);
                assertEquals(Files.readString(Path.of(name)), inJar, "META-INF/" + name + " of dindex-cli.jar");
            }
        }
    }
}
