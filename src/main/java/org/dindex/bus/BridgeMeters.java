package org.dindex.bus;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.dindex.metrics.Metrics;

/** Socket bridge connections, frames and errors by kind, read from {@link BridgeStats} at scrape time. */
final class BridgeMeters {
    private BridgeMeters() {
    }

    static void bind(BridgeStats stats, Metrics metrics) {
        MeterRegistry r = metrics.registry();
        Gauge.builder("dindex.bridge.connections", stats, BridgeStats::connections)
                .description("Open socket connections").register(r);
        FunctionCounter.builder("dindex.bridge.frames", stats, BridgeStats::framesIn)
                .description("Frames received on the socket").register(r);
        FunctionCounter.builder("dindex.bridge.connections.accepted", stats, BridgeStats::acceptedConnections)
                .register(r);
        // Error kinds appear as they happen: each gets its counter before the scrape that would show it.
        metrics.beforeScrape(() -> stats.errors().keySet().forEach(kind ->
                FunctionCounter.builder("dindex.bridge.errors", stats, s -> s.errors().getOrDefault(kind, 0L))
                        .tag("kind", kind).description("Bad frames and failed requests on the socket, by kind")
                        .register(r)));
    }
}
