package org.dindex.daemon;

import org.dindex.config.RuntimePaths;
import org.dindex.config.Version;
import org.dindex.config.StartupException;
import org.dindex.config.AlreadyRunningException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.dindex.bus.BridgeOptions;
import org.dindex.bus.BridgePermissions;
import org.dindex.bus.BusHandlers;
import org.dindex.bus.DirectRoutes;
import org.dindex.cluster.ClusterManagers;
import org.dindex.cluster.ClusterOptions;
import org.dindex.cluster.ClusterVerticle;
import org.dindex.cluster.Replication;
import org.dindex.ingest.WriteForwarding;
import org.dindex.bus.ServedAddresses;
import org.dindex.bus.SocketBridge;
import org.dindex.config.Settings;
import org.dindex.collections.CollectionRegistry;
import org.dindex.platform.BackgroundPriority;
import org.dindex.platform.PrivateFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.LinkedHashMap;

/**
 * One running dindex daemon: the locks it holds, its Vert.x instance, its verticles and its socket bridge.
 *
 * <p>Start order: socket folder checked, data dir and socket locks taken (so a live daemon's socket is never
 * unlinked), stale socket removed, Vert.x started, verticles deployed, bridge listening. Stop order is the reverse:
 * bridge stops accepting and drains in-flight requests, verticles are undeployed last-first (so later parts can
 * flush and commit), Vert.x closes, socket removed, locks released. A stop that overruns the configured deadline
 * halts the process when {@link DaemonOptions#haltOnDeadline()} is set.
 */
public final class Daemon {
    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

    private final DaemonOptions options;
    private final Instant startedAt = Instant.now();
    private final ServedAddresses served = new ServedAddresses();
    private final List<String> deployments = Collections.synchronizedList(new ArrayList<>());
    private final Promise<Void> stopped = Promise.promise();
    private final List<InstanceLock> locks = new ArrayList<>();
    private Vertx vertx;
    private SocketBridge bridge;
    private Stores stores;
    private DaemonParts parts;
    private ClusterVerticle clusterVerticle;
    private volatile String state = "starting";
    private Future<Void> stopping;
    private volatile JsonObject staticStatus;
    private final ProcessMemory memory = new ProcessMemory();
    private final StartupTimes startup = new StartupTimes();

    private Daemon(DaemonOptions options) {
        this.options = options;
    }

    /**
     * Starts a daemon and returns once it serves its socket. Blocks the calling thread, which must not be an event
     * loop.
     *
     * @throws StartupException (or {@link AlreadyRunningException}) with a message for the user
     */
    public static Daemon start(DaemonOptions options) {
        Daemon daemon = new Daemon(options);
        try {
            daemon.startBlocking();
            return daemon;
        } catch (RuntimeException e) {
            daemon.abortStart();
            throw e;
        }
    }

    private void startBlocking() {
        RuntimePaths paths = options.paths();
        startup.time("paths_and_locks", () -> {
            SocketDirectory.prepare(paths.socket());
            createPrivateDir(paths.dataDir());
            locks.add(InstanceLock.acquire(paths.dataLock(), "data dir " + paths.dataDir()));
            locks.add(InstanceLock.acquire(paths.socketLock(), "socket " + paths.socket()));
        });
        try {
            // We hold the socket lock: whatever file is there was left by a dead daemon.
            Files.deleteIfExists(paths.socket());
        } catch (IOException e) {
            throw new StartupException("cannot remove stale socket " + paths.socket() + ": " + e.getMessage(), e);
        }

        VertxOptions vertxOptions = new VertxOptions()
                .setPreferNativeTransport(options.config().getBoolean(Settings.PREFER_NATIVE_TRANSPORT))
                // Vert.x unpacks class-path files (the dashboard) into a cache: keep it in the data dir, not the cwd.
                .setFileSystemOptions(new FileSystemOptions()
                        .setFileCacheDir(paths.dataDir().resolve("cache").resolve("vertx").toString()));
        ClusterOptions cluster = ClusterOptions.from(options.config());
        // Typed by Vert.x's interface: Hazelcast lives in dindex-cluster.jar, and a daemon without clustering
        // loads none of its classes (it may run without that jar).
        ClusterManager clusterManager = null;
        if (cluster.enabled()) {
            ClusterManagers.requireClusterJar();
            vertxOptions.getEventBusOptions().setHost(cluster.host()).setPort(cluster.busPort())
                    .setClusterPublicHost(cluster.host());
            clusterManager = ClusterManagers.hazelcast(cluster);
            LOG.info("joining cluster '" + cluster.name() + "' as " + cluster.host() + ":" + cluster.port()
                    + (cluster.join().isEmpty() ? "" : " via " + String.join(", ", cluster.join())));
            ClusterManager manager = clusterManager;
            vertx = startup.time("vertx", () -> await(Vertx.builder().with(vertxOptions).withClusterManager(manager)
                    .buildClustered(), Duration.ofMinutes(2), "join the cluster"));
        } else {
            vertx = startup.time("vertx", () -> Vertx.vertx(vertxOptions));
        }
        DirectRoutes direct = new DirectRoutes();
        BusHandlers handlers = new BusHandlers(vertx, served, direct);
        processSettings(paths.dataDir());
        stores = Stores.open(vertx, paths.dataDir(), options.config(), startup);
        // A cluster member forwards what it writes to the other copies of its shards.
        Replication replication = clusterManager == null ? null : new Replication(
                "copies".equals(options.config().getString(Settings.CLUSTER_ACKNOWLEDGE)));
        parts = new DaemonParts(stores.collections(), options.config(), paths.dataDir(),
                replication == null ? WriteForwarding.NONE : replication);
        List<VerticleBase> verticles = new ArrayList<>();
        verticles.add(new ControlVerticle(this, handlers));
        verticles.addAll(parts.verticles(handlers));
        if (clusterManager != null) {
            clusterVerticle = new ClusterVerticle(handlers, clusterManager, cluster, parts.searchService(),
                    new ClusterVerticle.Local(paths.dataDir(), options.config().getInt(Settings.CLUSTER_SHARDS),
                    options.config().getInt(Settings.CLUSTER_REPLICAS), stores.collections(), parts.commits(),
                    replication)).meter(parts.metrics().registry());
            verticles.add(clusterVerticle);
        }
        for (Function<BusHandlers, VerticleBase> extension : options.extensions()) {
            verticles.add(extension.apply(handlers));
        }
        bridge = new SocketBridge(vertx, BridgeOptions.from(options.config()), BridgePermissions.standard(served),
                direct);

        Future<Void> started = Future.succeededFuture();
        for (VerticleBase verticle : verticles) {
            started = started.compose(v -> vertx.deployVerticle(verticle)).map(id -> {
                deployments.add(id);
                return null;
            });
        }
        Future<Void> serving = started.compose(v -> bridge.listen(paths.socket()));
        startup.time("verticles_and_socket", () -> await(serving, Duration.ofMinutes(10), "start"));
        parts.serving(bridge);
        try {
            Files.setPosixFilePermissions(paths.socket(), PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warning("cannot restrict socket permissions: " + e.getMessage());
        }
        state = "running";
        startup.finished();
        LOG.info(() -> "dindex " + Version.get() + " (commit " + Version.commit() + ") running (pid "
                + ProcessHandle.current().pid() + ", socket " + paths.socket() + ", data dir " + paths.dataDir()
                + ", transport " + transport() + ")");
    }

    /**
     * Settings of the libraries the daemon runs, made before any of them loads: caches under the data dir, no JMX
     * beans for jvector's graph settings (a cost at every start, for beans nobody reads), background work's niceness.
     */
    private void processSettings(Path dataDir) {
        DataDirCaches.use(dataDir);
        if (System.getProperty("jvector.management.backend") == null) {
            System.setProperty("jvector.management.backend", "none");
        }
        BackgroundPriority.configure(options.config().getInt(Settings.BACKGROUND_NICE));
    }

    /** Undoes a partial start: closes Vert.x if it was created, releases locks. */
    private void abortStart() {
        closeParts();
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // best effort
            }
        }
        if (locks.size() == 2) {
            deleteSocketQuietly();
        }
        releaseLocks();
        stopped.tryComplete();
    }

    /** Completes when the daemon has stopped, whatever stopped it. */
    public Future<Void> stopped() {
        return stopped.future();
    }

    /** Graceful stop; idempotent. */
    public synchronized Future<Void> stop(String reason) {
        if (stopping != null) {
            return stopping;
        }
        state = "stopping";
        Duration deadline = options.config().shutdownTimeout();
        LOG.info(() -> "stopping (" + reason + "), deadline " + deadline.toMillis() + " ms");
        armDeadline(deadline);
        Duration grace = deadline.dividedBy(2);
        stopping = bridge.close(grace)
                .compose(v -> undeployAll())
                // Closing commits Lucene and saves the vector graph snapshot (seconds for a large index): blocking
                // work, so off the event loop.
                .eventually(() -> vertx.executeBlocking(() -> {
                    closeParts();
                    return null;
                }))
                .eventually(() -> vertx.close())
                .eventually(() -> {
                    deleteSocketQuietly();
                    releaseLocks();
                    state = "stopped";
                    LOG.info("stopped");
                    return Future.succeededFuture();
                })
                .onComplete(ar -> stopped.tryComplete());
        return stopping;
    }

    private Future<Void> undeployAll() {
        List<String> ids = new ArrayList<>(deployments);
        Collections.reverse(ids);
        Future<Void> chain = Future.succeededFuture();
        for (String id : ids) {
            chain = chain.compose(v -> vertx.undeploy(id).recover(e -> {
                LOG.log(Level.WARNING, "undeploying " + id + " failed", e);
                return Future.succeededFuture();
            }));
        }
        return chain;
    }

    private void armDeadline(Duration deadline) {
        Thread.ofPlatform().daemon().name("dindex-stop-deadline").start(() -> {
            try {
                stopped.future().toCompletionStage().toCompletableFuture()
                        .get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.severe("graceful stop did not finish within " + deadline.toMillis() + " ms");
                if (options.haltOnDeadline()) {
                    deleteSocketQuietly();
                    Runtime.getRuntime().halt(1);
                }
            } catch (InterruptedException | ExecutionException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void deleteSocketQuietly() {
        try {
            Files.deleteIfExists(options.paths().socket());
        } catch (IOException e) {
            LOG.warning("cannot remove socket " + options.paths().socket() + ": " + e.getMessage());
        }
    }

    private synchronized void releaseLocks() {
        locks.forEach(InstanceLock::close);
        locks.clear();
    }

    /**
     * The status reply: the same content as {@code dindex daemon status --json}. Fields that never change are built
     * once: status is the cheapest request there is and the IPC benchmark measures it.
     */
    public JsonObject status() {
        if (staticStatus == null) {
            RuntimePaths paths = options.paths();
            staticStatus = new JsonObject()
                    .put("pid", ProcessHandle.current().pid())
                    .put("version", Version.get())
                    .put("started_at", startedAt.toString())
                    .put("socket", paths.socket().toString())
                    .put("data_dir", paths.dataDir().toString())
                    .put("config", options.config().source())
                    .put("transport", transport())
                    .put("java", Runtime.version().toString());
        }
        return staticStatus.copy()
                .put("state", state)
                .put("uptime_ms", Duration.between(startedAt, Instant.now()).toMillis())
                .put("connections", bridge == null ? 0 : bridge.stats().connections())
                .put("requests_in_flight", bridge == null ? 0 : bridge.stats().requestsInFlight())
                .put("bridge_errors", bridge == null ? new JsonObject() : new JsonObject(
                        new LinkedHashMap<>(bridge.stats().errors())))
                .put("memory", memory.snapshot())
                .put("cluster", clusterVerticle == null ? null : new JsonObject().put("node_id",
                        clusterVerticle.nodeId()).put("name", ClusterOptions.from(options.config()).name()))
                .put("http", parts == null || parts.httpUrl() == null ? null
                        : new JsonObject().put("url", parts.httpUrl()))
                .put("index", stores == null ? null : stores.collections().summary())
                .put("startup", startup.toJson());
    }

    public String transport() {
        return vertx != null && vertx.isNativeTransportEnabled() ? "epoll" : "nio";
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The daemon's collections (tests and in-process tools look inside them). */
    public CollectionRegistry collections() {
        return stores.collections();
    }

    /** Closes the meters and the stores (the indexes commit and close: seconds for a large one). */
    private void closeParts() {
        if (parts != null) {
            parts.close();
        }
        if (stores != null) {
            try {
                stores.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing the collections failed", e);
            }
        }
    }

    public SocketBridge bridge() {
        return bridge;
    }

    public Path socket() {
        return options.paths().socket();
    }

    /** Creates the data dir 0700, or makes an existing one private (index, WAL, jobs and logs inside it too). */
    private static void createPrivateDir(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PrivateFiles.privateFolder());
            }
            PrivateFiles.tighten(dir);
        } catch (IOException e) {
            throw new StartupException("cannot create data dir " + dir + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(dir)) {
            throw new StartupException("data dir " + dir + " is not writable");
        }
    }

    private static <T> T await(Future<T> future, Duration timeout, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re && re instanceof StartupException) {
                throw re;
            }
            throw new StartupException("daemon " + what + " failed: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new StartupException("daemon " + what + " did not finish within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted during " + what);
        }
    }
}
