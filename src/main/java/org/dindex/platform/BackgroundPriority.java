package org.dindex.platform;

import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.logging.Logger;

/**
 * Gives background threads (embedding of ingest batches and the model's own threads, chunking, index writes, vector
 * graph inserts, Lucene merges, dump parsing) a lower CPU priority than searches: a Linux nice value, per thread.
 *
 * <p><b>Why.</b> The daemon's promise is search while importing. On a small machine an import keeps every core busy
 * (the model alone takes them all), and a search then waits for CPU like any other thread: its tail grows with the
 * ingest's load (docs/benchmarks.md, {@code bench search}). With the background at nice 10 the kernel's scheduler gives
 * a runnable search thread about ten times the share of a background one, and idle cores still go to the background, so
 * an import alone runs as fast as before. Java's thread priorities do nothing on Linux, hence a call to
 * {@code setpriority(2)} through the foreign function API (on Linux, unlike POSIX, the nice value is per thread, and a
 * new thread inherits its creator's: the model's thread pool is created from a lowered thread for that reason).
 *
 * <p>Lowering one's own priority needs no privilege. Elsewhere than Linux, or if the call fails, nothing changes
 * (logged once). {@link #configure} sets the nice value once at daemon start ({@code daemon.background_nice}; 0
 * turns this off).
 */
public final class BackgroundPriority {
    private static final Logger LOG = Logger.getLogger(BackgroundPriority.class.getName());
    private static final int PRIO_PROCESS = 0;

    /** The default nice value of background threads. */
    public static final int DEFAULT_NICE = 10;

    private static final MethodHandle SETPRIORITY;
    private static final MethodHandle GETTID;
    private static volatile int nice = DEFAULT_NICE;
    private static final ThreadLocal<Integer> APPLIED = new ThreadLocal<>();
    private static volatile boolean warned;

    static {
        MethodHandle set = null;
        MethodHandle tid = null;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            try {
                set = NativeCalls.intFunction("setpriority", 3);
                tid = NativeCalls.intFunction("gettid", 0);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                LOG.info("background threads keep their priority (no foreign function access: " + e + ")");
                set = null;
            }
        }
        SETPRIORITY = set;
        GETTID = tid;
    }

    private BackgroundPriority() {
    }

    /** Sets the nice value background threads take from now on (0-19; 0 leaves them at normal priority). */
    public static void configure(int niceValue) {
        if (niceValue < 0 || niceValue > 19) {
            throw new IllegalArgumentException("nice value must be 0-19, got " + niceValue);
        }
        nice = niceValue;
    }

    /** Whether this platform can lower a thread's priority. */
    public static boolean supported() {
        return SETPRIORITY != null;
    }

    /**
     * Lowers the calling thread to the configured nice value. Cheap after the first call on a thread (nothing is done
     * again unless the configured value changed), so background tasks call it at their start.
     */
    public static void lower() {
        int target = nice;
        Integer applied = APPLIED.get();
        if (SETPRIORITY == null || (applied != null && applied == target) || (applied == null && target == 0)) {
            return;
        }
        try {
            int rc = (int) SETPRIORITY.invokeExact(PRIO_PROCESS, (int) GETTID.invokeExact(), target);
            if (rc != 0 && !warned) {
                warned = true;
                LOG.info("could not lower the priority of background threads (setpriority returned " + rc + ")");
            }
        } catch (Throwable e) {
            if (!warned) {
                warned = true;
                LOG.info("could not lower the priority of background threads: " + e);
            }
        }
        APPLIED.set(target);
    }

    /**
     * Runs {@code task} on a new thread named {@code name} at background priority and waits for it: for objects that
     * start native threads of their own, which inherit both the priority and the name (so {@code top -H} shows
     * them under it).
     */
    public static <T> T createLowered(String name, Callable<T> task) throws Exception {
        FutureTask<T> run = new FutureTask<>(() -> {
            lower();
            return task.call();
        });
        Thread.ofPlatform().name(name).start(run);
        try {
            return run.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }
}
