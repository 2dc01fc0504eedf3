package org.dindex.daemon;

import io.vertx.core.Future;
import org.dindex.config.RuntimePaths;
import org.dindex.config.StartupException;
import org.dindex.config.DaemonConfig;
import org.dindex.platform.PrivateFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The daemon as a process: logging set up, daemon started, SIGTERM/SIGINT wired to the graceful stop, and the
 * calling thread parked until the daemon stops. Used by {@code dindex daemon start --foreground} and by the detached
 * child that {@code dindex daemon start} spawns.
 */
public final class DaemonProcess {
    private DaemonProcess() {
    }

    /**
     * @param detached log to rotated files in the data dir instead of stderr
     * @return the process exit code
     */
    public static int run(RuntimePaths paths, DaemonConfig config, boolean detached, PrintStream err) {
        PrivateFiles.restrictNewFiles();  // before the first log file: everything the daemon writes is private
        try {
            Logging.configure(config, detached ? paths.logDir() : null);
        } catch (IOException e) {
            err.println("dindex: cannot open log folder " + paths.logDir() + ": " + e.getMessage());
            return 1;
        }
        Daemon daemon;
        try {
            daemon = Daemon.start(new DaemonOptions(paths, config, List.of(), true));
        } catch (StartupException e) {
            err.println("dindex: " + e.getMessage());
            return 1;
        }
        Thread hook = new Thread(() -> awaitStop(daemon.stop("signal"), config.shutdownTimeout().toMillis() + 1000),
                "dindex-signal-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        if (!detached) {
            err.println("dindex daemon running (pid " + ProcessHandle.current().pid() + ", socket " + paths.socket()
                    + "); Ctrl-C stops it");
        }
        awaitStop(daemon.stopped(), Long.MAX_VALUE);
        return 0;
    }

    private static void awaitStop(Future<Void> future, long millis) {
        try {
            future.toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // The stop deadline handles overruns; nothing more to do here.
        }
    }
}
