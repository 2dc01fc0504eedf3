package org.dindex.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConfigDocsTest {
    @Test
    void configurationReferenceIsUpToDate() throws Exception {
        assertEquals(ConfigDocs.render(), Files.readString(Path.of("docs/configuration.md")),
                "docs/configuration.md is stale: regenerate it with"
                        + " java -cp target/classes org.dindex.config.ConfigDocs > docs/configuration.md");
    }
}
