package org.dindex.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.client.DindexClient;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.Frames;
import org.dindex.support.Await;
import org.dindex.support.EmbeddedDaemon;
import org.dindex.support.TestDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes the socket bridge for a bounded time with random and mutated frames from several connections at once, then
 * checks that the daemon is healthy, consistent and back to its baseline.
 *
 * <p>Every frame that is well framed (a length prefix that matches the bytes sent) is first judged by a model of
 * {@code docs/protocol.md}: which {@code err} frame (code and address) it must get, whether it must get a
 * {@code pong}, or a reply (message or err) on its reply address. After each action the worker sends a status request
 * as a barrier: the bridge handles a connection's frames in order and writes its own (synchronous) errors at once, so
 * every such error must arrive before the barrier's reply; replies on reply addresses must arrive within the request
 * timeout. Silence where the protocol promises an answer, an answer nobody asked for, or a connection closed without
 * reason are failures. Connections that break the framing (bad length prefixes, truncated frames, abrupt disconnects,
 * random byte streams) are then replaced by new ones.
 *
 * <p>The seed is printed on stderr at the start ({@code BridgeFuzzTest seed=...}, in the test's
 * {@code -output.txt} under surefire) and named in failure messages. Replay a run with
 * {@code -Ddindex.fuzz.seed=<seed>} (the older {@code -Dfuzz.seed=} still works); {@code -Dfuzz.seconds=} changes its
 * length (the seed fixes the inputs, not the timing).
 */
@Timeout(180)
class BridgeFuzzTest {
    /** The property that replays a run: {@code -Ddindex.fuzz.seed=N}. */
    static final String SEED_PROPERTY = "dindex.fuzz.seed";
    static final long SEED = seed();
    static final double SECONDS = Double.parseDouble(System.getProperty("fuzz.seconds", "20"));
    static final int WORKERS = 4;
    static final int MAX_FRAME = 2 * 1024 * 1024;
    static final long REQUEST_TIMEOUT_MS = 10_000;
    static final Duration BARRIER_WAIT = Duration.ofSeconds(30);
    static final int MAX_PENDING = 64;
    static final int HOSTILE_KINDS = 24;
    /**
     * Whether an {@code internal} reply to a garbage body fails the fuzzing. Off while the known cases
     * ({@link #wrongFieldTypesAreBadRequestsNotInternalErrors}) are open; they are printed either way.
     */
    static final boolean FAIL_ON_INTERNAL = Boolean.parseBoolean(System.getProperty("fuzz.failOnInternal",
            "true"));

    /** Addresses the daemon serves (the bridge permits exactly these): read from the daemon once it runs. */
    static Set<String> SERVED;
    /** What the daemon is expected to serve at least; used when its set cannot be read. */
    static final Set<String> KNOWN_SERVED = Set.of(Addresses.STATUS, Addresses.SHUTDOWN, Addresses.INDEX_SUBMIT,
            Addresses.COMMIT, Addresses.STATS, Addresses.DELETE, Addresses.CLEAR, Addresses.EXPORT, Addresses.CHECK,
            Addresses.SEARCH, Addresses.CONTEXT, Addresses.JOBS_LIST, Addresses.JOBS_GET, Addresses.JOBS_CANCEL,
            Addresses.IMPORT, Addresses.SCRAPE, Addresses.TOPICS);
    /** Never sent, whatever the body: a valid shutdown or clear would legitimately stop the daemon or empty it. */
    static final Set<String> NEVER_SEND = Set.of(Addresses.SHUTDOWN, Addresses.CLEAR);
    /** Addresses whose bodies the fuzzer generates (scrape only with bodies that fail validation: no network). */
    static final List<String> TARGETS = List.of(Addresses.STATUS, Addresses.STATS, Addresses.SEARCH,
            Addresses.CONTEXT, Addresses.INDEX_SUBMIT, Addresses.COMMIT, Addresses.DELETE, Addresses.EXPORT,
            Addresses.CHECK, Addresses.JOBS_LIST, Addresses.JOBS_GET, Addresses.JOBS_CANCEL, Addresses.IMPORT,
            Addresses.TOPICS, Addresses.SCRAPE);

    static final String CANARY_SOURCE = "canary:bridge-fuzz";
    static final String CANARY_TEXT = "Lighthouse keepers on Skellig Michael count puffin burrows at dawn and record"
            + " the nesting colony in a weathered logbook.";
    static final String CANARY_QUERY = "puffin burrows counted by lighthouse keepers";
    static final String[] WORDS = {"granite", "copper", "violin", "orbit", "lantern", "harvest", "saffron", "quartz",
            "meadow", "turbine", "glacier", "ledger", "pepper", "cobalt", "thunder", "velvet", "canyon", "falcon",
            "marble", "engine", "harbor", "silver", "almond", "basalt", "circuit", "dune", "ember", "fjord", "gravel",
            "hazel", "iris", "jasmine", "kernel", "lagoon", "mosaic", "nectar", "oasis", "prism", "quiver", "relay"};

    static EmbeddedDaemon daemon;
    static Path files;
    static final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    /** Requests the daemon answered with {@code internal}: garbage input should be {@code bad_request}. */
    static final Map<String, String> internalErrors = new ConcurrentHashMap<>();
    static final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    /** Requests the daemon answered with {@code timeout} (printed: a handler slower than the request timeout). */
    static final ConcurrentLinkedQueue<String> timeouts = new ConcurrentLinkedQueue<>();

    /** The seed given with {@code -Ddindex.fuzz.seed} (or the older {@code -Dfuzz.seed}), else a random one. */
    static long seed() {
        String given = System.getProperty(SEED_PROPERTY, System.getProperty("fuzz.seed"));
        if (given == null || given.isBlank()) {
            return new SecureRandom().nextLong();
        }
        try {
            return Long.parseLong(given.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SEED_PROPERTY + " must be a whole number (a seed this test printed),"
                    + " got '" + given + "'", e);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        System.err.println("BridgeFuzzTest seed=" + SEED + " seconds=" + SECONDS
                + " (replay with -D" + SEED_PROPERTY + "=" + SEED + ")");
        daemon = EmbeddedDaemon.start(Map.of(
                "bridge.max_frame_bytes", MAX_FRAME,
                "bridge.request_timeout_ms", REQUEST_TIMEOUT_MS,
                "http.enabled", false), List.of());
        SERVED = servedBy(daemon);
        assertTrue(SERVED.containsAll(TARGETS), "served: " + SERVED);
        files = TestDirs.privateDir("dxfz");
        Random r = new Random(SEED);
        Files.write(files.resolve("random.bin"), bytes(r, 32 * 1024));
        Files.write(files.resolve("random.jsonl"), bytes(r, 16 * 1024));
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            jsonl.append(switch (i % 5) {
                case 0 -> new JsonObject().put("id", "j" + i).put("title", words(r, 3)).put("text", words(r, 40))
                        .encode();
                case 1 -> new JsonObject().put("id", i).put("text", i).put("metadata", "x").encode();
                case 2 -> "{\"id\": \"broken" + i;
                case 3 -> "[" + i + "]";
                default -> new JsonObject().put("_id", "k" + i).put("text", "").put("url", 5).encode();
            }).append('\n');
        }
        Files.writeString(files.resolve("mixed.jsonl"), jsonl);
        ByteArrayOutputStream bz = new ByteArrayOutputStream();
        bz.write("BZh91AY&SY".getBytes(StandardCharsets.US_ASCII));
        bz.write(bytes(r, 4096));
        Files.write(files.resolve("fake.xml.bz2"), bz.toByteArray());
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        gz.write(new byte[]{0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
        gz.write(bytes(r, 4096));
        Files.write(files.resolve("fake.xml.gz"), gz.toByteArray());
        Files.writeString(files.resolve("truncated.xml"), "<mediawiki xmlns=\"http://www.mediawiki.org/xml/export-0.10/\">"
                + "<page><title>T</title><ns>0</ns><id>1</id><revision><text>" + words(r, 50));
        Files.writeString(files.resolve("deep.xml"), "<mediawiki>" + "<a>".repeat(50_000));
        Files.writeString(files.resolve("empty.jsonl"), "");
    }

    /** The daemon's own set of served addresses (new operations join it without editing this test). */
    static Set<String> servedBy(EmbeddedDaemon d) {
        try {
            java.lang.reflect.Field f = org.dindex.daemon.Daemon.class.getDeclaredField("served");
            f.setAccessible(true);
            return ((ServedAddresses) f.get(d.daemon)).snapshot();
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.out.println("BridgeFuzzTest: cannot read the served addresses (" + e + "), using the known ones");
            return KNOWN_SERVED;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        TestDirs.deleteTree(files);
    }

    @Test
    void daemonSurvivesFuzzingAndStaysConsistent() throws Exception {
        failures.clear();
        String canaryId;
        int baselineConnections;
        try (DindexClient c = daemon.client()) {
            JsonObject submitted = c.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents",
                    new JsonArray().add(new JsonObject().put("source", CANARY_SOURCE).put("title", "Puffin census")
                            .put("text", CANARY_TEXT))));
            canaryId = submitted.getJsonArray("results").getJsonObject(0).getString("doc_id");
            assertNotNull(canaryId, submitted.encode());
            c.request(Addresses.COMMIT, new JsonObject());
            assertCanaryFound(c, canaryId);
            baselineConnections = c.request(Addresses.STATUS, new JsonObject()).getInteger("connections");
        }

        long end = System.nanoTime() + (long) (SECONDS * 1e9);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong maxStatusMs = new AtomicLong();
        Thread monitor = Thread.ofPlatform().name("fuzz-monitor").start(() -> {
            try (DindexClient c = daemon.client()) {
                while (running.get()) {
                    long t0 = System.nanoTime();
                    JsonObject status = c.request(Addresses.STATUS, new JsonObject(), Duration.ofSeconds(20));
                    maxStatusMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                    if (!"running".equals(status.getString("state"))
                            || status.getLong("pid") != ProcessHandle.current().pid()) {
                        failures.add("status during fuzzing: " + status.encode());
                    }
                    Thread.sleep(250);
                }
            } catch (Throwable e) {
                failures.add("status request during fuzzing failed: " + e);
            }
        });
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            Worker w = new Worker(i, new Random(SEED + 7919L * (i + 1)), end);
            workers.add(w);
            threads.add(Thread.ofPlatform().name("fuzz-" + i).start(w));
        }
        for (Thread t : threads) {
            t.join(Duration.ofSeconds((long) SECONDS + 90));
            if (t.isAlive()) {
                failures.add(t.getName() + " still running 90 s after the fuzzing ended (hung on the daemon?)");
                t.interrupt();
            }
        }
        running.set(false);
        monitor.join(30_000);

        long actions = workers.stream().mapToLong(w -> w.actions).sum();
        long reconnects = workers.stream().mapToLong(w -> w.reconnects).sum();
        System.out.println("BridgeFuzzTest: " + actions + " actions, " + reconnects + " reconnects, slowest status "
                + maxStatusMs.get() + " ms, outcomes " + new TreeMap<>(outcomes));
        internalErrors.forEach((k, v) -> System.out.println("BridgeFuzzTest internal error: " + k + " <- " + v));
        timeouts.forEach(t -> System.out.println("BridgeFuzzTest timeout: " + t));

        // Afterwards: a fresh client gets a correct status, searches, the index is consistent, nothing leaked.
        try (DindexClient c = daemon.client()) {
            JsonObject status = c.request(Addresses.STATUS, new JsonObject(), Duration.ofSeconds(10));
            assertEquals("running", status.getString("state"), status.encode());
            assertEquals(ProcessHandle.current().pid(), status.getLong("pid"));
            JsonObject search = c.request(Addresses.SEARCH, new JsonObject().put("query", "granite harbor lantern")
                    .put("top_k", 5), Duration.ofSeconds(30));
            assertNotNull(search.getJsonArray("results"), search.encode());
            c.request(Addresses.COMMIT, new JsonObject(), Duration.ofSeconds(30));
            assertCanaryFound(c, canaryId);
            JsonObject check = c.request(Addresses.CHECK, new JsonObject(), Duration.ofSeconds(60));
            assertTrue(check.getBoolean("ok"), "index inconsistent after fuzzing: " + check.encode());

            int connections = Await.value(Duration.ofSeconds(15), "connections leaked by the fuzzing closed (baseline "
                    + baselineConnections + ")", () -> c.request(Addresses.STATUS, new JsonObject())
                    .getInteger("connections"), n -> n <= baselineConnections);
            assertEquals(baselineConnections, connections, "connections leaked by the fuzzing");
            assertEquals(baselineConnections, daemon.daemon.bridge().stats().connections());
            Await.until(Duration.ofSeconds(15), "requests in flight ended",
                    () -> daemon.daemon.bridge().stats().requestsInFlight() == 0);
            assertEquals(0, daemon.daemon.bridge().stats().requestsInFlight(), "requests in flight leaked");

            // Jobs the fuzzing started on garbage files must end (failed is fine), not hang.
            JsonArray unfinished = Await.value(Duration.ofSeconds(30), Duration.ofMillis(200),
                    "jobs the fuzzing started ended (30 s after the fuzzing)", () -> {
                        JsonArray open = new JsonArray();
                        for (Object o : c.request(Addresses.JOBS_LIST, new JsonObject()).getJsonArray("jobs")) {
                            JsonObject job = (JsonObject) o;
                            if (Set.of("queued", "running").contains(job.getString("state"))) {
                                open.add(job);
                            }
                        }
                        return open;
                    }, JsonArray::isEmpty);
            assertTrue(unfinished.isEmpty(), "jobs still unfinished 30 s after the fuzzing: " + unfinished.encode());
        }
        assertNoFailures();
        if (FAIL_ON_INTERNAL && !internalErrors.isEmpty()) {
            fail("garbage bodies answered with 'internal' instead of 'bad_request' (seed " + SEED + "): "
                    + internalErrors);
        }
        assertTrue(actions > 50, "the fuzzing did almost nothing: " + actions + " actions");
    }

    /**
     * Each hostile payload once, in order, on one connection: deep nesting, huge strings and numbers, invalid UTF-8,
     * lone surrogates, control characters, byte-order marks, UTF-16, trailing garbage, comments, non-objects,
     * duplicate keys. Each gets exactly the answer the protocol promises and the connection stays usable.
     */
    @Test
    void everyHostilePayloadGetsItsAnswer() {
        failures.clear();
        Worker w = new Worker(100, new Random(SEED), Long.MAX_VALUE);
        w.c = daemon.client();
        try {
            for (int kind = 0; kind < HOSTILE_KINDS; kind++) {
                if (kind == 21) {
                    continue; // random bytes: covered by the fuzzing
                }
                w.wellFramed(w.hostilePayload(kind), "hostile #" + kind);
                w.barrier();
            }
            w.drain(Duration.ofSeconds(30));
            assertEquals(0, w.pendingCount, "unanswered requests: " + w.pending.keySet());
            JsonObject status = w.c.request(Addresses.STATUS, new JsonObject());
            assertEquals("running", status.getString("state"));
        } finally {
            w.c.close();
        }
        assertNoFailures();
    }

    /** Every kind of connection-breaking input, each on a fresh connection, followed by a healthy status. */
    @Test
    void framingAttacksCloseOnlyTheirOwnConnection() throws Exception {
        failures.clear();
        try (DindexClient bystander = daemon.client()) {
            // Answered, so accepted and counted (connect() returns before the daemon has seen the connection).
            int baseline = bystander.request(Addresses.STATUS, new JsonObject()).getInteger("connections");
            for (int i = 0; i < 24; i++) {
                Worker w = new Worker(200 + i, new Random(SEED + i), Long.MAX_VALUE);
                w.c = daemon.client();
                try {
                    w.killer(i % 6);
                    w.barrier();
                } finally {
                    w.c.close();
                }
                assertEquals("running", bystander.request(Addresses.STATUS, new JsonObject()).getString("state"));
            }
            Await.until(Duration.ofSeconds(10), Duration.ofMillis(20), "the attacked connections closed (baseline "
                    + baseline + ")", () -> daemon.daemon.bridge().stats().connections() <= baseline);
            // At most the baseline: a connection an earlier test left open may close meanwhile, none may be added.
            int left = daemon.daemon.bridge().stats().connections();
            assertTrue(left <= baseline, "connections leaked: " + left + " open, " + baseline + " before");
        }
        assertNoFailures();
    }

    /**
     * A wrong JSON type for an optional field is the client's mistake: {@code bad_request} naming the field, not
     * {@code internal} with a ClassCastException (which is also logged as a WARNING with a stack trace each time).
     */
    @Test
    void wrongFieldTypesAreBadRequestsNotInternalErrors() throws Exception {
        Path file = Files.writeString(files.resolve("one.jsonl"), "{\"id\":\"a\",\"text\":\"hello world\"}\n");
        try (DindexClient c = daemon.client()) {
            String job = c.request(Addresses.IMPORT, new JsonObject().put("path", file.toString()))
                    .getJsonObject("job").getString("id");
            Object[][] cases = {
                    {Addresses.EXPORT, new JsonObject().put("limit", "100"), "limit"},
                    {Addresses.EXPORT, new JsonObject().put("limit", false), "limit"},
                    {Addresses.EXPORT, new JsonObject().putNull("limit"), "limit"},
                    {Addresses.JOBS_GET, new JsonObject().put("id", job).put("events", "yes"), "events"},
                    {Addresses.JOBS_GET, new JsonObject().put("id", job).put("events", 1), "events"},
                    // Loopback port 9 (discard): if the bad flag were accepted, the crawl would fail at once.
                    {Addresses.SCRAPE, new JsonObject().put("urls", new JsonArray().add("http://127.0.0.1:9/"))
                            .put("stay_on_domain", "yes"), "stay_on_domain"},
                    // An explicit null format fails the whole request (NullPointerException in
                    // DocumentRequest.parseFormat), not just this document. Either outcome below is fine.
                    {Addresses.INDEX_SUBMIT, new JsonObject().put("documents", new JsonArray().add(new JsonObject()
                            .put("source", "fuzz:null-format").put("text", "hello").putNull("format"))), "format"},
                    {Addresses.INDEX_SUBMIT, new JsonObject().put("documents", new JsonArray().add(new JsonObject()
                            .put("source", "fuzz:null-format-blocks").put("blocks", new JsonArray().add(new JsonObject()
                                    .put("text", "hello"))).putNull("format"))), "format"},
            };
            List<String> wrong = new ArrayList<>();
            for (Object[] k : cases) {
                try {
                    JsonObject reply = c.request((String) k[0], (JsonObject) k[1], Duration.ofSeconds(20));
                    if (!k[0].equals(Addresses.INDEX_SUBMIT)) {
                        wrong.add(k[0] + " " + k[1] + " -> accepted: " + reply.encode());
                    }
                } catch (DindexException e) {
                    if (e.code() != ErrorCode.BAD_REQUEST || !e.getMessage().contains((String) k[2])) {
                        wrong.add(k[0] + " " + k[1] + " -> " + e.code().wireName() + ": " + e.getMessage());
                    }
                }
            }
            assertTrue(wrong.isEmpty(), "expected bad_request naming the field:\n" + String.join("\n", wrong));
        }
    }

    /**
     * Found by the fuzzing: {@code dindex.stats} sizes the Lucene folder with {@code Files.walk}, whose stream throws
     * {@code UncheckedIOException(NoSuchFileException)} when a commit or merge deletes a file during the walk;
     * {@code IndexAdminVerticle.folderSize} catches only {@code IOException}, so stats answers {@code internal}.
     * Here: stats in a loop while documents are written and committed for a few seconds; not one may fail.
     */
    @Test
    void statsNeverFailWhileCommitsRun() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicLong answered = new AtomicLong();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (DindexClient c = daemon.client()) {
                while (writing.get()) {
                    try {
                        c.request(Addresses.STATS, new JsonObject(), Duration.ofSeconds(20));
                        answered.incrementAndGet();
                    } catch (DindexException e) {
                        errors.add(e.code().wireName() + ": " + e.getMessage());
                    }
                }
            }
        });
        try (DindexClient c = daemon.client()) {
            long end = System.nanoTime() + 8_000_000_000L;
            for (int i = 0; System.nanoTime() < end; i++) {
                c.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", new JsonArray().add(
                        new JsonObject().put("source", "fuzz:stats-race/" + (i % 20)).put("text", words(new Random(i),
                                30)))));
                c.request(Addresses.COMMIT, new JsonObject());
            }
        } finally {
            writing.set(false);
            reader.join(30_000);
        }
        assertTrue(answered.get() > 0);
        assertTrue(errors.isEmpty(), errors.size() + " of " + (answered.get() + errors.size())
                + " stats requests failed, e.g. " + errors.peek());
    }

    /**
     * Found by the fuzzing: a search whose query term matches a word longer than the snippet width (240 characters;
     * Lucene's tokenizer keeps words up to 255) fails with {@code internal: IndexOutOfBoundsException} in
     * {@code Snippets.snippet}: the window loop {@code while (hits.get(i)[1] - hits.get(j)[0] > width) j++} runs past
     * {@code i} when one hit alone is wider than the window. Long words are common enough: hashes, base64, URLs.
     */
    @Test
    void searchingForAWordLongerThanTheSnippetWorks() {
        String word = "Z" + hexOf(new Random(SEED), 249);
        try (DindexClient c = daemon.client()) {
            c.request(Addresses.INDEX_SUBMIT, new JsonObject().put("documents", new JsonArray().add(new JsonObject()
                    .put("source", "fuzz:long-word").put("text", "The checksum " + word + " was published."))));
            c.request(Addresses.COMMIT, new JsonObject());
            JsonObject r = c.request(Addresses.SEARCH, new JsonObject().put("query", word).put("mode", "bm25"));
            assertEquals("fuzz:long-word", r.getJsonArray("results").getJsonObject(0).getString("source"),
                    r.encode());
        }
    }

    /**
     * Found by the fuzzing: a client that disconnects after 1 to 3 bytes of a length prefix makes Vert.x hand the
     * partial prefix to {@code BridgeConnection.onRecord} when the stream ends; {@code record.getInt(0)} throws
     * {@code IndexOutOfBoundsException: 0 + 4 > 3}, logged as SEVERE "Unhandled exception" with a stack trace. Any
     * local process can fill the log that way. A partial frame body is likewise parsed as a (truncated) frame and
     * counted as a {@code bad_frame} the client never receives.
     */
    @Test
    void disconnectingMidFrameLogsNothingAndCountsNothing() throws Exception {
        List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    records.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.addHandler(capture);
        try (DindexClient bystander = daemon.client()) {
            long badFramesBefore = badFrames(bystander);
            // Answered, so accepted and counted (connect() returns before the daemon has seen the connection).
            int baseline = bystander.request(Addresses.STATUS, new JsonObject()).getInteger("connections");
            long acceptedBefore = daemon.daemon.bridge().stats().acceptedConnections();
            byte[] frame = new JsonObject().put("type", "ping").encode().getBytes(StandardCharsets.UTF_8);
            byte[] framed = ByteBuffer.allocate(frame.length + 4).putInt(frame.length).put(frame).array();
            int[] cuts = {1, 2, 3, 5, framed.length - 1};
            for (int cut : cuts) {
                try (DindexClient c = daemon.client()) {
                    c.writeBytes(ByteBuffer.wrap(framed, 0, cut));
                }
            }
            // The daemon has accepted and closed every cut connection: whatever it logs or counts for them is done.
            Await.until(Duration.ofSeconds(10), "the daemon accepted and closed the " + cuts.length
                    + " cut connections", () -> daemon.daemon.bridge().stats().acceptedConnections()
                    >= acceptedBefore + cuts.length && daemon.daemon.bridge().stats().connections() <= baseline);
            long counted = badFrames(bystander) - badFramesBefore;
            assertTrue(records.isEmpty() && counted == 0, "logged: " + records.stream().map(r -> r.getLevel() + " "
                    + r.getMessage() + " " + r.getThrown()).toList() + "; counted as bad_frame: " + counted);
        } finally {
            root.removeHandler(capture);
        }
    }

    private static long badFrames(DindexClient c) {
        return c.request(Addresses.STATUS, new JsonObject()).getJsonObject("bridge_errors").getLong("bad_frame", 0L);
    }

    private static String hexOf(Random r, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(Character.forDigit(r.nextInt(16), 16));
        }
        return sb.toString();
    }

    private static void assertNoFailures() {
        if (!failures.isEmpty()) {
            List<String> first = failures.stream().limit(25).toList();
            failures.clear();
            fail(first.size() + "+ protocol failures (seed " + SEED + "), first ones:\n" + String.join("\n", first));
        }
    }

    private static void assertCanaryFound(DindexClient c, String canaryId) {
        JsonObject r = c.request(Addresses.SEARCH, new JsonObject().put("query", CANARY_QUERY).put("top_k", 3),
                Duration.ofSeconds(30));
        JsonArray results = r.getJsonArray("results");
        assertTrue(results != null && !results.isEmpty(), "the canary document is not found: " + r.encode());
        assertEquals(canaryId, results.getJsonObject(0).getString("document_id"), r.encode());
        assertEquals(CANARY_SOURCE, results.getJsonObject(0).getString("source"));
        assertTrue(results.getJsonObject(0).getJsonArray("chunks").getJsonObject(0).getString("content")
                .contains("puffin burrows"), r.encode());
    }

    // ------------------------------------------------------------------------------------------------ the model

    /** What the daemon must answer to one well-framed payload. */
    record Expected(String kind, String code, String address, String replyAddress, long timeoutMs,
                    String register, String unregister, boolean forbidden) {
        static Expected err(String code, String address) {
            return new Expected("err", code, address, null, 0, null, null, false);
        }

        static Expected nothing() {
            return new Expected("none", null, null, null, 0, null, null, false);
        }
    }

    /** Applies the rules of docs/protocol.md (and of the bridge's code) to a payload, parsed exactly as the daemon does. */
    static Expected judge(byte[] payload, Set<String> registered) {
        JsonObject frame;
        try {
            frame = new JsonObject(Buffer.buffer(payload));
        } catch (DecodeException | ClassCastException e) {
            return Expected.err("bad_frame", null);
        } catch (RuntimeException | StackOverflowError e) {
            // The daemon's parser would throw this too: the protocol still promises an err frame.
            return Expected.err("bad_frame", null);
        }
        try {
            return judge(frame, registered);
        } catch (RuntimeException e) {
            return Expected.err("bad_frame", null);
        }
    }

    static Expected judge(JsonObject frame, Set<String> registered) {
        String replyAddress = frame.getValue("replyAddress") instanceof String s ? s : null;
        Object type = frame.getValue("type");
        if (!(type instanceof String typeName)) {
            return Expected.err("bad_frame", replyAddress);
        }
        switch (typeName) {
            case "ping":
                return new Expected("pong", null, null, null, 0, null, null, false);
            case "send":
            case "publish": {
                if (!(frame.getValue("address") instanceof String address) || address.isEmpty()) {
                    return Expected.err("bad_frame", replyAddress);
                }
                if (frame.containsKey("replyAddress") && replyAddress == null) {
                    return Expected.err("bad_frame", null);
                }
                Object body = frame.getValue("body");
                if (body != null && !(body instanceof JsonObject)) {
                    return Expected.err("bad_frame", replyAddress);
                }
                long timeout = REQUEST_TIMEOUT_MS;
                Object headers = frame.getValue("headers");
                if (headers != null) {
                    if (!(headers instanceof JsonObject h)) {
                        return Expected.err("bad_frame", replyAddress);
                    }
                    for (var e : h) {
                        if (e.getKey().equals("timeout_ms")) {
                            if (!(e.getValue() instanceof Number n) || n.longValue() <= 0) {
                                return Expected.err("bad_frame", replyAddress);
                            }
                            timeout = Math.min(n.longValue(), 3_600_000);
                        }
                    }
                }
                if (!SERVED.contains(address)) {
                    return Expected.err("access_denied", replyAddress);
                }
                boolean forbidden = NEVER_SEND.contains(address);
                if (typeName.equals("publish") || replyAddress == null) {
                    return new Expected("none", null, null, null, 0, null, null, forbidden);
                }
                return new Expected("reply", null, null, replyAddress, timeout, null, null, forbidden);
            }
            case "register":
            case "unregister": {
                if (!(frame.getValue("address") instanceof String address) || address.isEmpty()) {
                    return Expected.err("bad_frame", null);
                }
                if (typeName.equals("register")) {
                    boolean allowed = (address.startsWith(Addresses.PROGRESS_PREFIX)
                            && address.length() > Addresses.PROGRESS_PREFIX.length())
                            || (address.startsWith(Addresses.EVENTS_PREFIX)
                            && address.length() > Addresses.EVENTS_PREFIX.length());
                    return allowed ? new Expected("none", null, null, null, 0, address, null, false)
                            : Expected.err("access_denied", address);
                }
                return registered.contains(address) ? new Expected("none", null, null, null, 0, null, address, false)
                        : Expected.err("not_found", address);
            }
            default:
                return Expected.err("bad_frame", replyAddress);
        }
    }

    // ------------------------------------------------------------------------------------------------ the worker

    record Awaited(String what, long deadlineNanos) {
    }

    record SyncErr(String code, String address, String what) {
    }

    final class Worker implements Runnable {
        final int id;
        final Random rnd;
        final long endNanos;
        DindexClient c;
        final Map<String, Deque<Awaited>> pending = new HashMap<>();
        int pendingCount;
        final Deque<SyncErr> sync = new ArrayDeque<>();
        int pongs;
        final Set<String> registered = new HashSet<>();
        final Set<String> everRegistered = new HashSet<>();
        long seq;
        long actions;
        long reconnects;
        String last = "(nothing yet)";

        Worker(int id, Random rnd, long endNanos) {
            this.id = id;
            this.rnd = rnd;
            this.endNanos = endNanos;
        }

        @Override
        public void run() {
            try {
                c = daemon.client();
                while (System.nanoTime() < endNanos && failures.size() < 100) {
                    actions++;
                    step();
                }
                drain(Duration.ofSeconds(REQUEST_TIMEOUT_MS / 1000 + 20));
                if (pendingCount > 0) {
                    pending.forEach((k, v) -> v.forEach(a -> failures.add("worker " + id + ": no reply on '" + k
                            + "' to " + a.what)));
                }
            } catch (Throwable e) {
                failures.add("worker " + id + " crashed after " + last + ": " + e);
            } finally {
                if (c != null) {
                    c.close();
                }
            }
        }

        String rid() {
            return "fz" + id + "." + (++seq);
        }

        void step() {
            int roll = rnd.nextInt(100);
            if (roll < 30) {
                wellFramed(requestFrame().encode().getBytes(StandardCharsets.UTF_8), "request");
            } else if (roll < 52) {
                byte[] base = rnd.nextInt(4) == 0 ? structuralFrame().encode().getBytes(StandardCharsets.UTF_8)
                        : requestFrame().encode().getBytes(StandardCharsets.UTF_8);
                wellFramed(mutate(base), "mutated frame");
            } else if (roll < 67) {
                wellFramed(structuralFrame().encode().getBytes(StandardCharsets.UTF_8), "structural");
            } else if (roll < 77) {
                wellFramed(accessFrame().encode().getBytes(StandardCharsets.UTF_8), "access");
            } else if (roll < 85) {
                wellFramed(hostilePayload(), "hostile JSON");
            } else if (roll < 89) {
                byte[] p = rnd.nextBoolean() ? requestFrame().encode().getBytes(StandardCharsets.UTF_8)
                        : mutate(structuralFrame().encode().getBytes(StandardCharsets.UTF_8));
                duplicated(p);
            } else if (roll < 92) {
                pipelined();
            } else {
                killer();
            }
            if (c != null && rnd.nextInt(3) > 0) {
                barrier();
            }
        }

        // ---------------------------------------------------------------- sending well-framed payloads

        /** Judges, records the expectation, sends. Returns false when the payload was not sent (forbidden). */
        boolean wellFramed(byte[] payload, String kind) {
            if (payload.length == 0 || payload.length > MAX_FRAME) {
                return false;
            }
            Expected e = judge(payload, registered);
            if (e.forbidden()) {
                return false;
            }
            if (payload.length > 64 * 1024) {
                // Large frames go alone so a large err reply cannot fill both directions' buffers at once.
                barrier();
                drain(Duration.ofSeconds(30));
            }
            last = kind + ": " + preview(payload);
            expect(e, last);
            c.writeRaw(payload);
            if (pendingCount >= MAX_PENDING) {
                drainTo(MAX_PENDING / 2);
            }
            return true;
        }

        void expect(Expected e, String what) {
            switch (e.kind()) {
                case "err" -> sync.add(new SyncErr(e.code(), e.address(), what));
                case "pong" -> pongs++;
                case "reply" -> {
                    pending.computeIfAbsent(e.replyAddress(), k -> new ArrayDeque<>()).add(new Awaited(what,
                            System.nanoTime() + (e.timeoutMs() + 20_000) * 1_000_000));
                    pendingCount++;
                }
                default -> {
                    if (e.register() != null) {
                        registered.add(e.register());
                        everRegistered.add(e.register());
                    }
                    if (e.unregister() != null) {
                        registered.remove(e.unregister());
                    }
                }
            }
        }

        void duplicated(byte[] payload) {
            if (payload.length > 16 * 1024) {
                return;
            }
            Expected first = judge(payload, registered);
            if (first.forbidden()) {
                return;
            }
            last = "duplicated: " + preview(payload);
            expect(first, last);
            expect(judge(payload, registered), last + " (second copy)");
            ByteBuffer out = ByteBuffer.allocate(2 * (payload.length + 4));
            out.putInt(payload.length).put(payload).putInt(payload.length).put(payload).flip();
            c.writeBytes(out);
        }

        /** Several frames in one write, mixed good and bad: each gets its own answer, in order. */
        void pipelined() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int n = 2 + rnd.nextInt(6);
            StringBuilder what = new StringBuilder("pipelined:");
            for (int i = 0; i < n; i++) {
                byte[] p = switch (rnd.nextInt(4)) {
                    case 0 -> requestFrame().encode().getBytes(StandardCharsets.UTF_8);
                    case 1 -> structuralFrame().encode().getBytes(StandardCharsets.UTF_8);
                    case 2 -> accessFrame().encode().getBytes(StandardCharsets.UTF_8);
                    default -> mutate(requestFrame().encode().getBytes(StandardCharsets.UTF_8));
                };
                if (p.length == 0 || p.length > 16 * 1024) {
                    continue;
                }
                Expected e = judge(p, registered);
                if (e.forbidden()) {
                    continue;
                }
                expect(e, "pipelined #" + i + ": " + preview(p));
                what.append(' ').append(preview(p));
                out.writeBytes(ByteBuffer.allocate(4).putInt(p.length).array());
                out.writeBytes(p);
            }
            last = what.toString();
            c.writeBytes(ByteBuffer.wrap(out.toByteArray()));
        }

        // ---------------------------------------------------------------- connection killers

        void killer() {
            killer(rnd.nextInt(6));
        }

        void killer(int kind) {
            if (kind != 4) {
                // Settle everything owed on this connection first, so nothing is lost with it.
                barrier();
                drain(Duration.ofSeconds(REQUEST_TIMEOUT_MS / 1000 + 20));
            }
            switch (kind) {
                case 0 -> badLength();
                case 1 -> {
                    // A length prefix larger than what follows, then close.
                    int length = 100 + rnd.nextInt(MAX_FRAME - 100);
                    byte[] some = bytes(rnd, rnd.nextInt(Math.min(length, 4096)));
                    last = "length " + length + " with " + some.length + " bytes, then close";
                    c.writeBytes(ByteBuffer.allocate(4 + some.length).putInt(length).put(some).flip());
                    reconnect();
                }
                case 2 -> {
                    // Part of a valid frame (possibly part of its length prefix), then close.
                    byte[] p = requestFrame().encode().getBytes(StandardCharsets.UTF_8);
                    byte[] framed = ByteBuffer.allocate(p.length + 4).putInt(p.length).put(p).array();
                    int cut = 1 + rnd.nextInt(framed.length - 1);
                    last = "first " + cut + " of " + framed.length + " bytes of a frame, then close";
                    c.writeBytes(ByteBuffer.wrap(framed, 0, cut));
                    reconnect();
                }
                case 3 -> {
                    // Random bytes: the framing is lost; the daemon may answer too_large and close.
                    byte[] junk = bytes(rnd, 1 + rnd.nextInt(8192));
                    last = "random byte stream of " + junk.length + " bytes, then close";
                    try {
                        c.writeBytes(ByteBuffer.wrap(junk));
                    } catch (DindexException ignored) {
                        // the daemon may already have closed the connection
                    }
                    reconnect();
                }
                case 4 -> {
                    // Requests in flight, then gone: their replies have nowhere to go.
                    for (int i = 0; i < 1 + rnd.nextInt(8); i++) {
                        byte[] p = requestFrame().encode().getBytes(StandardCharsets.UTF_8);
                        if (!judge(p, registered).forbidden()) {
                            c.writeRaw(p);
                        }
                    }
                    last = "requests in flight, then close";
                    reconnect();
                }
                default -> {
                    // A frame split into tiny writes: reassembly must work (this one keeps the connection).
                    byte[] p = requestFrame().encode().getBytes(StandardCharsets.UTF_8);
                    Expected e = judge(p, registered);
                    if (e.forbidden()) {
                        return;
                    }
                    last = "frame in tiny pieces: " + preview(p);
                    expect(e, last);
                    byte[] framed = ByteBuffer.allocate(p.length + 4).putInt(p.length).put(p).array();
                    for (int i = 0; i < framed.length; ) {
                        int n = Math.min(framed.length - i, 1 + rnd.nextInt(7));
                        c.writeBytes(ByteBuffer.wrap(framed, i, n));
                        i += n;
                    }
                }
            }
        }

        void badLength() {
            int length = switch (rnd.nextInt(6)) {
                case 0 -> 0;
                case 1 -> -1 - rnd.nextInt(Integer.MAX_VALUE);
                case 2 -> MAX_FRAME + 1;
                case 3 -> Integer.MAX_VALUE;
                case 4 -> Integer.MIN_VALUE;
                default -> MAX_FRAME + 1 + rnd.nextInt(Integer.MAX_VALUE - MAX_FRAME - 1);
            };
            last = "length prefix " + length;
            byte[] after = rnd.nextBoolean() ? new byte[0] : bytes(rnd, rnd.nextInt(256));
            c.writeBytes(ByteBuffer.allocate(4 + after.length).putInt(length).put(after).flip());
            long deadline = System.nanoTime() + 10_000_000_000L;
            boolean sawErr = false;
            try {
                while (System.nanoTime() < deadline) {
                    JsonObject f = c.readFrame(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime())
                            / 1_000_000)));
                    if (f == null) {
                        break;
                    }
                    if (!sawErr && "err".equals(f.getString("type")) && "too_large".equals(f.getString("code"))
                            && f.getString("address") == null) {
                        sawErr = true;
                        count("err:too_large");
                    } else {
                        handle(f);
                    }
                }
                failures.add("worker " + id + ": connection still open 10 s after " + last
                        + (sawErr ? "" : " (and no too_large err)"));
            } catch (DindexException closed) {
                if (!sawErr) {
                    failures.add("worker " + id + ": closed without a too_large err after " + last + ": "
                            + closed.getMessage());
                }
            }
            reconnect();
        }

        void reconnect() {
            c.close();
            reconnects++;
            pending.clear();
            pendingCount = 0;
            sync.clear();
            pongs = 0;
            registered.clear();
            c = daemon.client();
        }

        // ---------------------------------------------------------------- reading and checking answers

        void barrier() {
            String address = "barrier." + id + "." + (++seq);
            c.writeFrame(new JsonObject().put("type", "send").put("address", Addresses.STATUS)
                    .put("replyAddress", address).put("body", new JsonObject()));
            long deadline = System.nanoTime() + BARRIER_WAIT.toNanos();
            while (true) {
                JsonObject f = read(deadline);
                if (f == null) {
                    failures.add("worker " + id + ": no reply to a status request within " + BARRIER_WAIT
                            + " after " + last);
                    reconnect();
                    return;
                }
                if ("message".equals(f.getString("type")) && address.equals(f.getString("address"))) {
                    if (!"running".equals(f.getJsonObject("body").getString("state"))) {
                        failures.add("worker " + id + ": daemon state " + f.getJsonObject("body").getString("state"));
                    }
                    break;
                }
                handle(f);
            }
            for (SyncErr s : sync) {
                failures.add("worker " + id + ": silence (no err " + s.code() + (s.address() == null ? ""
                        : " for '" + abbreviate(s.address()) + "'") + ") after " + s.what());
            }
            sync.clear();
            if (pongs > 0) {
                failures.add("worker " + id + ": " + pongs + " pong(s) missing after " + last);
                pongs = 0;
            }
            checkOverdue();
        }

        /** The next frame, or null at the deadline; an unexpected close is a failure and reconnects. */
        JsonObject read(long deadlineNanos) {
            try {
                return c.readFrame(Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime())));
            } catch (DindexException e) {
                failures.add("worker " + id + ": connection closed unexpectedly (" + e.getMessage() + ") after "
                        + last);
                reconnect();
                return null;
            }
        }

        void handle(JsonObject f) {
            String type = f.getString("type");
            String address = f.getString("address");
            switch (type == null ? "" : type) {
                case "err" -> {
                    String code = f.getString("code");
                    for (Iterator<SyncErr> it = sync.iterator(); it.hasNext(); ) {
                        SyncErr s = it.next();
                        if (s.code().equals(code) && java.util.Objects.equals(s.address(), address)) {
                            it.remove();
                            count("err:" + code);
                            checkErrShape(f);
                            return;
                        }
                    }
                    if (address != null && resolve(address, f)) {
                        return;
                    }
                    failures.add("worker " + id + ": unexpected err frame " + abbreviate(f.encode()) + " after "
                            + last);
                }
                case "message" -> {
                    if (address != null && resolve(address, f)) {
                        return;
                    }
                    if (!everRegistered.contains(address)) {
                        failures.add("worker " + id + ": unexpected message " + abbreviate(f.encode()) + " after "
                                + last);
                    }
                }
                case "pong" -> {
                    if (pongs > 0) {
                        pongs--;
                        count("pong");
                    } else {
                        failures.add("worker " + id + ": unexpected pong after " + last);
                    }
                }
                default -> failures.add("worker " + id + ": unknown server frame " + abbreviate(f.encode()));
            }
        }

        boolean resolve(String address, JsonObject f) {
            Deque<Awaited> q = pending.get(address);
            if (q == null || q.isEmpty()) {
                return false;
            }
            Awaited a = q.poll();
            if (q.isEmpty()) {
                pending.remove(address);
            }
            pendingCount--;
            if ("err".equals(f.getString("type"))) {
                String code = f.getString("code");
                count("reply-err:" + code);
                checkErrShape(f);
                if ("internal".equals(code)) {
                    internalErrors.putIfAbsent(abbreviate(f.getString("message")), a.what());
                } else if ("timeout".equals(code)) {
                    timeouts.add(abbreviate(a.what()));
                }
            } else {
                count("reply");
            }
            return true;
        }

        void checkErrShape(JsonObject f) {
            if (!(f.getValue("failureCode") instanceof Number) || !"RECIPIENT_FAILURE".equals(f.getString(
                    "failureType")) || !(f.getValue("message") instanceof String m) || m.isBlank()) {
                failures.add("worker " + id + ": malformed err frame " + abbreviate(f.encode()));
            } else if (m.contains("\tat ") || m.contains("\n\tat")) {
                failures.add("worker " + id + ": stack trace in err frame " + abbreviate(m));
            }
        }

        void checkOverdue() {
            long now = System.nanoTime();
            for (var e : pending.entrySet()) {
                for (Awaited a : e.getValue()) {
                    if (now > a.deadlineNanos()) {
                        failures.add("worker " + id + ": no reply on '" + e.getKey() + "' in time to " + a.what());
                        e.getValue().clear();
                        break;
                    }
                }
            }
            pending.values().removeIf(Deque::isEmpty);
            pendingCount = pending.values().stream().mapToInt(Deque::size).sum();
        }

        void drain(Duration max) {
            drainTo(0, max);
        }

        void drainTo(int target) {
            drainTo(target, Duration.ofSeconds(REQUEST_TIMEOUT_MS / 1000 + 20));
        }

        void drainTo(int target, Duration max) {
            long deadline = System.nanoTime() + max.toNanos();
            while (pendingCount > target && System.nanoTime() < deadline) {
                JsonObject f = read(deadline);
                if (f == null) {
                    break;
                }
                handle(f);
            }
            if (pendingCount > target) {
                checkOverdue();
            }
        }

        // ---------------------------------------------------------------- generators

        <T> T pick(List<T> options) {
            return options.get(rnd.nextInt(options.size()));
        }

        JsonObject requestFrame() {
            String address = pick(TARGETS);
            JsonObject f = new JsonObject().put("type", "send").put("address", address).put("replyAddress", rid());
            JsonObject body = bodyFor(address);
            if (body != null || rnd.nextInt(4) > 0) {
                f.put("body", body == null ? new JsonObject() : body);
            }
            if (rnd.nextInt(8) == 0) {
                f.put("headers", new JsonObject().put("timeout_ms", 1 + rnd.nextInt(15_000)).put("x-" + rnd.nextInt(9),
                        randomString()));
            }
            if (rnd.nextInt(10) == 0) {
                f.put("type", "publish");
            } else if (rnd.nextInt(12) == 0) {
                f.remove("replyAddress");
            }
            return f;
        }

        JsonObject bodyFor(String address) {
            JsonObject b = switch (address) {
                case Addresses.SEARCH -> searchBody();
                case Addresses.CONTEXT -> searchBody().put("budget", pick(List.of(49, 50, 2000, 1_000_000,
                        1_000_001, -1, "2000", 2.5)));
                case Addresses.INDEX_SUBMIT -> submitBody();
                case Addresses.DELETE -> deleteBody();
                case Addresses.EXPORT -> maybe(maybe(new JsonObject(), "limit", () -> pick(List.of(0, 1, 10, 5000,
                        5001, -3, "100", 2.5, true))), "after", () -> pick(List.of(randomString(), 5, "fuzz-0",
                        "")));
                case Addresses.JOBS_LIST -> maybe(maybe(new JsonObject(), "state", () -> pick(List.of("running",
                        "queued", "failed", "bogus", 4, ""))), "type", () -> pick(List.of("import", "scrape", "x",
                        7)));
                case Addresses.JOBS_GET, Addresses.JOBS_CANCEL -> maybe(new JsonObject().put("id", jobId()),
                        "events", () -> pick(List.of(true, false, "yes", 1)));
                case Addresses.IMPORT -> importBody();
                case Addresses.TOPICS -> clusterBody();
                case Addresses.SCRAPE -> new JsonObject().put("urls", pick(List.<Object>of("http://x", new JsonArray(),
                                new JsonArray().add(5), new JsonArray().add("file:///etc/passwd"),
                                new JsonArray().add("javascript:alert(1)"), new JsonArray().add("ftp://h/x"),
                                new JsonArray().add(""), new JsonObject())))
                        .put("depth", pick(List.of(-1, 2, "x")));
                default -> rnd.nextBoolean() ? null : randomObject(2);
            };
            if (b != null && rnd.nextInt(5) == 0) {
                b.put(randomKey(), randomValue(2));
            }
            return b;
        }

        JsonObject searchBody() {
            JsonObject b = new JsonObject();
            maybe(b, "query", () -> pick(List.of(words(rnd, 1 + rnd.nextInt(8)), "", "   ", "x".repeat(10_001),
                    5, new JsonArray().add("q"), randomString(), "\u0000\u202e\ud83d\ude00", new JsonObject())));
            if (!b.containsKey("query") && rnd.nextBoolean()) {
                b.put("query", words(rnd, 3));
            }
            maybe(b, "top_k", () -> pick(List.of(0, -1, 1, 10, 1000, 1001, "10", 1.5, Long.MAX_VALUE, 1e300)));
            maybe(b, "mode", () -> pick(List.of("hybrid", "dense", "bm25", "BM25", "", 3)));
            maybe(b, "filters", () -> pick(List.of(filters(), "x", new JsonArray(), new JsonObject()
                    .put(randomKey(), 1))));
            maybe(b, "fusion", () -> pick(List.of(new JsonObject().put("method", pick(List.of("rrf", "linear",
                    "x", 5))).put("rrf_k", pick(List.of(-1, 0, 60, "x"))).put("alpha", pick(List.of(-0.5, 0.5, 2))),
                    "rrf", new JsonObject().put("dense_weight", 1e308))));
            maybe(b, "candidates", () -> pick(List.of(0, 10, 10_001, "5", -2)));
            maybe(b, "explain", () -> pick(List.of(true, "yes", 1)));
            maybe(b, "title_weight", () -> pick(List.of(-1, 0.5, 11, "x")));
            maybe(b, "query_vector", () -> pick(List.of(new JsonArray(), new JsonArray().add(1).add(2),
                    "x", vector(384), vector(385), new JsonArray().add("a"))));
            return b;
        }

        JsonObject filters() {
            JsonObject f = new JsonObject();
            maybe(f, "source_url_prefix", () -> pick(List.of("fuzz:", "", 5, "/")));
            maybe(f, "document_ids", () -> pick(List.of(new JsonArray().add(hex(64)), "x", new JsonArray().add(5),
                    new JsonArray())));
            maybe(f, "metadata_equals", () -> pick(List.of(new JsonObject().put("team", "a"), "x",
                    new JsonObject().put("k", new JsonArray().add(1)), new JsonObject().put("", null))));
            maybe(f, "metadata_contains", () -> pick(List.of(new JsonObject().put("tags", "x"), 3)));
            maybe(f, "min_timestamp", () -> pick(List.of(0, -1, Long.MAX_VALUE, "2026-01-01T00:00:00Z", "yesterday",
                    1e300)));
            maybe(f, "max_timestamp", () -> pick(List.of(Long.MIN_VALUE, "not a date", 1700000000000L)));
            return f;
        }

        JsonObject submitBody() {
            int roll = rnd.nextInt(10);
            if (roll == 0) {
                return new JsonObject().put("documents", pick(List.of("x", new JsonObject(), 5)));
            }
            if (roll == 1) {
                return new JsonObject();
            }
            JsonArray docs = new JsonArray();
            int n = rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                docs.add(rnd.nextInt(8) == 0 ? randomValue(1) : document());
            }
            return new JsonObject().put("documents", docs);
        }

        JsonObject document() {
            JsonObject d = new JsonObject();
            maybe(d, "source", () -> pick(List.of("fuzz:" + hex(8), "fuzz:" + randomString(), "", 5,
                    new JsonArray())));
            maybe(d, "url", () -> pick(List.of("https://fuzz.example/" + hex(6), "not a url", 7)));
            maybe(d, "title", () -> pick(List.of(words(rnd, 2), "", 3, "\u0000")));
            if (rnd.nextInt(4) == 0) {
                JsonArray blocks = new JsonArray();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    blocks.add(rnd.nextInt(5) == 0 ? randomValue(1) : new JsonObject()
                            .put("section", pick(List.of(new JsonArray().add(words(rnd, 1)), "s", new JsonArray()
                                    .add(5))))
                            .put("text", pick(List.of(words(rnd, 30), 5, ""))));
                }
                d.put("blocks", pick(List.<Object>of(blocks, "blocks", new JsonObject())));
            } else {
                maybe(d, "text", () -> pick(List.of(words(rnd, 5 + rnd.nextInt(150)), "", 42,
                        "<html><body><h1>" + words(rnd, 2) + "</h1><p>" + words(rnd, 40) + "<script>x</script>",
                        "# " + words(rnd, 2) + "\n\n" + words(rnd, 60), randomString())));
            }
            maybe(d, "format", () -> pick(List.of("text", "markdown", "html", "pdf", "", 5)));
            maybe(d, "metadata", () -> pick(List.of(new JsonObject().put("team", "a"), "meta", new JsonArray(),
                    randomObject(3))));
            maybe(d, "timestamp", () -> pick(List.of(0, -1, Long.MAX_VALUE, Long.MIN_VALUE, "2026-01-01", 1.5e300)));
            return d;
        }

        JsonObject deleteBody() {
            JsonObject b = new JsonObject();
            maybe(b, "doc_ids", () -> pick(List.of(new JsonArray().add(hex(64)), new JsonArray(), "x",
                    new JsonArray().add(5).add((Object) null), new JsonArray().add(randomString()))));
            // Never a prefix of the canary's source: these are all "fuzz:", "/..." or garbage that is no string.
            maybe(b, "source_prefix", () -> pick(List.of("fuzz:" + hex(2), "", "/nonexistent/" + hex(4), 5,
                    new JsonArray(), "fuzz:")));
            return b;
        }

        JsonObject importBody() {
            JsonObject b = new JsonObject();
            maybe(b, "path", () -> pick(List.of(
                    files.resolve(pick(List.of("random.bin", "random.jsonl", "mixed.jsonl", "fake.xml.bz2",
                            "fake.xml.gz", "truncated.xml", "deep.xml", "empty.jsonl"))).toString(),
                    files.resolve("missing-" + hex(4)).toString(), "relative/path.jsonl", "", "/", files.toString(),
                    files + "/../" + files.getFileName() + "/mixed.jsonl", "/nonexistent\u0000/x", "/" + "a".repeat(5000),
                    5, new JsonArray())));
            maybe(b, "format", () -> pick(List.of("jsonl", "wikipedia-xml", "csv", "", 5)));
            maybe(b, "namespaces", () -> pick(List.of(new JsonArray().add(0), new JsonArray().add(-1), "0",
                    new JsonArray().add(1e10), new JsonArray().add("a"))));
            maybe(b, "max_docs", () -> pick(List.of(-1, 0, 10, "x", 1e300)));
            maybe(b, "min_length", () -> pick(List.of(-1, 0, 100, "x")));
            maybe(b, "resume", () -> pick(List.of("import-12345678", "x", 5, "../../etc")));
            return b;
        }

        JsonObject clusterBody() {
            JsonObject b = new JsonObject();
            maybe(b, "urls", () -> {
                JsonArray urls = new JsonArray();
                for (int i = rnd.nextInt(6); i > 0; i--) {
                    urls.add(rnd.nextInt(4) == 0 ? randomValue(0) : "https://fuzz.example/" + hex(6));
                }
                return pick(List.<Object>of(urls, "x", new JsonArray(), 5));
            });
            maybe(b, "k", () -> pick(List.of(0, -1, 2, 1_000_000, "2", 2.5)));
            return b;
        }

        String jobId() {
            return pick(List.of("import-" + hex(8), "scrape-" + hex(8), "x", "../../etc/passwd", "import-",
                    randomString()));
        }

        /** Frames that are valid JSON objects but break the frame rules. */
        JsonObject structuralFrame() {
            JsonObject f = new JsonObject();
            switch (rnd.nextInt(14)) {
                case 0 -> f.put("address", Addresses.STATUS).put("replyAddress", rid());
                case 1 -> f.put("type", pick(List.of(42, true, new JsonArray(), new JsonObject(), 1.5)))
                        .put("address", Addresses.STATUS).put("replyAddress", rid());
                case 2 -> f.putNull("type").put("replyAddress", rid());
                case 3 -> f.put("type", pick(List.of("sned", "SEND", "Send", "", "send ", "pingg", "message", "err",
                        "pong", randomString()))).put("address", Addresses.STATUS).put("replyAddress", rid());
                case 4 -> f.put("type", pick(List.of("send", "publish", "register", "unregister")))
                        .put("replyAddress", rid());
                case 5 -> f.put("type", pick(List.of("send", "publish", "register", "unregister")))
                        .put("address", pick(List.of("", 5, new JsonArray(), new JsonObject(), false)))
                        .put("replyAddress", rid());
                case 6 -> f.put("type", "send").put("address", Addresses.STATUS)
                        .put("replyAddress", pick(List.of(5, new JsonArray(), new JsonObject(), true)));
                case 7 -> f.put("type", "send").put("address", Addresses.STATUS).putNull("replyAddress");
                case 8 -> f.put("type", pick(List.of("send", "publish"))).put("address", Addresses.SEARCH)
                        .put("replyAddress", rid()).put("body", pick(List.of("text", 5, new JsonArray().add(1), true)));
                case 9 -> f.put("type", "send").put("address", Addresses.STATS).put("replyAddress", rid())
                        .put("headers", pick(List.of("h", 5, new JsonArray())));
                case 10 -> f.put("type", "send").put("address", Addresses.STATS).put("replyAddress", rid())
                        .put("headers", new JsonObject().put("timeout_ms", pick(List.of(0, -5, "100", true,
                                new JsonArray(), Long.MIN_VALUE))));
                case 11 -> f.put("type", "ping").put("address", randomString()).put("body", randomValue(1));
                case 12 -> f.put("type", pick(List.of("send", "publish"))).put("address", Addresses.STATUS)
                        .put("replyAddress", rid()).putNull("body").putNull("headers");
                default -> f.put("type", "send").put("address", pick(TARGETS)).put("replyAddress", rid())
                        .put("body", new JsonObject()).put("headers", new JsonObject().put("timeout_ms",
                                Long.MAX_VALUE).put("x", new JsonArray().add(1)));
            }
            return f;
        }

        /** Sends and publishes outside the permitted set, registrations inside and outside the event prefixes. */
        JsonObject accessFrame() {
            String denied = pick(List.of("dindex.nope", "vertx.internal", "__vertx.reply.1", "dindex.status ",
                    " dindex.status", "DINDEX.STATUS", "dindex.status\u0000", "dindex.", "dindex.progress.x",
                    "dindex.events.jobs", "dindex.search.x", "dindex.index", "dindex.test.echo", randomString(),
                    "dindex.shutdown.now", "dindex.clear.x", "x".repeat(5000)));
            return switch (rnd.nextInt(5)) {
                case 0, 1 -> new JsonObject().put("type", rnd.nextBoolean() ? "send" : "publish")
                        .put("address", denied).put("replyAddress", rid()).put("body", new JsonObject());
                case 2 -> new JsonObject().put("type", "register").put("address", pick(List.of(Addresses.STATUS,
                        "dindex.events.", "dindex.progress.", "dindex.event.jobs", "vertx.x", denied,
                        "dindex.events.jobs", "dindex.progress." + jobId(), "dindex.events." + randomString())));
                case 3 -> new JsonObject().put("type", "unregister").put("address", pick(List.of(
                        "dindex.events.jobs", "dindex.progress.import-" + hex(8), denied)));
                default -> new JsonObject().put("type", "ping");
            };
        }

        byte[] hostilePayload() {
            return hostilePayload(rnd.nextInt(HOSTILE_KINDS));
        }

        byte[] hostilePayload(int kind) {
            return switch (kind) {
                case 0 -> "[".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
                case 1 -> ("{\"a\":".repeat(60_000) + "1" + "}".repeat(60_000)).getBytes(StandardCharsets.US_ASCII);
                case 2 -> ("{\"type\":\"send\",\"address\":\"dindex.search\",\"replyAddress\":\"" + rid()
                        + "\",\"body\":{\"query\":" + "[".repeat(50_000) + "]".repeat(50_000) + "}}")
                        .getBytes(StandardCharsets.US_ASCII);
                case 3 -> new JsonObject().put("type", "send").put("address", Addresses.SEARCH).put("replyAddress", rid())
                        .put("body", new JsonObject().put("query", "x".repeat(1_500_000))).encode()
                        .getBytes(StandardCharsets.UTF_8);
                case 4 -> new JsonObject().put("type", "x".repeat(1_000_000)).encode().getBytes(StandardCharsets.UTF_8);
                case 5 -> new JsonObject().put("type", "send").put("address", "a".repeat(1_000_000))
                        .put("replyAddress", rid()).encode().getBytes(StandardCharsets.UTF_8);
                case 6 -> {
                    JsonObject body = new JsonObject();
                    for (int i = 0; i < 60_000; i++) {
                        body.put("k" + i, i);
                    }
                    yield new JsonObject().put("type", "send").put("address", Addresses.STATS).put("replyAddress", rid())
                            .put("body", body).encode().getBytes(StandardCharsets.UTF_8);
                }
                case 7 -> ("{\"type\":\"send\",\"address\":\"dindex.search\",\"replyAddress\":\"" + rid()
                        + "\",\"body\":{\"query\":\"x\",\"top_k\":" + "9".repeat(5000) + "}}")
                        .getBytes(StandardCharsets.US_ASCII);
                case 8 -> ("{\"type\":\"send\",\"address\":\"dindex.search\",\"replyAddress\":\"" + rid()
                        + "\",\"body\":{\"query\":\"x\",\"top_k\":1e999999}}").getBytes(StandardCharsets.US_ASCII);
                case 9 -> concat("{\"type\":\"send\",\"address\":\"dindex.status\",\"replyAddress\":\"",
                        new byte[]{(byte) 0xc0, (byte) 0xaf, (byte) 0xff, (byte) 0xe2, (byte) 0x82}, "\"}");
                case 10 -> concat("{\"type\":\"", new byte[]{(byte) 0xed, (byte) 0xa0, (byte) 0x80}, "\"}");
                case 11 -> ("{\"type\":\"\\ud800\",\"replyAddress\":\"\\udfff" + rid() + "\"}")
                        .getBytes(StandardCharsets.US_ASCII);
                case 12 -> ("{\"type\":\"send\",\"address\":\"\\ud83d\",\"replyAddress\":\"\\ud800\"}")
                        .getBytes(StandardCharsets.US_ASCII);
                case 13 -> ("{\"type\":\"register\",\"address\":\"dindex.events.\\udc00\"}")
                        .getBytes(StandardCharsets.US_ASCII);
                case 14 -> concat("{\"type\":\"ping\",\"x\":\"a", new byte[]{0, 1, 2, 0x1f}, "\"}");
                case 15 -> concat("", new byte[]{(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, "{\"type\":\"ping\"}");
                case 16 -> "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_16BE);
                case 17 -> "{\"type\":\"ping\"} trailing".getBytes(StandardCharsets.US_ASCII);
                case 18 -> pick(List.of("null", "1", "\"s\"", "[]", "true", "{}", " ", "/* c */{\"type\":\"ping\"}",
                        "{'type':'ping'}", "{type:\"ping\"}", "{\"type\":NaN}", "{\"type\":\"ping\",}",
                        "{\"type\":\"ping\",\"type\":\"send\"}", "{\"type\":\"send\",\"type\":\"ping\"}", "\u0000"))
                        .getBytes(StandardCharsets.UTF_8);
                case 19 -> ("{\"type\":\"send\",\"address\":\"dindex.status\",\"replyAddress\":\"" + rid()
                        + "\",\"headers\":{\"timeout_ms\":1e999}}").getBytes(StandardCharsets.US_ASCII);
                case 20 -> {
                    // Nesting just inside Jackson's default limit, in a body that reaches a handler.
                    String deep = "[".repeat(990) + "]".repeat(990);
                    yield ("{\"type\":\"send\",\"address\":\"dindex.search\",\"replyAddress\":\"" + rid()
                            + "\",\"body\":{\"query\":\"x\",\"filters\":{\"metadata_equals\":{\"a\":" + deep
                            + "}}}}").getBytes(StandardCharsets.US_ASCII);
                }
                case 21 -> bytes(rnd, 1 + rnd.nextInt(2048));
                case 22 -> new JsonObject().put("type", "send").put("address", Addresses.INDEX_SUBMIT).put("replyAddress",
                        rid()).put("body", new JsonObject().put("documents", new JsonArray().add(new JsonObject()
                        .put("source", "fuzz:deep-meta").put("text", words(rnd, 20)).put("metadata",
                                nested(200))))).encode().getBytes(StandardCharsets.UTF_8);
                default -> new JsonObject().put("type", "send").put("address", Addresses.SEARCH).put("replyAddress",
                        rid()).put("body", new JsonObject().put("query", "\ud83d\ude00".repeat(2500) + "\u0000"
                        + "\u202e")).encode().getBytes(StandardCharsets.UTF_8);
            };
        }

        JsonObject nested(int depth) {
            JsonObject o = new JsonObject().put("leaf", 1);
            for (int i = 0; i < depth; i++) {
                o = new JsonObject().put("n", o);
            }
            return o;
        }

        byte[] mutate(byte[] in) {
            byte[] b = in.clone();
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n && b.length > 0; i++) {
                int pos = rnd.nextInt(b.length);
                switch (rnd.nextInt(8)) {
                    case 0 -> b[pos] ^= (byte) (1 << rnd.nextInt(8));
                    case 1 -> b[pos] = (byte) rnd.nextInt(256);
                    case 2 -> b = java.util.Arrays.copyOf(b, Math.max(1, pos));
                    case 3 -> {
                        int len = Math.min(b.length - pos, 1 + rnd.nextInt(16));
                        byte[] out = new byte[b.length - len];
                        System.arraycopy(b, 0, out, 0, pos);
                        System.arraycopy(b, pos + len, out, pos, b.length - pos - len);
                        b = out.length == 0 ? new byte[]{'{'} : out;
                    }
                    case 4 -> {
                        byte[] ins = pick(List.of("null", "[]", "{}", "1e999", "\"\\ud800\"", "-0", "\"", ",",
                                "\\", "\u00ff", "{\"a\":", "]]]]")).getBytes(StandardCharsets.UTF_8);
                        byte[] out = new byte[b.length + ins.length];
                        System.arraycopy(b, 0, out, 0, pos);
                        System.arraycopy(ins, 0, out, pos, ins.length);
                        System.arraycopy(b, pos, out, pos + ins.length, b.length - pos);
                        b = out;
                    }
                    case 5 -> {
                        int len = Math.min(b.length - pos, 1 + rnd.nextInt(32));
                        byte[] out = new byte[b.length + len];
                        System.arraycopy(b, 0, out, 0, pos + len);
                        System.arraycopy(b, pos, out, pos + len, b.length - pos);
                        b = out;
                    }
                    case 6 -> {
                        // Replace a quoted value's content with a different JSON type.
                        String s = new String(b, StandardCharsets.UTF_8);
                        String[] swaps = {"\"send\"", "\"ping\"", "\"dindex.status\"", "\"dindex.search\""};
                        String target = pick(List.of(swaps));
                        String with = pick(List.of("5", "null", "[]", "{}", "true", "\"\"", "\"register\""));
                        b = s.replaceFirst(java.util.regex.Pattern.quote(target), with).getBytes(StandardCharsets.UTF_8);
                    }
                    default -> b[pos] = (byte) (int) pick(List.of(0, 0x7f, 0x80, 0xc0, 0xff, (int) '"', (int) '{', (int) '}',
                            (int) '\\'));
                }
            }
            return b;
        }

        JsonObject maybe(JsonObject o, String key, Supplier<Object> value) {
            int roll = rnd.nextInt(10);
            if (roll < 6) {
                o.put(key, value.get());
            } else if (roll == 6) {
                o.putNull(key);
            }
            return o;
        }

        Object randomValue(int depth) {
            int roll = rnd.nextInt(depth <= 0 ? 6 : 8);
            return switch (roll) {
                case 0 -> null;
                case 1 -> rnd.nextBoolean();
                case 2 -> pick(List.<Object>of(0, -1, 1, Integer.MAX_VALUE, Long.MIN_VALUE, rnd.nextInt()));
                case 3 -> pick(List.<Object>of(0.5, -0.0, 1e308, -1e-308, rnd.nextDouble()));
                case 4, 5 -> randomString();
                case 6 -> {
                    JsonArray a = new JsonArray();
                    for (int i = rnd.nextInt(4); i > 0; i--) {
                        a.add(randomValue(depth - 1));
                    }
                    yield a;
                }
                default -> randomObject(depth - 1);
            };
        }

        JsonObject randomObject(int depth) {
            JsonObject o = new JsonObject();
            for (int i = rnd.nextInt(4); i > 0; i--) {
                o.put(randomKey(), randomValue(depth));
            }
            return o;
        }

        String randomKey() {
            return pick(List.of("query", "top_k", "id", "path", "documents", "source", "x", "", "confirm",
                    "limit", randomString()));
        }

        String randomString() {
            return switch (rnd.nextInt(6)) {
                case 0 -> "";
                case 1 -> words(rnd, 1 + rnd.nextInt(4));
                case 2 -> {
                    StringBuilder sb = new StringBuilder();
                    for (int i = rnd.nextInt(20); i > 0; i--) {
                        sb.appendCodePoint(pick(List.of(0, 0x1f, 0x7f, 0xa0, 0x202e, 0xfeff, 0xfffd, 0x1f600,
                                0x10ffff, 'a' + rnd.nextInt(26))));
                    }
                    yield sb.toString();
                }
                case 3 -> "x".repeat(rnd.nextInt(3000));
                case 4 -> pick(List.of("../../etc/passwd", "%00", "${jndi:ldap://x/a}", "<script>", "' OR 1=1 --",
                        "\\u0000", "dindex.status"));
                default -> hex(1 + rnd.nextInt(16));
            };
        }

        String hex(int n) {
            StringBuilder sb = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                sb.append(Character.forDigit(rnd.nextInt(16), 16));
            }
            return sb.toString();
        }

        JsonArray vector(int n) {
            JsonArray a = new JsonArray();
            for (int i = 0; i < n; i++) {
                a.add(rnd.nextGaussian());
            }
            return a;
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static void count(String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }

    static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static String words(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(WORDS[r.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    static byte[] concat(String a, byte[] middle, String b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(b.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** A readable, bounded rendering of a payload for failure messages. */
    static String preview(byte[] p) {
        int n = Math.min(p.length, 160);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int b = p[i] & 0xff;
            if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append("\\x").append(HexFormat.of().toHexDigits((byte) b));
            }
        }
        return sb + (p.length > n ? "...(" + p.length + " bytes)" : "");
    }

    static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
    }
}
