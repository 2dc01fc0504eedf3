package org.dindex.bus;

import io.vertx.core.json.JsonObject;
import org.dindex.client.DindexClient;
import org.dindex.client.DindexPool;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.ErrorCode;
import org.dindex.support.Await;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory and time limits of the socket bridge against a real daemon: partial frames share one memory budget, a frame
 * must arrive in time, idle connections are closed, and clients hear why.
 */
@Timeout(90)
class BridgeLimitsTest {
    static final int BUDGET = 1024 * 1024;
    static final long FRAME_TIMEOUT_MS = 1500;
    static final long IDLE_TIMEOUT_MS = 2500;
    static EmbeddedDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = EmbeddedDaemon.start(Map.of(
                "bridge.max_frame_bytes", 4 * BUDGET,
                "bridge.max_pending_frame_bytes", BUDGET,
                "bridge.frame_timeout_ms", FRAME_TIMEOUT_MS,
                "bridge.idle_timeout_ms", IDLE_TIMEOUT_MS), List.of());
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
    }

    /** Announces a frame of {@code length} bytes and sends {@code sent} of them. */
    static DindexClient partialFrame(int length, int sent) {
        DindexClient c = daemon.client();
        ByteBuffer out = ByteBuffer.allocate(4 + sent).putInt(length);
        out.put(new byte[sent]).flip();
        c.writeBytes(out);
        return c;
    }

    static JsonObject next(DindexClient c, Duration within) {
        JsonObject frame = c.readFrame(within);
        assertNotNull(frame, "expected a frame within " + within);
        return frame;
    }

    /** Connections the daemon closed for being idle so far. */
    static long idleTimeouts() {
        return daemon.daemon.bridge().stats().errors().getOrDefault("idle_timeout", 0L);
    }

    static void assertAnswers() {
        try (DindexClient c = daemon.client()) {
            assertEquals("running", c.request(Addresses.STATUS, new JsonObject()).getString("state"));
        }
    }

    /**
     * Connections that announce large frames and hold them half sent: once the budget is spent, the next large frame
     * is refused with an {@code err} frame (its bytes are never buffered), small requests are served throughout,
     * and the stalled frames are cut off after the frame timeout, which returns their share of the budget.
     */
    @Test
    void partialFramesShareOneBudgetAndTimeOut() throws Exception {
        int big = 400 * 1024;
        List<DindexClient> stalled = new ArrayList<>();
        try {
            Set<BridgeConnection> earlier = Set.copyOf(daemon.daemon.bridge().stats().openConnections());
            stalled.add(partialFrame(big, big - 1000));
            stalled.add(partialFrame(big, big - 1000));
            // Both announced frames have reserved their share of the budget (a connection is busy from then on).
            Await.until(Duration.ofSeconds(5), "the daemon reserved the budget for both stalled frames",
                    () -> daemon.daemon.bridge().stats().openConnections().stream()
                            .filter(c -> !earlier.contains(c) && c.idleSince() == Long.MAX_VALUE).count() >= 2);
            DindexClient refused = partialFrame(big, 10);
            stalled.add(refused);
            JsonObject err = next(refused, Duration.ofSeconds(5));
            assertEquals("err", err.getString("type"), err.encode());
            assertEquals(ErrorCode.UNAVAILABLE.wireName(), err.getString("code"));
            assertTrue(err.getString("message").contains("limit 1 MiB, bridge.max_pending_frame_bytes"),
                    err.getString("message"));
            assertAnswers();

            long t0 = System.nanoTime();
            for (DindexClient c : stalled.subList(0, 2)) {
                JsonObject timeout = next(c, Duration.ofMillis(FRAME_TIMEOUT_MS + 3000));
                assertEquals(ErrorCode.TIMEOUT.wireName(), timeout.getString("code"), timeout.encode());
                assertTrue(timeout.getString("message").contains("did not arrive whole within " + FRAME_TIMEOUT_MS
                        + " ms (bridge.frame_timeout_ms)"), timeout.getString("message"));
            }
            assertTrue((System.nanoTime() - t0) / 1_000_000 < FRAME_TIMEOUT_MS + 3000);
            // The budget is back: a large frame is accepted whole and answered.
            try (DindexClient c = daemon.client()) {
                JsonObject status = c.request(Addresses.STATUS, new JsonObject().put("pad", "x".repeat(big)));
                assertEquals("running", status.getString("state"));
            }
        } finally {
            stalled.forEach(DindexClient::close);
        }
    }

    /**
     * A connection that sends nothing is closed after the idle timeout with a reason, while one following events
     * (registered) is kept; a pool whose idle connection was closed opens a new one without failing the caller.
     */
    @Test
    void idleConnectionsAreClosedAndPoolsRecover() throws Exception {
        try (DindexClient idle = daemon.client(); DindexClient following = daemon.client();
             DindexPool pool = new DindexPool(DindexPool.Options.of(daemon.paths.socket()))) {
            long idleClosedBefore = idleTimeouts();
            following.writeFrame(new JsonObject().put("type", "register").put("address", "dindex.events.jobs"));
            assertEquals("running", pool.request(Addresses.STATUS, new JsonObject()).getString("state"));
            JsonObject closed = next(idle, Duration.ofMillis(IDLE_TIMEOUT_MS + 3000));
            assertEquals(ErrorCode.TIMEOUT.wireName(), closed.getString("code"), closed.encode());
            assertTrue(closed.getString("message").contains("(bridge.idle_timeout_ms)"), closed.encode());
            // The pool's connection, idle since its request, is closed by the daemon too.
            Await.until(Duration.ofSeconds(10), "the daemon closed the pool's idle connection too",
                    () -> idleTimeouts() >= idleClosedBefore + 2 && daemon.daemon.bridge().stats().openConnections()
                            .stream().allMatch(c -> c.idleSince() == Long.MAX_VALUE));
            assertEquals("running", pool.request(Addresses.STATUS, new JsonObject()).getString("state"),
                    "the pool replaced its closed connection");
            following.writeFrame(new JsonObject().put("type", "ping"));
            assertEquals("pong", next(following, Duration.ofSeconds(5)).getString("type"),
                    "a registered connection is not idle");
        }
    }
}
