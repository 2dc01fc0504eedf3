package org.dindex.embed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ONNX Runtime's native libraries are unpacked once into the user's cache, not into a new temporary directory at
 * every start (which ONNX Runtime's own loader never removes).
 */
class OnnxRuntimeNativesTest {

    @Test
    void unpacksOnceAndReusesTheCopy(@TempDir Path cache) throws IOException {
        Path dir = OnnxRuntimeNatives.unpack(cache);
        assertNotNull(dir, "this build carries ONNX Runtime's libraries for " + OnnxRuntimeNatives.platform());
        String lib = System.mapLibraryName("onnxruntime");
        try (InputStream in = getClass().getResourceAsStream(
                "/ai/onnxruntime/native/" + OnnxRuntimeNatives.platform() + "/" + lib)) {
            assertArrayEquals(in.readAllBytes(), Files.readAllBytes(dir.resolve(lib)));
        }
        FileTime written = Files.getLastModifiedTime(dir.resolve(lib));
        assertEquals(dir, OnnxRuntimeNatives.unpack(cache));
        assertEquals(written, Files.getLastModifiedTime(dir.resolve(lib)), "the second start reuses the copy");
        try (Stream<Path> entries = Files.list(cache)) {
            assertEquals(List.of(dir), entries.toList(), "no staging directory is left behind");
        }
    }

    @Test
    void aDamagedCopyIsReplaced(@TempDir Path cache) throws IOException {
        Path dir = OnnxRuntimeNatives.unpack(cache);
        Path lib = dir.resolve(System.mapLibraryName("onnxruntime"));
        long size = Files.size(lib);
        Files.write(lib, new byte[100]);
        assertEquals(dir, OnnxRuntimeNatives.unpack(cache));
        assertEquals(size, Files.size(lib));
    }

    @Test
    void cacheFollowsXdgThenHome() {
        assertEquals(Path.of("/x/dindex"), OnnxRuntimeNatives.cacheRoot(Map.of("XDG_CACHE_HOME", "/x", "HOME", "/h")));
        assertEquals(Path.of("/h/.cache/dindex"), OnnxRuntimeNatives.cacheRoot(Map.of("HOME", "/h")));
    }

    /** A real JVM loads the model and embeds with a private temporary folder: nothing is left in it. */
    @Test
    void loadingTheModelLeavesNothingInTheTemporaryFolder(@TempDir Path root) throws Exception {
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        Path cache = root.resolve("cache");
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp, "-cp",
                System.getProperty("java.class.path"), EmbedOnce.class.getName())
                .redirectErrorStream(true);
        pb.environment().put("XDG_CACHE_HOME", cache.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("dimensions 384"), out);
        try (Stream<Path> left = Files.list(tmp)) {
            List<String> names = left.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("onnxruntime")).toList();
            assertEquals(List.of(), names, "ONNX Runtime unpacked into the temporary folder");
        }
        try (Stream<Path> cached = Files.list(cache.resolve("dindex"))) {
            assertEquals(1, cached.filter(d -> d.getFileName().toString().startsWith("onnxruntime-")).count());
        }
    }

    /** Loads the bundled model in a fresh JVM and embeds one sentence. */
    public static final class EmbedOnce {
        public static void main(String[] args) {
            try (OnnxEmbedder embedder = OnnxEmbedder.load(
                    ModelCatalog.byName("all-minilm-l6-v2-q").orElseThrow(), 1)) {
                System.out.println("dimensions " + embedder.embedPassages(List.of("hello world")).get(0).length);
            }
        }
    }
}
