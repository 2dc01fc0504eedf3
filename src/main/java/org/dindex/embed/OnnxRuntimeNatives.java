package org.dindex.embed;

import org.dindex.platform.Mounts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Unpacks ONNX Runtime's native libraries once into a cache directory and points ONNX Runtime at them.
 *
 * <p><b>Why.</b> ONNX Runtime's own loader (1.28.0) copies its native libraries into a new
 * {@code /tmp/onnxruntime-java*} directory at every start and never removes it, whether the JVM exits normally or
 * not. Every daemon start, {@code dindex eval} and test run left a copy behind: a slow disk leak on the long-lived
 * machines a daemon lives on (docs/architecture.md, "Native libraries"). ONNX Runtime
 * loads from the directory named by the system property {@value #PROPERTY} instead when it is set, and then
 * extracts nothing; this class fills that directory once per ONNX Runtime build: under the data dir's
 * {@code cache} folder in the daemon (beside the tokenizer's library, so the daemon writes nowhere else), and under
 * {@code $XDG_CACHE_HOME/dindex} (default {@code ~/.cache/dindex}) for in-process tools such as benchmarks.
 *
 * <p>The directory is named after the libraries' size and CRC as recorded in the jar, so an upgrade gets a fresh one,
 * and it is filled in a private temporary directory then renamed into place, so concurrent starts never load a
 * half-written library. If the cache cannot be written, or the property is already set, ONNX Runtime is left to its
 * own loader: this saves disk, it never stops the model from loading. So is a cache on a {@code noexec} mount, where
 * a library could be written but not loaded.
 */
public final class OnnxRuntimeNatives {
    private static final Logger LOG = Logger.getLogger(OnnxRuntimeNatives.class.getName());

    /** ONNX Runtime's system property for a directory holding its native libraries. */
    public static final String PROPERTY = "onnxruntime.native.path";

    private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni");
    private static boolean prepared;

    private OnnxRuntimeNatives() {
    }

    /** {@link #prepare(Path)} in the user's cache folder, unless a cache was chosen already. */
    public static void prepare() {
        prepare(cacheRoot(System.getenv()));
    }

    /**
     * Points ONNX Runtime at a copy of its libraries under {@code root}, unpacking them first if needed; call before
     * the first use of any ONNX Runtime class. The first call wins; later ones do nothing.
     */
    public static synchronized void prepare(Path root) {
        if (prepared) {
            return;
        }
        prepared = true;
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        try {
            if (Mounts.noExec(root)) {
                LOG.info("ONNX Runtime unpacks its own native libraries (" + root + " is on a noexec mount)");
                return;
            }
            Path dir = unpack(root);
            if (dir != null) {
                System.setProperty(PROPERTY, dir.toString());
            }
        } catch (IOException | UncheckedIOException | SecurityException e) {
            LOG.info("ONNX Runtime unpacks its own native libraries (cache not usable: " + e.getMessage() + ")");
        }
    }

    /** {@code $XDG_CACHE_HOME/dindex}, else {@code $HOME/.cache/dindex}. */
    static Path cacheRoot(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "dindex");
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".cache", "dindex");
    }

    /**
     * Makes sure {@code root/onnxruntime-<platform>-<fingerprint>} holds this platform's libraries and returns it, or
     * null when this build carries no libraries for the platform (ONNX Runtime then reports that itself).
     */
    static Path unpack(Path root) throws IOException {
        String platform = platform();
        List<Library> libraries = new ArrayList<>();
        for (String name : LIBRARIES) {
            String file = System.mapLibraryName(name);
            URL url = OnnxRuntimeNatives.class.getResource("/ai/onnxruntime/native/" + platform + "/" + file);
            if (url == null) {
                return null;
            }
            libraries.add(new Library(file, url));
        }
        StringBuilder fingerprint = new StringBuilder();
        for (Library library : libraries) {
            fingerprint.append('-').append(library.fingerprint());
        }
        Path target = root.resolve("onnxruntime-" + platform + fingerprint);
        if (complete(target, libraries)) {
            return target;
        }
        Files.createDirectories(root);
        Path staging = Files.createTempDirectory(root, ".onnxruntime-");
        try {
            for (Library library : libraries) {
                try (InputStream in = library.url().openStream()) {
                    Files.copy(in, staging.resolve(library.file()));
                }
            }
            if (Files.isDirectory(target) && !complete(target, libraries)) {
                deleteTree(target); // damaged by hand: copies land by rename, so never half-written by us
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // another process renamed its complete copy first
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename within " + root, e);
            }
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
        }
        if (!complete(target, libraries)) {
            throw new IOException("unpacked libraries in " + target + " do not match the jar's");
        }
        return target;
    }

    private static boolean complete(Path dir, List<Library> libraries) throws IOException {
        for (Library library : libraries) {
            Path file = dir.resolve(library.file());
            if (!Files.isRegularFile(file) || Files.size(file) != library.size()) {
                return false;
            }
        }
        return true;
    }

    /** ONNX Runtime's name for this platform's resource folder, such as {@code linux-x64}. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osPart = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "osx"
                : os.contains("win") ? "win" : os;
        String archPart = arch.equals("amd64") || arch.equals("x86_64") ? "x64"
                : arch.equals("arm64") ? "aarch64" : arch;
        return osPart + "-" + archPart;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** One native library in the jar: its file name, where to read it, its size and a fingerprint of its bytes. */
    private record Library(String file, URL url, long size, long crc) {
        Library(String file, URL url) {
            this(file, url, sizeAndCrc(url));
        }

        private Library(String file, URL url, long[] sizeAndCrc) {
            this(file, url, sizeAndCrc[0], sizeAndCrc[1]);
        }

        String fingerprint() {
            return Long.toHexString(size) + Long.toHexString(crc);
        }

        /** From the jar's directory when the library is in a jar (the libraries are not read), else computed. */
        private static long[] sizeAndCrc(URL url) {
            try {
                URLConnection connection = url.openConnection();
                if (connection instanceof JarURLConnection jar && jar.getJarEntry().getCrc() != -1
                        && jar.getJarEntry().getSize() != -1) {
                    return new long[] {jar.getJarEntry().getSize(), jar.getJarEntry().getCrc()};
                }
                CRC32 crc = new CRC32();
                long size = 0;
                try (InputStream in = url.openStream()) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; size += n) {
                        crc.update(buffer, 0, n);
                    }
                }
                return new long[] {size, crc.getValue()};
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
