package org.dindex.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

/**
 * The daemon's one meter registry (Micrometer, exposed in Prometheus format at {@code /metrics}). dindex meters are
 * named {@code dindex.*} (Prometheus: {@code dindex_*}); JVM and process meters come from Micrometer's binders.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        gc.bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** Latency buckets for everything a user waits on: 1 ms to 60 s. */
    public static final Duration[] LATENCY_BUCKETS = LongStream.of(1, 2, 5, 10, 25, 50,
            100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000).mapToObj(Duration::ofMillis)
            .toArray(Duration[]::new);

    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

    public MeterRegistry registry() {
        return registry;
    }

    /** A timer with {@link #LATENCY_BUCKETS} as its histogram. */
    public Timer timer(String name, String description, String... tags) {
        return Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    /** Runs {@code action} before each scrape: for meters whose set of tags is only known at run time. */
    public void beforeScrape(Runnable action) {
        beforeScrape.add(action);
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        beforeScrape.forEach(Runnable::run);
        return registry.scrape();
    }

    public void close() {
        gc.close();
        registry.close();
    }
}
