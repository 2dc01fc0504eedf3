package org.dindex.daemon;

import org.dindex.embed.OnnxRuntimeNatives;
import org.dindex.platform.Mounts;

import java.nio.file.Path;

/**
 * The tokenizer's and ONNX Runtime's native libraries and pdfbox's font cache go under the data dir unless the user
 * chose a place: the daemon then writes nowhere else (read-only root file systems in containers stay happy).
 */
final class DataDirCaches {
    private DataDirCaches() {
    }

    static void use(Path dataDir) {
        OnnxRuntimeNatives.prepare(dataDir.resolve("cache"));
        if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null
                && !Mounts.noExec(dataDir)) {  // else DJL's own default, ~/.djl.ai
            System.setProperty("DJL_CACHE_DIR", dataDir.resolve("cache").resolve("djl").toString());
        }
        if (System.getProperty("pdfbox.fontcache") == null) {
            System.setProperty("pdfbox.fontcache", dataDir.resolve("cache").toString());
        }
    }
}
