package org.dindex.ops;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@code target/dindex.jar} holds, read from the jar the build just packaged (the daemon's tests run after
 * {@code package}): Linux natives only, of the one architecture its manifest names (Dindex-Arch: x86_64 or
 * aarch64, the build's dindex.arch); Hazelcast in dindex-cluster.jar beside it; no debug symbols; one Jackson; no unused modules;
 * the bundled models; the licence files; and a size budget. Each check names the entries that break it, so a
 * dependency upgrade that brings back a macOS library or Jackson 3 fails here with its path.
 */
class JarContentTest {
    static final Path JAR = Path.of("target/dindex.jar");
    /** Hazelcast and Vert.x's cluster manager, beside the daemon jar; only clustering loads them. */
    static final Path CLUSTER_JAR = Path.of("target/dindex-cluster.jar");

    /**
     * The jar's budget, issue 22's 90 MB with both models: 88.3 MB for x86_64, 87.0 MB for aarch64
     * (docs/architecture.md has the parts). It holds one architecture's natives and no Hazelcast (dindex-cluster.jar).
     */
    static final long MAX_BYTES = 90_000_000L;

    static List<String> names;
    static List<String> clusterNames;
    /** The architecture the jar is for, from its manifest: x86_64 or aarch64. */
    static String arch;

    @BeforeAll
    static void read() throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is packaged before the daemon's tests run (daemon/pom.xml)");
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR.toFile())) {
            names = jar.stream().map(ZipEntry::getName).toList();
            arch = jar.getManifest().getMainAttributes().getValue("Dindex-Arch");
        }
        assertTrue(List.of("x86_64", "aarch64").contains(arch), "Dindex-Arch in the manifest: " + arch);
        assertTrue(Files.isRegularFile(CLUSTER_JAR), CLUSTER_JAR + " is packaged beside " + JAR);
        try (ZipFile jar = new ZipFile(CLUSTER_JAR.toFile())) {
            clusterNames = jar.stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void hazelcastIsInTheClusterJarWhichTheManifestNames() throws IOException {
        List<String> hazelcast = names.stream().filter(n -> n.startsWith("com/hazelcast/")
                || n.startsWith("io/vertx/spi/cluster/hazelcast/") || n.startsWith("META-INF/maven/com.hazelcast/"))
                .limit(10).toList();
        assertEquals(List.of(), hazelcast, "Hazelcast in the daemon jar");
        for (String expected : List.of("com/hazelcast/core/Hazelcast.class", "com/hazelcast/config/Config.class",
                "io/vertx/spi/cluster/hazelcast/HazelcastClusterManager.class", "default-cluster.xml")) {
            assertTrue(clusterNames.contains(expected), expected + " is in " + CLUSTER_JAR);
        }
        List<String> other = clusterNames.stream().filter(n -> n.endsWith(".class")
                && !n.startsWith("com/hazelcast/") && !n.startsWith("io/vertx/spi/cluster/hazelcast/")
                && !n.startsWith("META-INF/versions/")).limit(10).toList();
        assertEquals(List.of(), other, "classes other than Hazelcast's in " + CLUSTER_JAR);
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR.toFile())) {
            assertEquals("dindex-cluster.jar dindex-bench.jar", jar.getManifest().getMainAttributes()
                    .getValue("Class-Path"), "the daemon jar's manifest puts the cluster and bench jars beside it on"
                    + " the class path");
        }
    }

    /** The benchmarks and the evaluation are not in the daemon jar: they come with dindex-bench.jar. */
    @Test
    void benchmarksAreNotInTheDaemonJar() {
        List<String> bench = names.stream().filter(n -> n.startsWith("org/dindex/bench/")).limit(5).toList();
        assertEquals(List.of(), bench, "benchmark classes in " + JAR);
    }

    /** Native code: shared and static libraries of any platform. */
    static final Pattern NATIVE = Pattern.compile(".*\\.(so(\\.[0-9.]+)?|dylib|jnilib|dll|a|lib)$");
    /** A path that names Linux's 64-bit x86 (ONNX Runtime: linux-x64; DJL: linux-x86_64; JNA: linux-x86-64). */
    static final Pattern X86_64 = Pattern.compile(".*(x86[_-]64|x64|amd64).*");
    /** A path that names 64-bit ARM. */
    static final Pattern AARCH64 = Pattern.compile(".*(aarch64|arm64).*");
    /** A path that names another OS or architecture. */
    static final Pattern OTHER_PLATFORM = Pattern.compile(
            "(?i).*(osx|darwin|macos|win32|win64|win-|windows|freebsd|openbsd|dragonfly|sunos|solaris|aix|android"
                    + "|ppc|s390|riscv|loongarch|mips|armel|armv7|linux-x86/|linux-arm/|i386|i686).*");

    @Test
    void nativeLibrariesAreForLinuxOnTheJarsArchitectureOnly() {
        Pattern mine = arch.equals("x86_64") ? X86_64 : AARCH64;
        Pattern theirs = arch.equals("x86_64") ? AARCH64 : X86_64;
        List<String> natives = names.stream().filter(n -> NATIVE.matcher(n).matches()).toList();
        List<String> wrong = natives.stream()
                .filter(n -> !n.endsWith(".so") && !n.matches(".*\\.so\\.[0-9.]+")
                        || !mine.matcher(n).matches() || theirs.matcher(n).matches()
                        || OTHER_PLATFORM.matcher(n).matches())
                .toList();
        assertEquals(List.of(), wrong, "native libraries for another platform than Linux " + arch);
        List<String> otherArch = names.stream().filter(n -> !n.endsWith("/") && !n.endsWith(".class"))
                .filter(n -> theirs.matcher(n).matches()).limit(20).toList();
        assertEquals(List.of(), otherArch, "entries of the other architecture than " + arch);
        // Files in other platforms' native folders, whatever they are called (JNA's com/sun/jna/win32/ is a Java
        // package: classes are fine).
        List<String> folders = names.stream()
                .filter(n -> n.startsWith("ai/onnxruntime/native/") || n.startsWith("native/lib/")
                        || n.startsWith("com/sun/jna/") || n.startsWith("lib/") || n.startsWith("META-INF/native/"))
                .filter(n -> !n.endsWith("/") && !n.endsWith(".class"))
                .filter(n -> OTHER_PLATFORM.matcher(n).matches())
                .limit(20).toList();
        assertEquals(List.of(), folders, "entries of another platform's native folder");
    }

    @Test
    void theArchitectureKeepsItsModelRuntimeAndTokenizer() {
        String onnx = "ai/onnxruntime/native/linux-" + (arch.equals("x86_64") ? "x64" : "aarch64") + "/";
        for (String expected : List.of(onnx + "libonnxruntime.so", onnx + "libonnxruntime4j_jni.so",
                "native/lib/linux-" + arch + "/cpu/libtokenizers.so", "native/lib/tokenizers.properties",
                "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json",
                "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json")) {
            assertTrue(names.contains(expected), expected + " is in the jar");
        }
    }

    @Test
    void noDebugSymbols() {
        List<String> debug = names.stream()
                .filter(n -> n.contains(".dSYM/") || n.endsWith(".dSYM") || n.matches(".*\\.(pdb|debug|dbg|sym)$"))
                .limit(20).toList();
        assertEquals(List.of(), debug, "debug-symbol files");
    }

    @Test
    void oneJackson() throws IOException {
        List<String> jackson3 = names.stream().filter(n -> n.startsWith("tools/jackson/")).limit(10).toList();
        assertEquals(List.of(), jackson3, "Jackson 3 (tools.jackson) beside Jackson 2");
        // Jackson 2's modules, all of one release (jackson-annotations is versioned without the patch number).
        // Hazelcast's relocated copies (com/hazelcast/shaded/com/fasterxml/, with their pom.properties) are its own.
        TreeSet<String> releases = new TreeSet<>();
        List<String> modules = new ArrayList<>();
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            for (String n : names) {
                if ((n.startsWith("META-INF/maven/com.fasterxml.jackson.core/")
                        || n.startsWith("META-INF/maven/com.fasterxml.jackson.dataformat/"))
                        && n.endsWith("/pom.properties")) {
                    Properties p = new Properties();
                    try (InputStream in = jar.getInputStream(jar.getEntry(n))) {
                        p.load(in);
                    }
                    String[] v = p.getProperty("version").split("\\.");
                    releases.add(v[0] + "." + v[1]);
                    modules.add(p.getProperty("artifactId") + " " + p.getProperty("version"));
                }
            }
        }
        assertTrue(modules.size() >= 4, "Jackson's core, annotations, databind and YAML: " + modules);
        assertEquals(1, releases.size(), "one Jackson release: " + modules);
        assertTrue(names.contains("com/fasterxml/jackson/databind/ObjectMapper.class"), "Jackson 2's databind");
    }

    @Test
    void noUnusedModules() {
        // Declared and never imported until issue 22; the protobuf exposition format /metrics never serves.
        List<String> unused = names.stream()
                .filter(n -> n.startsWith("org/apache/lucene/queryparser/") || n.startsWith("org/apache/lucene/search"
                        + "/highlight/") || n.startsWith("org/apache/lucene/sandbox/")
                        || n.startsWith("io/prometheus/metrics/shaded/"))
                .limit(10).toList();
        assertEquals(List.of(), unused, "modules dindex does not use");
    }

    /**
     * The shade filters that cut libraries down (Lucene's analysers, commons-math3, Hazelcast's schemas) leave what
     * is used: every service provider the jar declares is in it (a dropped one fails ServiceLoader when anything
     * iterates the service), and Hazelcast keeps the XML and YAML schemas of its own release, which it validates its
     * configuration against.
     */
    @Test
    void filteredLibrariesKeepWhatTheyLoad() throws IOException {
        List<String> missing = new ArrayList<>();
        List<String> all = new ArrayList<>(names);
        all.addAll(clusterNames);
        java.util.Set<String> both = new java.util.HashSet<>(all);
        for (Path path : List.of(JAR, CLUSTER_JAR)) {
            try (ZipFile jar = new ZipFile(path.toFile())) {
                for (ZipEntry e : jar.stream().toList()) {
                    String n = e.getName();
                    if (n.startsWith("META-INF/services/") && !n.endsWith("/")) {
                        String text = new String(jar.getInputStream(e).readAllBytes(),
                                java.nio.charset.StandardCharsets.UTF_8);
                        for (String line : text.split("\n")) {
                            String provider = line.replaceFirst("#.*", "").strip();
                            if (!provider.isEmpty() && !both.contains(provider.replace('.', '/') + ".class")) {
                                missing.add(path.getFileName() + " " + n + ": " + provider);
                            }
                        }
                    }
                }
            }
        }
        try (ZipFile jar = new ZipFile(CLUSTER_JAR.toFile())) {
            Properties hazelcast = new Properties();
            try (InputStream in = jar.getInputStream(
                    jar.getEntry("META-INF/maven/com.hazelcast/hazelcast/pom.properties"))) {
                hazelcast.load(in);
            }
            String[] v = hazelcast.getProperty("version").split("\\.");
            for (String schema : List.of("hazelcast-config-" + v[0] + "." + v[1] + ".xsd",
                    "hazelcast-config-" + v[0] + "." + v[1] + ".json")) {
                assertTrue(clusterNames.contains(schema), schema + " (Hazelcast " + hazelcast.getProperty("version")
                        + ")");
            }
        }
        assertEquals(List.of(), missing, "service providers absent from the jars");
        assertTrue(names.contains("org/apache/commons/math3/stat/StatUtils.class"), "jvector's StatUtils");
        assertTrue(names.contains("org/apache/lucene/analysis/en/EnglishAnalyzer.class"), "the BM25 analyser");
    }

    @Test
    void licenceAndNoticeAreInTheJar() throws IOException {
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            String license = new String(jar.getInputStream(jar.getEntry("META-INF/LICENSE")).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(Files.readString(Path.of("LICENSE")), license, "the project's LICENSE");
            String notice = new String(jar.getInputStream(jar.getEntry("META-INF/NOTICE")).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(Files.readString(Path.of("NOTICE")), notice, "the project's NOTICE");
        }
    }

    @Test
    void withinTheSizeBudget() throws IOException {
        long size = Files.size(JAR);
        assertTrue(size <= MAX_BYTES, JAR + " is " + size + " bytes, over the budget of " + MAX_BYTES);
    }
}
