package org.dindex.client;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.protocol.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket client and its pool on their own, against a {@link FakeDaemon}: replies and error replies, the pool's
 * size limit, its acquire timeout, and which connections it keeps, closes or replaces. What needs a real daemon
 * (search, context, jobs) is tested with the daemon (ClientLibraryTest in the daemon's tests).
 */
@Timeout(60)
class DindexPoolTest {
    static final String ECHO = "dindex.test.echo";
    static final String SLOW = "dindex.test.slow";
    static final String FAIL = "dindex.test.fail";
    static final String SILENT = "dindex.test.silent";

    FakeDaemon daemon;
    /** Counted down when the daemon receives a request to the silent address. */
    final CountDownLatch silentReceived = new CountDownLatch(1);

    /** Echo echoes, slow echoes after 20 ms, fail answers an err frame, anything else gets no answer. */
    JsonObject answer(JsonObject frame) {
        String reply = frame.getString("replyAddress");
        JsonObject body = frame.getJsonObject("body", new JsonObject());
        switch (frame.getString("address")) {
            case ECHO:
                return Frames.message(reply, body);
            case SLOW:
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Frames.message(reply, body);
            case FAIL:
                return Frames.err(reply, ErrorCode.BAD_REQUEST, "top_k must be between 1 and 1000, got 0");
            default:
                silentReceived.countDown();
                return null;
        }
    }

    @BeforeEach
    void start() throws Exception {
        daemon = FakeDaemon.start(this::answer);
    }

    @AfterEach
    void stop() throws Exception {
        daemon.close();
    }

    DindexPool pool(int size, Duration acquireTimeout) {
        return new DindexPool(new DindexPool.Options(daemon.socket, size, acquireTimeout, Duration.ofSeconds(10)));
    }

    @Test
    void aReplyCarriesItsBodyAndAnErrReplyItsCodeAndMessage() {
        try (DindexClient c = DindexClient.connect(daemon.socket)) {
            assertEquals(new JsonObject().put("n", 1), c.request(ECHO, new JsonObject().put("n", 1)));
            DindexException e = assertThrows(DindexException.class, () -> c.request(FAIL, new JsonObject()));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertEquals("top_k must be between 1 and 1000, got 0", e.getMessage());
            assertEquals(new JsonObject().put("n", 2), c.request(ECHO, new JsonObject().put("n", 2)),
                    "the connection serves on after an error reply");
        }
        assertEquals(1, daemon.accepted.get());
    }

    @Test
    void nothingListeningIsDaemonNotRunning() {
        DindexException e = assertThrows(DindexException.class,
                () -> DindexClient.connect(daemon.dir.resolve("nobody.sock")));
        assertEquals(ErrorCode.DAEMON_NOT_RUNNING, e.code());
        assertTrue(e.getMessage().startsWith("no daemon is listening on "), e.getMessage());
    }

    @Test
    void aPoolOfTwoServesEightCallersOnTwoConnections() throws Exception {
        int callers = 8;
        int each = 10;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger ok = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (DindexPool pool = pool(2, Duration.ofSeconds(30))) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                int caller = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < each; i++) {
                            JsonObject body = new JsonObject().put("caller", caller).put("i", i);
                            assertEquals(body, pool.request(SLOW, body));
                            ok.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(failures.isEmpty(), "failures: " + failures);
            assertEquals(callers * each, ok.get());
            assertTrue(daemon.maxOpen.get() <= 2, "at most 2 connections, the daemon saw " + daemon.maxOpen.get());
            assertTrue(pool.openConnections() <= 2, "open: " + pool.openConnections());

            int open = pool.openConnections();
            DindexException e = assertThrows(DindexException.class, () -> pool.request(FAIL, new JsonObject()));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertEquals(open, pool.openConnections(), "an error reply keeps the connection");
            assertTrue(daemon.accepted.get() <= 2, "connections were reused, not reopened: " + daemon.accepted.get());
        }
    }

    @Test
    void aCallerWaitsForAFreeConnectionUpToTheAcquireTimeout() throws Exception {
        try (DindexPool pool = pool(1, Duration.ofMillis(300))) {
            DindexException[] held = new DindexException[1];
            Thread holder = Thread.ofPlatform().start(() -> held[0] = assertThrows(DindexException.class,
                    () -> pool.request(SILENT, new JsonObject(), Duration.ofSeconds(3))));
            // The holder's request reached the daemon: the pool's only connection is borrowed.
            assertTrue(silentReceived.await(10, TimeUnit.SECONDS), "the holder's request reached the daemon");
            DindexException e = assertThrows(DindexException.class, () -> pool.request(ECHO, new JsonObject()));
            assertEquals(ErrorCode.TIMEOUT, e.code());
            assertEquals("no free connection to the daemon within 300 ms (pool of 1)", e.getMessage());
            holder.join();
            assertEquals(ErrorCode.TIMEOUT, held[0].code(), "the holder's own request timed out");
        }
    }

    @Test
    void aConnectionWhoseReplyTimedOutIsClosedNotReused() {
        try (DindexPool pool = pool(1, Duration.ofSeconds(10))) {
            DindexException e = assertThrows(DindexException.class,
                    () -> pool.request(SILENT, new JsonObject(), Duration.ofMillis(200)));
            assertEquals(ErrorCode.TIMEOUT, e.code());
            assertEquals("no reply from the daemon to '" + SILENT + "' within 200 ms", e.getMessage());
            assertEquals(0, pool.openConnections(), "a late reply could still arrive on it: closed");
            assertEquals(new JsonObject().put("n", 3), pool.request(ECHO, new JsonObject().put("n", 3)));
            assertEquals(2, daemon.accepted.get(), "a new connection for the next request");
        }
    }

    @Test
    void aConnectionTheDaemonClosedWhileIdleIsReplacedWithoutFailingTheCaller() throws Exception {
        try (DindexPool pool = pool(1, Duration.ofSeconds(10))) {
            assertEquals(new JsonObject().put("n", 4), pool.request(ECHO, new JsonObject().put("n", 4)));
            daemon.closeConnections();
            assertEquals(new JsonObject().put("n", 5), pool.request(ECHO, new JsonObject().put("n", 5)));
            assertEquals(2, daemon.accepted.get());
            assertEquals(1, pool.openConnections());
        }
    }
}
