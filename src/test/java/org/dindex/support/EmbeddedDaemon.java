package org.dindex.support;

import io.vertx.core.VerticleBase;
import org.dindex.bus.BusHandlers;
import org.dindex.client.DindexClient;
import org.dindex.config.ConfigLoader;
import org.dindex.config.DaemonConfig;
import org.dindex.daemon.Daemon;
import org.dindex.daemon.DaemonOptions;
import org.dindex.config.RuntimePaths;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A real daemon in the test JVM, on a real socket in a private temp folder. */
public final class EmbeddedDaemon implements AutoCloseable {
    public final Path root;
    public final RuntimePaths paths;
    public final Daemon daemon;

    private EmbeddedDaemon(Path root, RuntimePaths paths, Daemon daemon) {
        this.root = root;
        this.paths = paths;
        this.daemon = daemon;
    }

    public static EmbeddedDaemon start(Map<String, Object> settings,
                                       List<Function<BusHandlers, VerticleBase>> extensions) throws IOException {
        Path root = TestDirs.privateDir("dx");
        RuntimePaths paths = new RuntimePaths(root.resolve("data"), root.resolve("run").resolve("d.sock"), null);
        Map<String, Object> withModel = new java.util.HashMap<>(Map.of("embedding.model", "all-minilm-l6-v2-q",
                "http.port", 0));
        withModel.putAll(settings);  // tests use the quantized MiniLM (fastest) unless they say otherwise
        DaemonConfig config = new ConfigLoader(Map.of()).load(null, withModel);
        Daemon daemon = Daemon.start(new DaemonOptions(paths, config, extensions, false));
        return new EmbeddedDaemon(root, paths, daemon);
    }

    public DindexClient client() {
        return DindexClient.connect(paths.socket());
    }

    @Override
    public void close() throws Exception {
        daemon.stop("test finished").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        TestDirs.deleteTree(root);
    }
}
