package org.dindex.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * A Linux memory cgroup with a limit, for running a daemon process under the memory a container or a small machine
 * would give it. Its charge counts the process's heap and native memory and the page cache it brings in (the mapped
 * index files), so at the limit the kernel drops cached pages of the index rather than failing: what the benchmark
 * then measures is how searches fare when the index no longer fits in memory. Needs root and a cgroup file system;
 * cgroup v2 (unified) and v1 (the memory controller's own hierarchy) are both handled.
 */
final class MemoryLimit implements AutoCloseable {
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final Path group;
    private final boolean v2;

    private MemoryLimit(Path group, boolean v2) {
        this.group = group;
        this.v2 = v2;
    }

    /** Creates a group limited to {@code bytes}; fails with the reason when this machine has no usable one. */
    static MemoryLimit create(long bytes) throws IOException {
        String name = "dindex-bench-" + ProcessHandle.current().pid();
        Path controllers = ROOT.resolve("cgroup.controllers");
        if (Files.isRegularFile(controllers) && Files.readString(controllers).contains("memory")) {
            Path group = ROOT.resolve(name);
            Files.createDirectories(group);
            Files.writeString(group.resolve("memory.max"), Long.toString(bytes));
            Files.writeString(group.resolve("memory.swap.max"), "0");
            return new MemoryLimit(group, true);
        }
        Path v1 = ROOT.resolve("memory");
        if (Files.isDirectory(v1) && Files.isRegularFile(v1.resolve("memory.limit_in_bytes"))) {
            Path group = v1.resolve(name);
            Files.createDirectories(group);
            Files.writeString(group.resolve("memory.limit_in_bytes"), Long.toString(bytes));
            // Move what the process already charged (anonymous and mapped file pages) along with it, where the kernel
            // still can (newer kernels refuse the setting: pages charged before the move then stay outside the limit
            // until they are reclaimed or touched again, which the searches after the move do).
            try {
                Files.writeString(group.resolve("memory.move_charge_at_immigrate"), "3");
            } catch (IOException refused) {
                // charges stay where they were made
            }
            return new MemoryLimit(group, false);
        }
        throw new IOException("no memory cgroup to use under " + ROOT + " (needs Linux cgroups and root)");
    }

    /** Drops the clean page cache (best effort: needs root), so that a daemon started next reads its index from disk. */
    static void dropPageCache() {
        try {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
        } catch (IOException notRoot) {
            // pages stay cached
        }
    }

    /**
     * Runs {@code start} with this process inside the group, so that what it spawns (the daemon) is born there and
     * every page it touches, its index's mapped pages included, is charged to the group; then moves this process back.
     * The page cache is dropped first (best effort): pages cached by earlier runs stay charged to whoever read them.
     */
    <T> T spawnInside(Callable<T> start) throws Exception {
        dropPageCache(); // else the index's pages may already be cached outside the group

        long self = ProcessHandle.current().pid();
        Path home = ownGroup();
        add(self);
        try {
            return start.call();
        } finally {
            Files.writeString(home.resolve("cgroup.procs"), Long.toString(self));
        }
    }

    /** This process's memory cgroup folder now. */
    private Path ownGroup() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (v2 && parts[0].equals("0")) {
                return ROOT.resolve(parts[2].substring(1));
            }
            if (!v2 && Arrays.asList(parts[1].split(",")).contains("memory")) {
                return ROOT.resolve("memory").resolve(parts[2].substring(1));
            }
        }
        throw new IOException("cannot tell this process's memory cgroup from /proc/self/cgroup");
    }

    /** Moves a running process into the group. */
    void add(long pid) throws IOException {
        Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
    }

    /** The group's peak charge, or -1 when the kernel does not keep one. */
    long peakBytes() {
        try {
            Path peak = group.resolve(v2 ? "memory.peak" : "memory.max_usage_in_bytes");
            return Files.isRegularFile(peak) ? Long.parseLong(Files.readString(peak).trim()) : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Removes the group; its processes must have ended. */
    @Override
    public void close() throws IOException {
        Files.deleteIfExists(group);
    }
}
