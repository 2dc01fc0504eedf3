package org.dindex.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.dindex.config.ConfigLoader;
import org.dindex.config.DaemonConfig;
import org.dindex.config.Setting;
import org.dindex.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks the deployment files against each other and against the daemon's code, so they cannot drift: the
 * Kubernetes manifests in {@code k8s/} (parsed into fabric8's typed model, unknown fields refused), the
 * {@code Dockerfile}, and the systemd unit and installer in {@code deploy/systemd/}. Nothing here needs a cluster
 * or a container runtime; {@code systemd-analyze verify} and {@code kubectl kustomize} run when installed.
 */
class DeploymentManifestsTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path K8S = Path.of("k8s");
    private static final Path UNIT = Path.of("deploy/systemd/dindex.service");
    private static final Path INSTALL = Path.of("deploy/systemd/install.sh");
    /** What the pod's config deliberately sets differently from conf/dindex.yaml. */
    private static final Map<String, Object> POD_OVERRIDES = Map.of("http.host", "0.0.0.0", "log.format", "json",
            "cluster.kubernetes_dns", "dindex-headless",
            "http.allowed_hosts", "dindex,dindex.default,dindex.default.svc,dindex.default.svc.cluster.local");
    /** Environment variables that are not settings but that the daemon or CLI reads (RuntimePaths, DindexCommand). */
    private static final Set<String> PATH_VARIABLES = Set.of("DINDEX_DATA_DIR", "DINDEX_SOCKET", "DINDEX_CONFIG",
            "DINDEX_NO_AUTOSTART");
    private static final List<String> DAEMON_ARGS = List.of("daemon", "start", "--foreground");

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- Kubernetes

    @Test
    void everyManifestParsesIntoTheTypedModelWithoutUnknownFields() throws Exception {
        // Typed parsing puts misspelt fields (readinesProbe, mountpath) into additionalProperties: none allowed.
        statefulSet();
        configMap();
        httpService();
        headlessService();
        load("secret.example.yaml", Secret.class);
    }

    @Test
    void kustomizationListsEveryManifestButTheExampleSecret() throws Exception {
        JsonNode k = YAML.readTree(K8S.resolve("kustomization.yaml").toFile());
        assertEquals("Kustomization", k.path("kind").asText());
        Set<String> listed = new TreeSet<>();
        k.path("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files;
        try (Stream<Path> s = Files.list(K8S)) {
            files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
                    .filter(n -> !n.equals("kustomization.yaml") && !n.equals("secret.example.yaml"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(files, listed, "kustomization.yaml resources (secret.example.yaml stays out: keys are the"
                + " user's own)");
        boolean imageNamed = false;
        for (JsonNode image : k.path("images")) {
            imageNamed |= image.path("name").asText().equals(imageName(container().getImage()));
        }
        assertTrue(imageNamed, "kustomization.yaml images: names the StatefulSet's image");
    }

    @Test
    void configMapHasEveryKeyOfTheShippedConfigAndOnlyThePodOverridesDiffer() throws Exception {
        Map<String, Object> shipped = flatten(YAML.readValue(Files.readString(Path.of("conf/dindex.yaml")),
                Map.class));
        Map<String, Object> pod = flatten(YAML.readValue(podConfigText(), Map.class));
        Set<String> missing = new TreeSet<>(shipped.keySet());
        missing.removeAll(pod.keySet());
        assertTrue(missing.isEmpty(), "k8s/configmap.yaml lacks " + missing + " of conf/dindex.yaml: regenerate it"
                + " (k8s/README.md)");
        Set<String> extra = new TreeSet<>(pod.keySet());
        extra.removeAll(shipped.keySet());
        assertTrue(extra.isEmpty(), "k8s/configmap.yaml has keys conf/dindex.yaml does not: " + extra);
        for (var e : shipped.entrySet()) {
            Object expected = POD_OVERRIDES.getOrDefault(e.getKey(), e.getValue());
            assertEquals(expected, pod.get(e.getKey()), "k8s/configmap.yaml " + e.getKey() + " (differs from"
                    + " conf/dindex.yaml and is not a deliberate pod override: regenerate, k8s/README.md)");
        }
        DaemonConfig config = podConfig();
        assertEquals("0.0.0.0", config.getString(Settings.HTTP_HOST), "the pod listens on its IP");
        assertTrue(config.getBoolean(Settings.HTTP_ENABLED));
    }

    @Test
    void configChecksumAnnotationMatchesTheConfigMapSoChangesRollThePod() throws Exception {
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(K8S.resolve("configmap.yaml"))));
        Map<String, String> annotations = statefulSet().getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals(expected, annotations.get("checksum/config"), "k8s/statefulset.yaml pod annotation"
                + " checksum/config must be the sha256 of k8s/configmap.yaml: set it to " + expected);
    }

    @Test
    void probesUseTheRealHealthRoutesOnTheNamedHttpPort() throws Exception {
        Container c = container();
        long port = podConfig().getLong(Settings.HTTP_PORT);
        assertEquals(10150, port);
        ContainerPort http = port(c, "http");
        assertEquals(port, (long) http.getContainerPort(), "container port 'http' = http.port of the ConfigMap");

        String httpCode = httpSources();
        HTTPGetAction ready = httpGet(c.getReadinessProbe(), "readiness");
        assertEquals("/api/v1/health/ready", ready.getPath());
        HTTPGetAction live = httpGet(c.getLivenessProbe(), "liveness");
        assertEquals("/api/v1/health/live", live.getPath());
        HTTPGetAction startup = httpGet(c.getStartupProbe(), "startup");
        assertTrue(Set.of("/api/v1/health", "/api/v1/health/live").contains(startup.getPath()),
                "startup probe on a health route that answers 200 as soon as HTTP serves: " + startup.getPath());
        for (HTTPGetAction get : List.of(ready, live, startup)) {
            assertEquals("http", get.getPort().getStrVal(), "probes use the named port");
            assertTrue(get.getScheme() == null || get.getScheme().equals("HTTP"));
            assertTrue(httpCode.contains("\"" + get.getPath() + "\""), "the daemon serves " + get.getPath());
        }
        // Index recovery (graph rebuild) happens before HTTP listens and can take many minutes.
        Probe s = c.getStartupProbe();
        long window = (long) orDefault(s.getFailureThreshold(), 3) * orDefault(s.getPeriodSeconds(), 10);
        assertTrue(window >= 600, "startup probe tolerates >= 10 minutes of connection refused, has " + window + " s");
        assertNull(c.getLivenessProbe().getInitialDelaySeconds(), "the startup probe gates liveness; no delays");
    }

    @Test
    void dataConfigSocketAndCachesLiveOnTheRightVolumes() throws Exception {
        StatefulSet sts = statefulSet();
        PodSpec pod = sts.getSpec().getTemplate().getSpec();
        Container c = container();
        Map<String, String> env = env(c);

        // Data dir: the PersistentVolumeClaim template's mount, writable.
        List<PersistentVolumeClaim> claims = sts.getSpec().getVolumeClaimTemplates();
        assertEquals(1, claims.size());
        VolumeMount data = mountOf(c, claims.get(0).getMetadata().getName());
        assertEquals(data.getMountPath(), env.get("DINDEX_DATA_DIR"), "DINDEX_DATA_DIR = the PVC mount path");
        assertNotEquals(Boolean.TRUE, data.getReadOnly());
        assertTrue(claims.get(0).getSpec().getAccessModes().contains("ReadWriteOnce"));

        // Config: a file of the ConfigMap volume.
        ConfigMap cm = configMap();
        Volume configVolume = pod.getVolumes().stream().filter(v -> v.getConfigMap() != null
                && cm.getMetadata().getName().equals(v.getConfigMap().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no volume of ConfigMap " + cm.getMetadata().getName()));
        VolumeMount configMount = mountOf(c, configVolume.getName());
        Path configFile = Path.of(env.get("DINDEX_CONFIG"));
        assertEquals(Path.of(configMount.getMountPath()), configFile.getParent(), "DINDEX_CONFIG inside the mount");
        String fileName = configFile.getFileName().toString();
        String key = configVolume.getConfigMap().getItems() == null ? fileName
                : configVolume.getConfigMap().getItems().stream().filter(i -> i.getPath().equals(fileName))
                .findFirst().orElseThrow(() -> new AssertionError("no item " + fileName)).getKey();
        assertTrue(cm.getData().containsKey(key), "the ConfigMap has " + key);

        // Writable emptyDirs: java.io.tmpdir, DJL_CACHE_DIR and the socket's folder.
        Map<String, VolumeMount> emptyDirs = new LinkedHashMap<>();
        for (Volume v : pod.getVolumes()) {
            if (v.getEmptyDir() != null) {
                VolumeMount m = mountOf(c, v.getName());
                assertNotEquals(Boolean.TRUE, m.getReadOnly(), m.getMountPath() + " is writable");
                emptyDirs.put(m.getMountPath(), m);
            }
        }
        assertTrue(emptyDirs.containsKey("/tmp"), "an emptyDir at /tmp (java.io.tmpdir): " + emptyDirs.keySet());
        assertTrue(under(Path.of(env.get("DJL_CACHE_DIR")), emptyDirs.keySet(), true),
                "DJL_CACHE_DIR on an emptyDir: " + env.get("DJL_CACHE_DIR"));
        Path socket = Path.of(env.get("DINDEX_SOCKET"));
        // An emptyDir is world-writable and SocketDirectory refuses such a folder: the socket's folder must be one
        // the daemon creates (0700) inside the emptyDir, not the mount itself.
        assertTrue(under(socket.getParent(), emptyDirs.keySet(), false),
                "the socket's folder is a subfolder of an emptyDir mount: " + socket);
        assertTrue(socket.toString().getBytes(StandardCharsets.UTF_8).length <= 107, "socket path fits sun_path");

        // API keys: from the optional Secret of secret.example.yaml.
        EnvVar keys = c.getEnv().stream().filter(e -> e.getName().equals(Settings.HTTP_API_KEYS.envName()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + Settings.HTTP_API_KEYS.envName()));
        SecretKeySelector ref = keys.getValueFrom().getSecretKeyRef();
        assertEquals(Boolean.TRUE, ref.getOptional(), "the Secret is optional");
        Secret example = load("secret.example.yaml", Secret.class);
        assertEquals(example.getMetadata().getName(), ref.getName());
        assertTrue(example.getStringData().containsKey(ref.getKey()), "secret.example.yaml has " + ref.getKey());

        // Every DINDEX_* variable is a setting or a path the daemon reads: a typo would be silently ignored.
        Set<String> known = Settings.ALL.stream().map(Setting::envName).collect(Collectors.toSet());
        for (EnvVar e : c.getEnv()) {
            if (e.getName().startsWith("DINDEX_")) {
                assertTrue(known.contains(e.getName()) || PATH_VARIABLES.contains(e.getName()),
                        "unknown variable " + e.getName());
            }
        }
        assertTrue(PATH_VARIABLES.stream().filter(v -> !v.equals("DINDEX_NO_AUTOSTART")).allMatch(env::containsKey));
        // Service links would inject DINDEX_<SERVICE>_PORT=tcp://...; for a Service named dindex-http that is
        // DINDEX_HTTP_PORT, the http.port setting, and the daemon would refuse to start.
        assertEquals(Boolean.FALSE, pod.getEnableServiceLinks(), "enableServiceLinks: false");
    }

    @Test
    void podRunsLockedDown() throws Exception {
        PodSpec pod = statefulSet().getSpec().getTemplate().getSpec();
        PodSecurityContext psc = pod.getSecurityContext();
        assertEquals(Boolean.TRUE, psc.getRunAsNonRoot());
        assertNotNull(psc.getRunAsUser());
        assertTrue(psc.getRunAsUser() > 0);
        assertNotNull(psc.getFsGroup(), "fsGroup makes the PVC writable for the user");
        assertEquals("RuntimeDefault", psc.getSeccompProfile().getType());
        SecurityContext sc = container().getSecurityContext();
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
        assertNotEquals(Boolean.TRUE, sc.getPrivileged());
        assertTrue(sc.getCapabilities().getDrop().contains("ALL"));
        assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty());
        assertNotEquals(Boolean.FALSE, sc.getRunAsNonRoot());
        assertTrue(sc.getRunAsUser() == null || sc.getRunAsUser() > 0);
        assertTrue(sc.getSeccompProfile() == null || "RuntimeDefault".equals(sc.getSeccompProfile().getType()));
    }

    @Test
    void gracePeriodCoversPreStopAndTheDaemonsShutdownTimeout() throws Exception {
        PodSpec pod = statefulSet().getSpec().getTemplate().getSpec();
        long shutdownMs = Math.max((Long) Settings.SHUTDOWN_TIMEOUT_MS.defaultValue(),
                podConfig().getLong(Settings.SHUTDOWN_TIMEOUT_MS));
        List<String> preStop = container().getLifecycle().getPreStop().getExec().getCommand();
        assertEquals("sleep", preStop.get(0), "preStop sleeps so the Service stops routing first");
        long sleep = Long.parseLong(preStop.get(1));
        assertTrue(sleep >= 1 && sleep <= 15, "a short preStop sleep: " + sleep);
        long grace = pod.getTerminationGracePeriodSeconds();
        assertTrue(grace >= sleep + shutdownMs / 1000 + 5, "terminationGracePeriodSeconds " + grace + " > preStop "
                + sleep + " s + daemon.shutdown_timeout_ms " + shutdownMs + " ms + JVM exit");
    }

    @Test
    void resourcesAreSizedAndHeapIsAShareOfTheLimit() throws Exception {
        Container c = container();
        Map<String, Quantity> requests = c.getResources().getRequests();
        Map<String, Quantity> limits = c.getResources().getLimits();
        for (String r : List.of("cpu", "memory")) {
            assertNotNull(requests.get(r), "request " + r);
            assertNotNull(limits.get(r), "limit " + r);
            assertTrue(Quantity.getAmountInBytes(limits.get(r)).compareTo(Quantity.getAmountInBytes(requests.get(r)))
                    >= 0, r + " limit >= request");
        }
        BigDecimal memory = Quantity.getAmountInBytes(limits.get("memory"));
        assertTrue(memory.compareTo(BigDecimal.valueOf(1L << 30)) >= 0, "memory limit >= 1Gi (581 MB measured peak)");
        String pct = c.getCommand().stream().filter(a -> a.startsWith("-XX:MaxRAMPercentage=")).findFirst()
                .orElseThrow(() -> new AssertionError("the heap is sized with -XX:MaxRAMPercentage"));
        double share = Double.parseDouble(pct.substring(pct.indexOf('=') + 1));
        assertTrue(share >= 25 && share <= 75, "heap leaves room for native memory and page cache: " + share);
        assertTrue(c.getCommand().stream().noneMatch(a -> a.startsWith("-Xmx")), "-Xmx would ignore the limit");
    }

    @Test
    void servicesSelectThePodAndUseItsNamedPorts() throws Exception {
        StatefulSet sts = statefulSet();
        Map<String, String> podLabels = sts.getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> selector = sts.getSpec().getSelector().getMatchLabels();
        assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), "the StatefulSet selects its pods");
        Container c = container();

        Service headless = headlessService();
        assertEquals(headless.getMetadata().getName(), sts.getSpec().getServiceName(), "serviceName = headless");
        assertEquals("None", headless.getSpec().getClusterIP(), "headless: clusterIP None");
        assertEquals(Boolean.TRUE, headless.getSpec().getPublishNotReadyAddresses(),
                "publishNotReadyAddresses: starting members must find each other");
        assertEquals(selector, headless.getSpec().getSelector(), "the headless Service selects the pods");
        ServicePort hz = headless.getSpec().getPorts().stream().filter(p -> "hazelcast".equals(p.getName()))
                .findFirst().orElseThrow(() -> new AssertionError("headless port 'hazelcast'"));
        assertEquals(5701, hz.getPort(), "Hazelcast's port");
        assertEquals(5701, (int) port(c, targetName(hz)).getContainerPort(), "the pod declares 5701");

        Service http = httpService();
        assertTrue(http.getSpec().getType() == null || http.getSpec().getType().equals("ClusterIP"), "ClusterIP");
        assertEquals(selector, http.getSpec().getSelector(), "the HTTP Service selects the pods");
        ServicePort web = http.getSpec().getPorts().stream().filter(p -> "http".equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("service port 'http'"));
        assertEquals("http", targetName(web), "the Service targets the named port");
        assertEquals(podConfig().getLong(Settings.HTTP_PORT), (long) web.getPort(), "Service port = http.port");
    }

    // ---------------------------------------------------------------- Dockerfile

    @Test
    void dockerfileLaunchesTheDaemonLikeTheStatefulSet() throws Exception {
        Dockerfile df = Dockerfile.parse(Path.of("Dockerfile"));
        Container c = container();
        List<String> launch = new ArrayList<>(df.json("ENTRYPOINT"));
        launch.addAll(df.json("CMD"));
        List<String> pod = new ArrayList<>(c.getCommand());
        pod.addAll(c.getArgs());
        assertEquals(launch, pod, "Dockerfile ENTRYPOINT + CMD = StatefulSet command + args");
        assertEquals(DAEMON_ARGS, c.getArgs(), "the daemon in the foreground");

        // The image is made from the release: ADD unpacks the tarball bin/release writes (dist/dindex-VERSION-linux-
        // ARCH.tar.gz, VERSION the pom's, ARCH x86_64 or aarch64), /opt/dindex links to its tree, and the daemon runs the tree's lib/dindex.jar,
        // which bin/release copies from the build's jar. Nothing is built in the image.
        String jar = pod.get(pod.indexOf("-jar") + 1);
        assertEquals("target/dindex.jar", builtJar(), "mvn package builds target/dindex.jar (bin/dindex runs it)");
        String release = Files.readString(Path.of("bin/release"));
        assertTrue(release.contains("name=\"dindex-$version\"") && release.contains("tarball=\"$out/$name-linux-$arch.tar.gz\"")
                && release.contains("install -m 0644 \"$daemon_jar\" \"$cluster_jar\" \"$cli_jar\" \"$tree/lib/\""),
                "bin/release writes dist/dindex-VERSION-linux-ARCH.tar.gz with the daemon jar (and the cluster jar its"
                        + " manifest names) in lib/");
        assertEquals(1, df.stages.size(), "one stage: nothing is built in the image");
        String version = readXml(Path.of("pom.xml")).getElementsByTagName("version").item(0).getTextContent().trim();
        assertTrue(df.lastStage().stream().anyMatch(i -> i.keyword.equals("ARG") && i.args.equals("VERSION=" + version)),
                "ARG VERSION defaults to the pom's version, " + version);
        assertTrue(df.lastStage().stream().anyMatch(i -> i.keyword.equals("ARG") && i.args.equals("ARCH=x86_64")),
                "ARG ARCH names the release's architecture, x86_64 unless given");
        assertTrue(df.lastStage().stream().anyMatch(i -> i.keyword.equals("ADD")
                        && i.args.equals("dist/dindex-${VERSION}-linux-${ARCH}.tar.gz /opt/")),
                "ADD unpacks bin/release's tarball into /opt/");
        assertTrue(df.lastStage().stream().anyMatch(i -> i.keyword.equals("RUN")
                        && i.args.contains("ln -s /opt/dindex-${VERSION} /opt/dindex")),
                "/opt/dindex is the release's tree");
        assertEquals("/opt/dindex/lib/dindex.jar", jar, "the release's daemon jar");
        List<String> ignore = Files.readAllLines(Path.of(".dockerignore"));
        assertTrue(ignore.contains("!dist/dindex-*-linux-*.tar.gz"), ".dockerignore lets the release tarballs in");
        assertEquals(List.of("*", "!dist/dindex-*-linux-*.tar.gz"),
                ignore.stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList(), "and nothing else");

        // OCI labels, the licence the pom names; a health check in exec form with a start period for recovery.
        Map<String, String> labels = df.labels();
        for (String key : List.of("title", "description", "version", "revision", "licenses")) {
            assertTrue(labels.containsKey("org.opencontainers.image." + key), "OCI label " + key + ": " + labels);
        }
        assertEquals("${VERSION}", labels.get("org.opencontainers.image.version"));
        assertEquals("Apache-2.0", labels.get("org.opencontainers.image.licenses"));
        Instruction health = df.lastStage().stream().filter(i -> i.keyword.equals("HEALTHCHECK")).findFirst()
                .orElseThrow(() -> new AssertionError("Dockerfile has a HEALTHCHECK"));
        assertTrue(health.args.matches(".*--start-period=\\d+m.*CMD \\[.*"), health.args);
        assertTrue(healthCheck(df).get(2).contains("/api/v1/health/ready"), "healthy means ready");

        // JVM flags: those bin/dindex and a detached daemon use, before -jar.
        List<String> jvm = pod.subList(0, pod.indexOf("-jar"));
        for (String flag : daemonJvmFlags()) {
            assertTrue(jvm.contains(flag), "JVM flag " + flag + " (bin/dindex, pom jvm.flags, DaemonLauncher)");
        }
        assertEquals("--add-modules", jvm.get(jvm.indexOf("jdk.incubator.vector") - 1));

        // The Temurin 25 JRE runs it: the Java the tests run on.
        assertTrue(df.lastStage().get(0).args.startsWith("eclipse-temurin:25-jre"), "run on eclipse-temurin:25-jre");
        assertEquals(25, Runtime.version().feature(), "the tests run on Java 25, as the image does");

        // Non-root: the image's user, numeric so runAsNonRoot can verify it, the same uid as the pod.
        String user = df.lastStage().stream().filter(i -> i.keyword.equals("USER")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("Dockerfile sets USER")).args.split(":")[0];
        assertFalse(user.equals("root") || user.equals("0"), "non-root user");
        assertEquals(String.valueOf(statefulSet().getSpec().getTemplate().getSpec().getSecurityContext()
                .getRunAsUser()), user, "the image's uid = the pod's runAsUser");

        // The image's paths agree with the pod's (the CLI in `kubectl exec` sees the pod's, `docker run` the image's).
        Map<String, String> imageEnv = df.env();
        for (String v : List.of("DINDEX_DATA_DIR", "DINDEX_SOCKET", "DJL_CACHE_DIR")) {
            assertEquals(env(c).get(v), imageEnv.get(v), v + " in Dockerfile and StatefulSet");
        }
    }

    /** The Dockerfile's HEALTHCHECK command, exec form: ["bash", "-c", SCRIPT]. ReleaseTest runs it. */
    static List<String> healthCheck(Dockerfile df) throws IOException {
        Instruction health = df.lastStage().stream().filter(i -> i.keyword.equals("HEALTHCHECK")).findFirst()
                .orElseThrow(() -> new AssertionError("Dockerfile has a HEALTHCHECK"));
        String json = health.args.substring(health.args.indexOf("CMD ") + 4).strip();
        List<String> cmd = Arrays.asList(JSON.readValue(json, String[].class));
        assertEquals(List.of("bash", "-c"), cmd.subList(0, 2), "bash runs the check (no curl in the image)");
        return cmd;
    }

    /** The HEALTHCHECK command of the repository's Dockerfile. */
    static List<String> dockerHealthCheck() throws IOException {
        return healthCheck(Dockerfile.parse(Path.of("Dockerfile")));
    }

    // ---------------------------------------------------------------- systemd

    @Test
    void systemdUnitRunsTheForegroundDaemonHardened() throws Exception {
        Map<String, List<String>> service = Ini.parse(UNIT).get("Service");
        assertNotNull(service, "[Service]");
        assertEquals("dindex", one(service, "User"));
        assertEquals("dindex", one(service, "RuntimeDirectory"));
        assertEquals("0700", one(service, "RuntimeDirectoryMode"));
        assertEquals("dindex", one(service, "StateDirectory"));
        assertEquals("on-failure", one(service, "Restart"));
        assertEquals("SIGTERM", one(service, "KillSignal"));
        assertTrue(one(service, "SuccessExitStatus").contains("143"), "exit 143 after SIGTERM is a clean stop");
        long stopSec = seconds(one(service, "TimeoutStopSec"));
        long shutdownMs = (Long) Settings.SHUTDOWN_TIMEOUT_MS.defaultValue();
        assertTrue(stopSec > shutdownMs / 1000, "TimeoutStopSec " + stopSec + " s > daemon.shutdown_timeout_ms");
        for (var e : Map.of("ProtectSystem", "strict", "ProtectHome", "true", "NoNewPrivileges", "true",
                "PrivateTmp", "true", "ProtectKernelTunables", "true", "ProtectControlGroups", "true",
                "LockPersonality", "true").entrySet()) {
            assertEquals(e.getValue(), one(service, e.getKey()), e.getKey());
        }
        assertEquals(Set.of("AF_UNIX", "AF_INET", "AF_INET6"),
                Set.of(one(service, "RestrictAddressFamilies").split("\\s+")));
        assertFalse(service.containsKey("MemoryDenyWriteExecute"), "the JVM's JIT needs W+X memory");

        Map<String, String> env = new LinkedHashMap<>();
        for (String line : service.getOrDefault("Environment", List.of())) {
            int eq = line.indexOf('=');
            env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        String dataDir = env.get("DINDEX_DATA_DIR");
        assertEquals("/var/lib/" + one(service, "StateDirectory"), dataDir, "data in the StateDirectory");
        assertTrue(Arrays.asList(one(service, "ReadWritePaths").split("\\s+")).contains(dataDir), "ReadWritePaths");
        assertEquals(Path.of("/run", one(service, "RuntimeDirectory")), Path.of(env.get("DINDEX_SOCKET")).getParent(),
                "the socket in the RuntimeDirectory (0700, owned by the service user)");
        assertTrue(env.get("DINDEX_CONFIG").startsWith("/etc/dindex/"), "DINDEX_CONFIG under /etc/dindex");

        List<String> exec = Arrays.asList(one(service, "ExecStart").split("\\s+"));
        assertTrue(exec.get(0).startsWith("/opt/dindex/"), "java under /opt/dindex: " + exec.get(0));
        int jar = exec.indexOf("-jar");
        assertEquals("/opt/dindex/dindex.jar", exec.get(jar + 1));
        assertEquals(DAEMON_ARGS, exec.subList(jar + 2, exec.size()));
        for (String flag : daemonJvmFlags()) {
            assertTrue(exec.subList(0, jar).contains(flag), "ExecStart has JVM flag " + flag);
        }
        assertEquals("multi-user.target", one(Ini.parse(UNIT).get("Install"), "WantedBy"));
    }

    @Test
    void systemdAnalyzeVerifiesTheUnit() throws Exception {
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze not installed");
        // An alternate root with the unit, the targets it refers to and a stand-in for the java it runs.
        Path root = tmp.resolve("root");
        Path units = Files.createDirectories(root.resolve("etc/systemd/system"));
        Files.copy(UNIT, units.resolve("dindex.service"));
        String execStart = one(Ini.parse(UNIT).get("Service"), "ExecStart").split("\\s+")[0];
        Path java = root.resolve(execStart.substring(1));
        Files.createDirectories(java.getParent());
        Files.writeString(java, "#!/bin/sh\n");
        assertTrue(java.toFile().setExecutable(true));
        Path targets = Files.createDirectories(root.resolve("usr/lib/systemd/system"));
        for (String dir : List.of("/lib/systemd/system", "/usr/lib/systemd/system")) {
            if (Files.isDirectory(Path.of(dir))) {
                try (Stream<Path> s = Files.list(Path.of(dir))) {
                    for (Path t : s.filter(p -> p.toString().endsWith(".target")).toList()) {
                        if (!Files.exists(targets.resolve(t.getFileName()))) {
                            Files.copy(t, targets.resolve(t.getFileName()));
                        }
                    }
                }
            }
        }
        Result r = run(List.of("systemd-analyze", "verify", "--root=" + root, "/etc/systemd/system/dindex.service"));
        // verify warns about unknown keys and bad values but still exits 0: any line about the unit fails.
        List<String> complaints = r.output.lines().filter(l -> l.contains("dindex.service")).toList();
        assertEquals(0, r.exit, r.output);
        assertTrue(complaints.isEmpty(), "systemd-analyze verify: " + complaints);
    }

    @Test
    void installScriptIsValidAndItsDryRunInstallsTheUnitAndJar() throws Exception {
        assumeTrue(onPath("bash"), "bash not installed");
        Result syntax = run(List.of("bash", "-n", INSTALL.toString()));
        assertEquals(0, syntax.exit, syntax.output);
        String script = Files.readString(INSTALL);
        assertTrue(script.contains("id -u"), "install.sh refuses to run without root");
        Path jar = Files.writeString(tmp.resolve("dindex.jar"), "not a real jar");
        // --dry-run changes nothing (every change goes through its `run`, which only prints): safe as root in CI.
        Result dry = run(List.of("bash", INSTALL.toString(), "--dry-run", "--jar", jar.toString(), "--java-home",
                System.getProperty("java.home")));
        assertEquals(0, dry.exit, dry.output);
        for (String step : List.of("/opt/dindex/dindex.jar", "/etc/systemd/system/dindex.service",
                UNIT.toAbsolutePath().normalize().toString(), "systemctl daemon-reload", "systemctl enable --now dindex")) {
            assertTrue(dry.output.contains(step), "dry run mentions " + step + ":\n" + dry.output);
        }
        assertTrue(dry.output.contains("useradd") || dry.output.contains("user dindex exists"), dry.output);
        assertTrue(Files.readString(UNIT).contains("/opt/dindex/java/bin/java"), "the unit runs the java install.sh links");
    }

    @Test
    void kubectlKustomizeRendersTheManifests() throws Exception {
        assumeTrue(onPath("kubectl"), "kubectl not installed");
        Result r = run(List.of("kubectl", "kustomize", K8S.toString()));
        assumeTrue(r.exit != 127, "kubectl unusable");
        assertEquals(0, r.exit, r.output);
        for (String kind : List.of("ConfigMap", "Service", "StatefulSet")) {
            assertTrue(r.output.contains("kind: " + kind), kind + " rendered");
        }
    }

    // ---------------------------------------------------------------- helpers: manifests

    private static StatefulSet statefulSet() throws IOException {
        return load("statefulset.yaml", StatefulSet.class);
    }

    private static ConfigMap configMap() throws IOException {
        return load("configmap.yaml", ConfigMap.class);
    }

    private static Service httpService() throws IOException {
        return load("service.yaml", Service.class);
    }

    private static Service headlessService() throws IOException {
        return load("service-headless.yaml", Service.class);
    }

    private static Container container() throws IOException {
        List<Container> containers = statefulSet().getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    private static <T> T load(String file, Class<T> type) throws IOException {
        String text = Files.readString(K8S.resolve(file));
        List<JsonNode> docs = YAML.readValues(YAML.getFactory().createParser(text), JsonNode.class).readAll();
        assertEquals(1, docs.size(), file + " holds one document");
        assertEquals(type.getSimpleName(), docs.get(0).path("kind").asText(), file + " kind");
        T value = YAML.treeToValue(docs.get(0), type);
        List<String> unknown = new ArrayList<>();
        unknownFields(value, file, unknown);
        assertTrue(unknown.isEmpty(), "fields the Kubernetes API does not know: " + unknown);
        return value;
    }

    /** Walks a fabric8 model object; what Jackson could not map landed in some additionalProperties map. */
    private static void unknownFields(Object o, String path, List<String> unknown) {
        if (o == null) {
            return;
        }
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", unknown);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        try {
            Method getter = o.getClass().getMethod("getAdditionalProperties");
            Map<?, ?> extra = (Map<?, ?>) getter.invoke(o);
            if (extra != null && !extra.isEmpty()) {
                unknown.add(path + ": " + extra.keySet());
            }
        } catch (NoSuchMethodException e) {
            // Quantity, IntOrString and friends: scalars
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        for (Class<?> k = o.getClass(); k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getName().equals("additionalProperties")) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    unknownFields(f.get(o), path + "." + f.getName(), unknown);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // not a model field we can read: skip
                }
            }
        }
    }

    private static String podConfigText() throws IOException {
        String text = configMap().getData().get("dindex.yaml");
        assertNotNull(text, "ConfigMap data dindex.yaml");
        return text;
    }

    /** The pod's config as the daemon loads it (unknown keys and bad values throw). */
    private DaemonConfig podConfig() throws IOException {
        Path file = tmp.resolve("pod-dindex.yaml");
        Files.writeString(file, podConfigText());
        return new ConfigLoader(Map.of()).load(file, Map.of());
    }

    private static Map<String, Object> flatten(Map<?, ?> tree) {
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", tree, flat);
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> tree, Map<String, Object> flat) {
        tree.forEach((k, v) -> {
            if (v instanceof Map<?, ?> child) {
                flatten(prefix + k + ".", child, flat);
            } else {
                flat.put(prefix + k, v);
            }
        });
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            }
        }
        return env;
    }

    private static VolumeMount mountOf(Container c, String volume) {
        List<VolumeMount> mounts = c.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).toList();
        assertEquals(1, mounts.size(), "one mount of volume " + volume);
        return mounts.get(0);
    }

    private static ContainerPort port(Container c, String name) {
        return c.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("container port named " + name));
    }

    private static String targetName(ServicePort p) {
        IntOrString target = p.getTargetPort();
        assertNotNull(target, "targetPort of " + p.getName());
        assertNotNull(target.getStrVal(), "targetPort of " + p.getName() + " is a named container port");
        return target.getStrVal();
    }

    private static HTTPGetAction httpGet(Probe probe, String what) {
        assertNotNull(probe, what + " probe");
        assertNotNull(probe.getHttpGet(), what + " probe is an HTTP GET");
        return probe.getHttpGet();
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    /** True when {@code path} is one of {@code roots} (if allowed) or strictly inside one. */
    private static boolean under(Path path, Set<String> roots, boolean orEqual) {
        return roots.stream().map(Path::of).anyMatch(r -> path.startsWith(r) && (orEqual || !path.equals(r)));
    }

    private static String imageName(String image) {
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        return colon > slash ? image.substring(0, colon) : image;
    }

    private static String httpSources() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> s = Files.walk(Path.of("src/main/java/org/dindex/http"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(p));
            }
        }
        return all.toString();
    }

    // ---------------------------------------------------------------- helpers: JVM flags, pom

    /**
     * The flags a daemon JVM gets: bin/dindex's for {@code --foreground} (the vector module, native access), the pom's
     * {@code jvm.flags} (the tests' JVM) and {@code DaemonLauncher.JVM_FLAGS} (a detached daemon). bin/dindex's
     * class-data-sharing flags are left out on purpose: they write an archive file next to the jar.
     */
    private static Set<String> daemonJvmFlags() throws Exception {
        Set<String> flags = new java.util.LinkedHashSet<>();
        String launcher = Files.readString(Path.of("bin/dindex"));
        Matcher daemonFlags = Pattern.compile("daemon_flags=\\(([^)]*)\\)").matcher(launcher);
        assertTrue(daemonFlags.find(), "bin/dindex has the daemon's JVM flags for daemon-side commands");
        flags.addAll(Arrays.asList(daemonFlags.group(1).trim().split("\\s+")));
        Matcher access = Pattern.compile("--enable-native-access=\\S+").matcher(launcher);
        assertTrue(access.find(), "bin/dindex enables native access");
        flags.add(access.group());
        flags.addAll(Arrays.asList(pomProperty("jvm.flags").trim().split("\\s+")));
        Class<?> daemonLauncher = Class.forName("org.dindex.cli.DaemonLauncher");
        Field field = daemonLauncher.getDeclaredField("JVM_FLAGS");
        field.setAccessible(true);
        for (Object flag : (List<?>) field.get(null)) {
            flags.add((String) flag);
        }
        return flags;
    }

    /** pom.xml and the poms of its modules (client/, daemon/), each with its folder. */
    private static Map<Path, Element> poms() throws Exception {
        Map<Path, Element> poms = new LinkedHashMap<>();
        Element root = readXml(Path.of("pom.xml"));
        poms.put(Path.of(""), root);
        Optional<Element> modules = child(root, "modules");
        if (modules.isPresent()) {
            for (var n = modules.get().getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element m && m.getTagName().equals("module")) {
                    Path dir = Path.of(m.getTextContent().trim());
                    poms.put(dir, readXml(dir.resolve("pom.xml")));
                }
            }
        }
        return poms;
    }

    private static Element readXml(Path file) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
    }

    /** Where `mvn package` leaves the daemon's jar, relative to the repository: the build directory + finalName. */
    private static String builtJar() throws Exception {
        for (var e : poms().entrySet()) {
            Optional<Element> build = child(e.getValue(), "build");
            Optional<String> name = build.flatMap(b -> child(b, "finalName")).map(x -> x.getTextContent().trim());
            if (name.isPresent()) {
                String dir = build.flatMap(b -> child(b, "directory")).map(x -> x.getTextContent().trim()
                        .replace("${project.basedir}", e.getKey().toString().isEmpty() ? "." : e.getKey().toString()))
                        .orElse(e.getKey().resolve("target").toString());
                return Path.of(dir).resolve(name.get() + ".jar").normalize().toString();
            }
        }
        throw new AssertionError("no pom sets <finalName>");
    }

    private static String pomProperty(String name) throws Exception {
        for (Element pom : poms().values()) {
            Optional<String> value = child(pom, "properties").flatMap(p -> child(p, name)).map(Element::getTextContent);
            if (value.isPresent()) {
                return value.get();
            }
        }
        throw new AssertionError("no pom defines the property " + name);
    }

    private static Optional<Element> child(Element parent, String name) {
        for (var n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- helpers: Dockerfile, INI, processes

    record Instruction(String keyword, String args) {
    }

    /** Just enough of the Dockerfile syntax: comments, line continuations, stages, exec-form JSON arrays. */
    record Dockerfile(List<List<Instruction>> stages) {
        static Dockerfile parse(Path file) throws IOException {
            List<List<Instruction>> stages = new ArrayList<>();
            StringBuilder logical = new StringBuilder();
            List<String> lines = new ArrayList<>();
            for (String raw : Files.readAllLines(file)) {
                String line = raw.strip();
                if (line.startsWith("#") || (line.isEmpty() && logical.isEmpty())) {
                    continue;
                }
                if (line.endsWith("\\")) {
                    logical.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                logical.append(line);
                lines.add(logical.toString().strip());
                logical.setLength(0);
            }
            for (String l : lines) {
                if (l.isEmpty()) {
                    continue;
                }
                String[] parts = l.split("\\s+", 2);
                Instruction i = new Instruction(parts[0].toUpperCase(java.util.Locale.ROOT),
                        parts.length > 1 ? parts[1].strip() : "");
                if (i.keyword.equals("FROM")) {
                    stages.add(new ArrayList<>());
                }
                if (!stages.isEmpty()) {
                    stages.get(stages.size() - 1).add(i);
                }
            }
            return new Dockerfile(stages);
        }

        List<Instruction> lastStage() {
            return stages.get(stages.size() - 1);
        }

        List<String> json(String keyword) throws IOException {
            Instruction i = lastStage().stream().filter(x -> x.keyword.equals(keyword)).reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("Dockerfile " + keyword));
            assertTrue(i.args.startsWith("["), keyword + " in exec form (JSON), so java is PID 1 and gets SIGTERM");
            return Arrays.asList(JSON.readValue(i.args, String[].class));
        }

        Map<String, String> labels() {
            Map<String, String> labels = new LinkedHashMap<>();
            for (Instruction i : lastStage()) {
                if (i.keyword.equals("LABEL")) {
                    Matcher m = Pattern.compile("([\\w.-]+)=(\"[^\"]*\"|\\S*)").matcher(i.args);
                    while (m.find()) {
                        labels.put(m.group(1), m.group(2).replace("\"", ""));
                    }
                }
            }
            return labels;
        }

        Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            for (Instruction i : lastStage()) {
                if (i.keyword.equals("ENV")) {
                    Matcher m = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S*)").matcher(i.args);
                    while (m.find()) {
                        env.put(m.group(1), m.group(2).replace("\"", ""));
                    }
                }
            }
            return env;
        }
    }

    /** systemd's unit syntax: sections, Key=Value (repeatable), comments, backslash continuations. */
    private static final class Ini {
        static Map<String, Map<String, List<String>>> parse(Path file) throws IOException {
            Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
            Map<String, List<String>> current = null;
            StringBuilder pending = new StringBuilder();
            for (String raw : Files.readAllLines(file)) {
                String line = raw.strip();
                if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
                    continue;
                }
                if (line.endsWith("\\")) {
                    pending.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                line = pending.append(line).toString();
                pending.setLength(0);
                if (line.startsWith("[") && line.endsWith("]")) {
                    current = sections.computeIfAbsent(line.substring(1, line.length() - 1), k -> new LinkedHashMap<>());
                    continue;
                }
                int eq = line.indexOf('=');
                assertTrue(eq > 0 && current != null, "unit line: " + line);
                current.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                        .add(line.substring(eq + 1).strip());
            }
            return sections;
        }
    }

    private static String one(Map<String, List<String>> section, String key) {
        List<String> values = section.get(key);
        assertNotNull(values, "unit sets " + key);
        return values.get(values.size() - 1);
    }

    /** systemd time spans as used here: "60", "60s", "2min", "1min 30s". */
    private static long seconds(String span) {
        long total = 0;
        Matcher m = Pattern.compile("(\\d+)\\s*(min|m|s|sec)?").matcher(span);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total += m.group(2) != null && m.group(2).startsWith("m") ? n * 60 : n;
        }
        return total;
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command) throws Exception {
        Path out = Files.createTempFile("dindex-ops-", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(command + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }
}
