package org.dindex.cli;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.client.Dindex;
import org.dindex.client.DindexClient;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Watches one job until it ends: registers on its progress stream, then takes a snapshot (so no event is missed),
 * draws a progress line on stderr, prints per-item events (a scrape's per-URL log) and returns the final job.
 */
final class JobFollower {
    private final Dindex dindex;
    /** The connection {@code dindex} is over: the progress stream arrives on it. */
    private final DindexClient client;
    private final PrintStream err;
    private final boolean quiet;
    private final boolean terminal = Progress.isTerminal();
    private long lastDraw;
    private boolean lineOpen;

    JobFollower(Dindex dindex, PrintStream err, boolean quiet) {
        this.dindex = dindex;
        this.client = dindex.connection();
        this.err = err;
        this.quiet = quiet;
    }

    JsonObject follow(String id) {
        String address = Addresses.PROGRESS_PREFIX + id;
        client.writeFrame(new JsonObject().put("type", "register").put("address", address));
        JsonObject job = dindex.job(id).raw();
        long lastEvent = System.nanoTime();
        while (!finished(job)) {
            draw(job, false);
            JsonObject frame = client.readFrame(Duration.ofSeconds(1));
            if (frame == null) {
                if (System.nanoTime() - lastEvent > Duration.ofSeconds(15).toNanos()) {
                    // Quiet for a while (a long commit, or a missed event): ask.
                    job = dindex.job(id).raw();
                    lastEvent = System.nanoTime();
                }
                continue;
            }
            if ("err".equals(frame.getString("type")) && address.equals(frame.getString("address"))) {
                throw new DindexException(ErrorCode.fromWireName(frame.getString("code")), frame.getString("message"));
            }
            if (!"message".equals(frame.getString("type")) || !address.equals(frame.getString("address"))) {
                continue;
            }
            lastEvent = System.nanoTime();
            JsonObject body = frame.getJsonObject("body");
            if ("job".equals(body.getString("type"))) {
                job = body.getJsonObject("job");
            } else if ("item".equals(body.getString("type"))) {
                item(body.getJsonObject("event"));
            }
        }
        draw(job, true);
        return job;
    }

    static boolean finished(JsonObject job) {
        return switch (job.getString("state")) {
            case "queued", "running" -> false;
            default -> true;
        };
    }

    private void item(JsonObject event) {
        if (quiet) {
            return;
        }
        String kind = event.getString("kind", "");
        if (kind.equals("queued") || kind.equals("fetching")) {
            return;
        }
        clearLine();
        String item = event.getString("url", event.getString("path", ""));
        StringBuilder line = new StringBuilder("  ").append(String.format("%-8s", kind)).append(' ').append(item);
        if (event.getValue("chunks") != null && (kind.equals("indexed") || kind.equals("replaced"))) {
            line.append(" (").append(event.getValue("chunks")).append(" chunks)");
        }
        String reason = event.getString("reason");
        if (reason != null) {
            // Extraction messages name the file already.
            reason = !item.isEmpty() && reason.startsWith(item + ": ") ? reason.substring(item.length() + 2) : reason;
            line.append(item.isEmpty() ? "" : ": ").append(reason);
        }
        err.println(line);
    }

    private void draw(JsonObject job, boolean last) {
        if (quiet) {
            return;
        }
        long now = System.nanoTime();
        long every = terminal ? 100_000_000L : 5_000_000_000L;
        if (!last && now - lastDraw < every) {
            return;
        }
        lastDraw = now;
        String text = describe(job);
        if (terminal && !last) {
            Long total = job.getLong("total");
            long current = job.getLong("current", 0L);
            int width = 24;
            int filled = total == null || total == 0 ? 0 : (int) Math.min(width, width * current / total);
            String bar = total == null ? "" : "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] ";
            err.print("\r" + bar + text + "\u001b[K");
            err.flush();
            lineOpen = true;
        } else {
            clearLine();
            err.println("dindex: " + text);
        }
    }

    private void clearLine() {
        if (lineOpen) {
            err.print("\r\u001b[K");
            lineOpen = false;
        }
    }

    /** One line: id, state, stage, progress, counters, rate, ETA, error. */
    static String describe(JsonObject job) {
        StringBuilder sb = new StringBuilder(job.getString("id")).append(' ').append(job.getString("state"));
        String stage = job.getString("stage");
        if (stage != null && !stage.equals(job.getString("state"))) {
            sb.append(" (").append(stage).append(')');
        }
        long current = job.getLong("current", 0L);
        Long total = job.getLong("total");
        String unit = job.getString("unit", "items");
        sb.append(", ").append(amount(current, unit));
        if (total != null) {
            sb.append(" of ").append(amount(total, unit));
            if (total > 0) {
                sb.append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * current / total));
            }
        }
        JsonObject counters = job.getJsonObject("counters", new JsonObject());
        counters.forEach(e -> sb.append(", ").append(e.getValue()).append(' ').append(e.getKey().replace('_', ' ')));
        double rate = job.getDouble("rate", 0.0);
        if (rate >= 1) {
            sb.append(", ").append(amount((long) rate, unit)).append("/s");
        }
        if (job.getLong("eta_seconds") != null && "running".equals(job.getString("state"))) {
            sb.append(", ETA ").append(StatusPrinter.human(Duration.ofSeconds(job.getLong("eta_seconds"))));
        }
        if (job.getString("error") != null) {
            sb.append(": ").append(job.getString("error"));
        }
        return sb.toString();
    }

    private static String amount(long n, String unit) {
        if (unit.equals("bytes")) {
            return n >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MB", n / 1048576.0)
                    : String.format(Locale.ROOT, "%.0f KB", n / 1024.0);
        }
        return n + " " + unit;
    }
}
