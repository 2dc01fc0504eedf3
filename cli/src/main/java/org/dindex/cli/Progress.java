package org.dindex.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress on stderr: a redrawn bar when stderr is a terminal, a plain line every few seconds otherwise, nothing in
 * {@code --json} mode. Respects {@code NO_COLOR} (the bar uses no colour anyway) and never writes to stdout.
 */
public final class Progress {
    private final PrintStream err;
    private final boolean terminal;
    private final boolean quiet;
    private final long startNanos = System.nanoTime();
    private long lastDraw;
    private boolean drewFinal;

    public Progress(PrintStream err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
        this.terminal = isTerminal();
    }

    static boolean isTerminal() {
        var console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) console.getClass().getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    /** Redraws at most 10 times a second on a terminal, every 5 s otherwise. */
    public void update(long done, long total, long chunks) {
        if (quiet || (!terminal && done == 0) || drewFinal) {
            return;
        }
        drewFinal = done >= total;
        long now = System.nanoTime();
        long every = terminal ? 100_000_000L : 5_000_000_000L;
        if (now - lastDraw < every && done < total) {
            return;
        }
        lastDraw = now;
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        double rate = chunks / seconds;
        String eta = done == 0 || done >= total ? "-" : StatusPrinter.human(Duration.ofSeconds(
                (long) (seconds / done * (total - done))));
        String stats = String.format("%d/%d documents, %d chunks, %.1f chunks/s, ETA %s", done, total, chunks, rate,
                eta);
        if (terminal) {
            int width = 24;
            int filled = total == 0 ? width : (int) (width * done / total);
            err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + stats + "\u001b[K");
            err.flush();
        } else {
            err.println("dindex: " + stats);
        }
    }

    public void finish() {
        if (!quiet && terminal) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
