package org.dindex.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.Frames;
import org.dindex.client.DindexClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * {@code dindex bench ipc}: round-trip latency to {@code dindex.status} through the daemon's socket against a raw
 * Unix-socket echo measured in the same run (interleaved in blocks, so machine noise hits both alike), and
 * requests/s at N concurrent clients. The ratio and the added latency are the figures that travel across machines.
 */
public final class IpcBenchmark {
    public record Options(Path daemonSocket, int requests, int clients, Duration duration) {
    }

    /** Enough round trips for the JIT to compile both paths before anything is measured. */
    private static final int WARMUP = 20_000;

    private final Options options;

    public IpcBenchmark(Options options) {
        this.options = options;
    }

    public JsonObject run() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("dindex-bench",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (PlainSocketServer echo = PlainSocketServer.echo(dir.resolve("echo.sock"))) {
            int blocks = 10;
            int perBlock = Math.max(1, options.requests() / blocks);
            long[] echoNanos = new long[perBlock * blocks];
            long[] daemonNanos = new long[perBlock * blocks];
            try (DindexClient echoClient = DindexClient.connect(echo.socket());
                 DindexClient daemonClient = DindexClient.connect(options.daemonSocket())) {
                JsonObject echoFrame = new JsonObject().put("type", Frames.SEND).put("address", Addresses.STATUS)
                        .put("replyAddress", "dindex.client.bench.1").put("body", new JsonObject());
                Runnable echoCall = () -> {
                    echoClient.writeFrame(echoFrame);
                    echoClient.readFrame(Duration.ofSeconds(10));
                };
                Runnable daemonCall = () -> daemonClient.request(Addresses.STATUS, new JsonObject());
                for (int i = 0; i < WARMUP; i++) {
                    echoCall.run();
                    daemonCall.run();
                }
                for (int b = 0; b < blocks; b++) {
                    time(echoCall, echoNanos, b * perBlock, perBlock);
                    time(daemonCall, daemonNanos, b * perBlock, perBlock);
                }
            }
            LatencyPercentiles echoStats = LatencyPercentiles.ofNanos(echoNanos);
            LatencyPercentiles daemonStats = LatencyPercentiles.ofNanos(daemonNanos);
            double echoRate = throughput(() -> DindexClient.connect(echo.socket()), true);
            double daemonRate = throughput(() -> DindexClient.connect(options.daemonSocket()), false);
            return report(echoStats, daemonStats, echoRate, daemonRate);
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    private static void time(Runnable call, long[] out, int from, int count) {
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            call.run();
            out[from + i] = System.nanoTime() - t0;
        }
    }

    private double throughput(Supplier<DindexClient> connect, boolean echo) throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        List<DindexClient> clients = new ArrayList<>();
        for (int i = 0; i < options.clients(); i++) {
            clients.add(connect.get());
        }
        JsonObject frame = new JsonObject().put("type", Frames.SEND).put("address", Addresses.STATUS)
                .put("replyAddress", "dindex.client.bench.2").put("body", new JsonObject());
        for (DindexClient client : clients) {
            threads.add(Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    if (echo) {
                        client.writeFrame(frame);
                        client.readFrame(Duration.ofSeconds(10));
                    } else {
                        client.request(Addresses.STATUS, new JsonObject());
                    }
                    done.increment();
                }
            }));
        }
        long t0 = System.nanoTime();
        Thread.sleep(options.duration().toMillis());
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        clients.forEach(DindexClient::close);
        return done.sum() / seconds;
    }

    private JsonObject report(LatencyPercentiles echo, LatencyPercentiles daemon, double echoRate, double daemonRate) {
        return new JsonObject()
                .put("benchmark", "ipc")
                .put("date", Instant.now().toString())
                .put("machine", Machine.describe())
                .put("requests_per_series", daemon.count())
                .put("clients", options.clients())
                .put("rows", new JsonArray()
                        .add(row("raw unix-socket echo", echo, echoRate))
                        .add(row("daemon dindex.status", daemon, daemonRate)))
                .put("added_p50_ms", (daemon.p50Micros() - echo.p50Micros()) / 1000.0)
                .put("added_p99_ms", (daemon.p99Micros() - echo.p99Micros()) / 1000.0)
                .put("ratio_p50", daemon.p50Micros() / echo.p50Micros())
                .put("targets", new JsonObject().put("added_p50_ms", 0.1).put("added_p99_ms", 0.25)
                        .put("requests_per_s_at_16", 5000));
    }

    private JsonObject row(String name, LatencyPercentiles s, double rate) {
        return new JsonObject().put("name", name).put("p50_ms", s.p50Micros() / 1000.0)
                .put("p99_ms", s.p99Micros() / 1000.0).put("mean_ms", s.meanMicros() / 1000.0)
                .put("requests_per_s", rate);
    }

    /** The table printed for people. */
    public static String table(JsonObject r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-24s %10s %10s %10s %14s%n", "series", "p50 ms", "p99 ms", "mean ms",
                "req/s @" + r.getInteger("clients")));
        for (Object o : r.getJsonArray("rows")) {
            JsonObject row = (JsonObject) o;
            sb.append(String.format("%-24s %10.3f %10.3f %10.3f %14.0f%n", row.getString("name"),
                    row.getDouble("p50_ms"), row.getDouble("p99_ms"), row.getDouble("mean_ms"),
                    row.getDouble("requests_per_s")));
        }
        sb.append(String.format("added by the daemon: p50 %+.3f ms, p99 %+.3f ms (targets <= 0.100 / 0.250);"
                        + " p50 ratio %.2fx%n", r.getDouble("added_p50_ms"), r.getDouble("added_p99_ms"),
                r.getDouble("ratio_p50")));
        return sb.toString();
    }
}
