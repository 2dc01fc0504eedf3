package org.dindex.platform;

import org.dindex.embed.ModelCatalog;
import org.dindex.embed.OnnxEmbedder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Background threads really run at a lower priority: read back from the kernel, not from our own bookkeeping. */
@EnabledOnOs(OS.LINUX)
class BackgroundPriorityTest {
    @AfterEach
    void restore() {
        BackgroundPriority.configure(BackgroundPriority.DEFAULT_NICE);
    }

    @Test
    void lowersOnlyTheCallingThread() throws Exception {
        assertTrue(BackgroundPriority.supported());
        BackgroundPriority.configure(7);
        int before = kernelNice(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        AtomicInteger seen = new AtomicInteger(-1);
        Thread t = Thread.ofPlatform().start(() -> {
            BackgroundPriority.lower();
            seen.set(kernelNice(tid()));
        });
        t.join();
        assertEquals(7, seen.get(), "nice value of a lowered thread, from /proc");
        assertEquals(before, kernelNice(tid()), "the calling thread of the test is untouched");
    }

    @Test
    void threadsStartedByALoweredThreadRunLowered() throws Exception {
        BackgroundPriority.configure(11);
        // A thread started by a lowered thread inherits its nice value (what the model's native threads rely on).
        int child = BackgroundPriority.createLowered("dindex-model", () -> {
            AtomicInteger n = new AtomicInteger(-1);
            Thread c = Thread.ofPlatform().start(() -> n.set(kernelNice(tid())));
            c.join();
            return n.get();
        });
        assertEquals(11, child);
    }

    @Test
    void theModelsNativeThreadsStartLowered() throws Exception {
        BackgroundPriority.configure(10);
        Set<String> before = tasks().keySet();
        // As the daemon does: load and first run on a lowered thread (ONNX Runtime and the tokenizer start some of
        // their threads lazily, on the first run).
        try (OnnxEmbedder model = BackgroundPriority.createLowered("dindex-model", () -> {
            OnnxEmbedder m = OnnxEmbedder.load(ModelCatalog.byName("all-minilm-l6-v2-q").orElseThrow(), 2);
            m.embedPassages(java.util.List.of("warm up the session's threads", "and the tokenizer's"));
            return m;
        })) {
            model.embedQuery("a query from a normal thread");
            Map<String, Integer> created = new HashMap<>(tasks());
            created.keySet().removeAll(before);
            created.keySet().removeIf(tid -> JVM_THREADS.matcher(comm(tid)).find());
            assertFalse(created.isEmpty(), "ONNX Runtime with 2 intra-op threads starts native threads of its own");
            assertTrue(created.keySet().stream().anyMatch(tid -> comm(tid).equals("dindex-model")),
                    "the model's native threads inherit the creating thread's name");
            created.forEach((tid, nice) -> assertEquals(10, nice, "new thread " + tid + " (" + comm(tid)
                    + ") should run at background priority"));
        }
    }

    @Test
    void aDaemonRunsItsBackgroundWorkLoweredAndItsSearchesNot() throws Exception {
        try (var daemon = org.dindex.support.EmbeddedDaemon.start(Map.of(), java.util.List.of());
             var dindex = new org.dindex.client.Dindex(new org.dindex.client.DindexPool(
                     new org.dindex.client.DindexPool.Options(daemon.paths.socket(), 2,
                             java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(60))))) {
            dindex.index(java.util.List.of(org.dindex.protocol.IndexDocument.text("mem://owls", "Owls",
                    "Owls hunt at night and can turn their heads almost all the way round.")), true);
            assertEquals("Owls", dindex.search(org.dindex.protocol.SearchQuery.of("night hunters"))
                    .results().getFirst().title());
            Map<String, Integer> byName = new HashMap<>();
            tasks().forEach((tid, nice) -> byName.merge(comm(tid), nice, Math::max));
            for (String background : new String[]{"dindex-index-wr", "dindex-embed-0", "dindex-ingest-0",
                    "dindex-model"}) {
                assertEquals(10, byName.get(background), background + " in " + byName);
            }
            // Started with the first index, never on demand by a background thread (whose nice they would inherit).
            assertTrue(byName.containsKey("dindex-segments"), "segment threads started up front: " + byName);
            byName.forEach((name, nice) -> {
                if (name.startsWith("dindex-search") || name.startsWith("dindex-embed-qu")
                        || name.startsWith("dindex-segments")
                        || name.startsWith("vert.x-eventlo")) {
                    assertEquals(0, nice, name + " serves searches and must keep its priority");
                }
            });
        }
    }

    /** Threads the JVM or test harness may start meanwhile, at whatever priority: not the model's. */
    private static final java.util.regex.Pattern JVM_THREADS = java.util.regex.Pattern.compile(
            "^(C[12] Compiler|GC |G1 |VM |Common-Cleaner|Attach|Signal|surefire|process reaper|Keep-Alive|JNA)");

    private static Map<String, Integer> tasks() throws Exception {
        Map<String, Integer> out = new HashMap<>();
        Set<String> seen = new HashSet<>();
        try (var list = Files.list(Path.of("/proc/self/task"))) {
            list.forEach(p -> seen.add(p.getFileName().toString()));
        }
        for (String tid : seen) {
            try {
                out.put(tid, kernelNice(tid));
            } catch (RuntimeException gone) {
                // the thread ended meanwhile
            }
        }
        return out;
    }

    private static String tid() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Field 19 of /proc/self/task/TID/stat. */
    private static int kernelNice(String tid) {
        try {
            String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[19 - 3]);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String comm(String tid) {
        try {
            return Files.readString(Path.of("/proc/self/task", tid, "comm")).trim();
        } catch (Exception e) {
            return "?";
        }
    }
}
