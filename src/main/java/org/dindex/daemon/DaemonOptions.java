package org.dindex.daemon;

import org.dindex.config.RuntimePaths;
import io.vertx.core.VerticleBase;
import org.dindex.bus.BusHandlers;
import org.dindex.config.DaemonConfig;

import java.util.List;
import java.util.function.Function;

/**
 * How to start a daemon.
 *
 * @param paths          data dir, socket and config file
 * @param config         validated configuration
 * @param extensions     verticles deployed after the built-in ones, given the daemon's {@link BusHandlers} so what
 *                       they serve is reachable through the bridge (tests use this for extra addresses)
 * @param haltOnDeadline halt the JVM when a graceful stop overruns its deadline: true in the daemon process, false
 *                       when embedded (tests)
 */
public record DaemonOptions(RuntimePaths paths, DaemonConfig config,
                            List<Function<BusHandlers, VerticleBase>> extensions, boolean haltOnDeadline) {

    public DaemonOptions(RuntimePaths paths, DaemonConfig config) {
        this(paths, config, List.of(), false);
    }
}
