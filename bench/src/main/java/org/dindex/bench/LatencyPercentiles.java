package org.dindex.bench;

import java.util.Arrays;

/** Percentiles of a latency sample, in microseconds. */
public record LatencyPercentiles(int count, double p50Micros, double p99Micros, double meanMicros) {

    public static LatencyPercentiles ofNanos(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0) / 1000.0;
        return new LatencyPercentiles(sorted.length, percentile(sorted, 0.50) / 1000.0, percentile(sorted, 0.99) / 1000.0, mean);
    }

    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
