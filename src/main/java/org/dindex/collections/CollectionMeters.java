package org.dindex.collections;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.dindex.index.ChunkCount;
import org.dindex.index.ChunkIndex;

import java.io.IOException;
import java.util.function.ToDoubleFunction;

/** The index gauges, each summed over every open collection and read at scrape time. */
final class CollectionMeters {
    private CollectionMeters() {
    }

    static void bind(CollectionRegistry collections, MeterRegistry r) {
        Gauge.builder("dindex.wal.size", collections, CollectionMeters::walBytes).baseUnit("bytes")
                .description("Write-ahead log size (emptied by each commit), all collections").register(r);
        Gauge.builder("dindex.index.pending.operations", collections, c -> sum(c, ChunkIndex::pendingOps))
                .description("Writes not yet committed, all collections").register(r);
        Gauge.builder("dindex.vectors.memory", collections, c -> sum(c, ChunkIndex::vectorHeapBytes))
                .baseUnit("bytes").description("Vectors and graph held in memory, all collections").register(r);
        Gauge.builder("dindex.collections", collections, c -> c.all().size())
                .description("Collections in the daemon").register(r);
        ChunkCount chunks = new ChunkCount();
        Gauge.builder("dindex.index.chunks", collections, c -> sum(c, chunks::valueOf))
                .description("Searchable (committed) chunks, all collections").register(r);
    }

    private static double sum(CollectionRegistry registry, ToDoubleFunction<ChunkIndex> f) {
        double total = 0;
        for (Collection c : registry.all()) {
            if (c.state() == Collection.State.OPEN) {
                try {
                    double value = f.applyAsDouble(c.index().index());
                    total += Double.isNaN(value) ? 0 : value;
                } catch (RuntimeException e) {
                    // closing meanwhile
                }
            }
        }
        return total;
    }

    private static double walBytes(CollectionRegistry registry) {
        return sum(registry, i -> {
            try {
                return i.walBytes();
            } catch (IOException e) {
                return 0;
            }
        });
    }
}
