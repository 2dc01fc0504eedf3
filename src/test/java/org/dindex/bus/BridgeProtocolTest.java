package org.dindex.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.dindex.cli.Main;
import org.dindex.client.DindexClient;
import org.dindex.protocol.Addresses;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.ErrorCode;
import org.dindex.support.Cli;
import org.dindex.support.Await;
import org.dindex.support.EmbeddedDaemon;
import org.dindex.support.TestVerticles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad-frame case of the socket bridge, each followed by a request that must still work. */
@Timeout(60)
class BridgeProtocolTest {
    static final int MAX_FRAME = 1024 * 1024;
    static final int MAX_IN_FLIGHT = 100;
    static final int MAX_CONNECTIONS = 30;
    static EmbeddedDaemon daemon;

    @BeforeAll
    static void start() throws Exception {
        daemon = EmbeddedDaemon.start(Map.of(
                "bridge.max_frame_bytes", MAX_FRAME,
                "bridge.request_timeout_ms", 400,
                "bridge.max_in_flight_per_connection", MAX_IN_FLIGHT,
                "bridge.max_connections", MAX_CONNECTIONS), List.of(TestVerticles::new));
    }

    @AfterAll
    static void stop() throws Exception {
        daemon.close();
    }

    private static JsonObject next(DindexClient c) {
        JsonObject frame = c.readFrame(Duration.ofSeconds(10));
        assertNotNull(frame, "expected a frame within 10 s");
        return frame;
    }

    private static void assertErr(JsonObject frame, ErrorCode code, String messagePart) {
        assertEquals("err", frame.getString("type"), frame.encode());
        assertEquals(code.wireName(), frame.getString("code"), frame.encode());
        assertEquals(code.failureCode(), frame.getInteger("failureCode"), frame.encode());
        assertTrue(frame.getString("message").contains(messagePart),
                "message '" + frame.getString("message") + "' should contain '" + messagePart + "'");
    }

    /** The connection still works: a status request gets a real status. */
    private static void assertUsable(DindexClient c) {
        JsonObject status = c.request(Addresses.STATUS, new JsonObject(), Duration.ofSeconds(10));
        assertEquals(ProcessHandle.current().pid(), status.getLong("pid"));
        assertEquals("running", status.getString("state"));
    }

    private static JsonObject send(String address, Object body, String replyAddress) {
        JsonObject f = new JsonObject().put("type", "send").put("address", address);
        if (replyAddress != null) {
            f.put("replyAddress", replyAddress);
        }
        if (body != null) {
            f.put("body", body);
        }
        return f;
    }

    @Test
    void pingGetsPong() {
        try (DindexClient c = daemon.client()) {
            c.writeFrame(new JsonObject().put("type", "ping"));
            assertEquals("pong", next(c).getString("type"));
            assertUsable(c);
        }
    }

    /** A reply frame carries the same JSON the bus hands an in-process caller, whatever it holds, to any address. */
    @Test
    void repliesCarryExactlyWhatTheBusAnswers() throws Exception {
        JsonObject body = new JsonObject()
                .put("text", "quote \" backslash \\ newline \n tab \t control \u0001 line sep \u2028 é 中文 🦀")
                .put("numbers", new JsonArray().add(0).add(-1).add(1.5e-7).add(Long.MAX_VALUE).add(3.25))
                .put("nested", new JsonObject().put("empty", new JsonObject()).put("list", new JsonArray()
                        .add(new JsonObject().put("null", (Object) null)).add(true).add(false)))
                .put("big", "x".repeat(200_000));
        JsonObject inProcess = daemon.daemon.vertx().eventBus().<JsonObject>request(TestVerticles.ECHO, body)
                .toCompletionStage().toCompletableFuture().get().body();
        try (DindexClient c = daemon.client()) {
            for (String replyAddress : List.of("dindex.client.plain.1", "odd \"address\" \\ é 🦀")) {
                c.writeFrame(send(TestVerticles.ECHO, body, replyAddress));
                JsonObject frame = next(c);
                assertEquals("message", frame.getString("type"), frame.encode().substring(0, 100));
                assertEquals(replyAddress, frame.getString("address"));
                assertEquals(inProcess, frame.getJsonObject("body"));
                assertEquals(body, frame.getJsonObject("body").getJsonObject("echo"));
            }
            assertUsable(c);
        }
    }

    @Test
    void malformedJsonGetsErrAndConnectionStaysOpen() {
        try (DindexClient c = daemon.client()) {
            c.writeRaw("{\"type\":\"send\",".getBytes(StandardCharsets.UTF_8));
            assertErr(next(c), ErrorCode.BAD_FRAME, "invalid JSON frame");
            c.writeRaw("[1,2,3]".getBytes(StandardCharsets.UTF_8));
            assertErr(next(c), ErrorCode.BAD_FRAME, "invalid JSON frame");
            c.writeRaw(new byte[]{(byte) 0xff, (byte) 0xfe, 0x00, 0x01});
            assertErr(next(c), ErrorCode.BAD_FRAME, "invalid JSON frame");
            assertUsable(c);
        }
    }

    @Test
    void missingOrWrongTypeGetsErr() {
        try (DindexClient c = daemon.client()) {
            c.writeFrame(new JsonObject().put("address", Addresses.STATUS).put("replyAddress", "r1"));
            JsonObject err = next(c);
            assertErr(err, ErrorCode.BAD_FRAME, "frame has no 'type'");
            assertEquals("r1", err.getString("address"), "err carries the request's reply address");
            c.writeFrame(new JsonObject().put("type", 42).put("address", Addresses.STATUS));
            assertErr(next(c), ErrorCode.BAD_FRAME, "'type' must be a string, got the number 42");
            c.writeFrame(new JsonObject().put("type", "sned").put("address", Addresses.STATUS));
            assertErr(next(c), ErrorCode.BAD_FRAME, "unknown frame type 'sned'");
            assertUsable(c);
        }
    }

    @Test
    void missingOrWrongAddressGetsErr() {
        try (DindexClient c = daemon.client()) {
            c.writeFrame(new JsonObject().put("type", "send").put("replyAddress", "r2"));
            assertErr(next(c), ErrorCode.BAD_FRAME, "frame of type 'send' has no 'address'");
            c.writeFrame(new JsonObject().put("type", "send").put("address", new JsonArray()));
            assertErr(next(c), ErrorCode.BAD_FRAME, "'address' must be a non-empty string, got an array");
            c.writeFrame(new JsonObject().put("type", "register"));
            assertErr(next(c), ErrorCode.BAD_FRAME, "frame of type 'register' has no 'address'");
            assertUsable(c);
        }
    }

    @Test
    void wrongBodyOrHeadersTypeGetsErr() {
        try (DindexClient c = daemon.client()) {
            c.writeFrame(send(TestVerticles.ECHO, new JsonArray().add(1), "r3"));
            JsonObject err = next(c);
            assertErr(err, ErrorCode.BAD_FRAME, "'body' must be a JSON object, got an array");
            assertEquals("r3", err.getString("address"));
            c.writeFrame(send(TestVerticles.ECHO, "text", "r4"));
            assertErr(next(c), ErrorCode.BAD_FRAME, "'body' must be a JSON object, got the string \"text\"");
            c.writeFrame(send(TestVerticles.ECHO, new JsonObject(), "r5").put("headers", "x"));
            assertErr(next(c), ErrorCode.BAD_FRAME, "'headers' must be a JSON object");
            assertUsable(c);
        }
    }

    @Test
    void addressesOutsideThePermittedSetAreDenied() {
        try (DindexClient c = daemon.client()) {
            for (String address : List.of("dindex.nope", "vertx.internal", "dindex.progress.job1", "")) {
                if (address.isEmpty()) {
                    continue;
                }
                c.writeFrame(send(address, new JsonObject(), "r6"));
                assertErr(next(c), ErrorCode.ACCESS_DENIED, "access denied");
            }
            c.writeFrame(new JsonObject().put("type", "publish").put("address", "dindex.nope"));
            assertErr(next(c), ErrorCode.ACCESS_DENIED, "access denied");
            c.writeFrame(new JsonObject().put("type", "register").put("address", Addresses.STATUS));
            assertErr(next(c), ErrorCode.ACCESS_DENIED, "access denied: registration on 'dindex.status'");
            c.writeFrame(new JsonObject().put("type", "register").put("address", "dindex.events."));
            assertErr(next(c), ErrorCode.ACCESS_DENIED, "access denied");
            assertUsable(c);
        }
    }

    @Test
    void registeredClientsReceiveEventsUntilTheyUnregister() throws Exception {
        try (DindexClient c = daemon.client()) {
            String address = Addresses.EVENTS_PREFIX + "jobs";
            c.writeFrame(new JsonObject().put("type", "register").put("address", address));
            assertUsable(c); // the register frame is processed before this request
            daemon.daemon.vertx().eventBus().publish(address, new JsonObject().put("n", 1));
            JsonObject event = next(c);
            assertEquals("message", event.getString("type"));
            assertEquals(address, event.getString("address"));
            assertEquals(1, event.getJsonObject("body").getInteger("n"));

            c.writeFrame(new JsonObject().put("type", "unregister").put("address", address));
            assertUsable(c);
            daemon.daemon.vertx().eventBus().publish(address, new JsonObject().put("n", 2));
            assertNull(c.readFrame(Duration.ofMillis(300)), "no events after unregister");
            c.writeFrame(new JsonObject().put("type", "unregister").put("address", address));
            assertErr(next(c), ErrorCode.NOT_FOUND, "not registered on");
        }
    }

    @Test
    void handlerFailuresCarryTheirCodeAndMessage() {
        try (DindexClient c = daemon.client()) {
            DindexException e = assertThrows(DindexException.class,
                    () -> c.request(TestVerticles.FAIL, new JsonObject().put("top_k", 0)));
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
            assertEquals("top_k must be between 1 and 1000, got 0", e.getMessage());
            DindexException thrown = assertThrows(DindexException.class,
                    () -> c.request(TestVerticles.THROW, new JsonObject()));
            assertEquals(ErrorCode.INTERNAL, thrown.code());
            assertTrue(thrown.getMessage().contains("boom"), thrown.getMessage());
            assertTrue(!thrown.getMessage().contains("\tat "), "no stack trace reaches the client");
            assertUsable(c);
        }
    }

    @Test
    void requestWithoutAnswerGetsTimeout() {
        try (DindexClient c = daemon.client()) {
            long t0 = System.nanoTime();
            DindexException e = assertThrows(DindexException.class,
                    () -> c.request(TestVerticles.SILENT, new JsonObject(), Duration.ofSeconds(10)));
            assertEquals(ErrorCode.TIMEOUT, e.code());
            assertTrue(e.getMessage().startsWith("timeout: no reply from 'dindex.test.silent' within 400 ms"),
                    e.getMessage());
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000, "the daemon's timeout, not the client's");
            assertUsable(c);
        }
    }

    @Test
    void oversizedZeroAndNegativeLengthsCloseTheConnectionWithAReason() {
        for (int length : new int[]{MAX_FRAME + 1, 0, -5, Integer.MAX_VALUE}) {
            try (DindexClient c = daemon.client(); DindexClient other = daemon.client()) {
                c.writeBytes(ByteBuffer.allocate(4).putInt(length).flip());
                JsonObject err = next(c);
                if (length > 0) {
                    assertErr(err, ErrorCode.TOO_LARGE, "frame of " + length + " bytes exceeds the limit of "
                            + MAX_FRAME + " bytes");
                } else {
                    assertErr(err, ErrorCode.TOO_LARGE, "invalid frame length " + length);
                }
                DindexException closed = assertThrows(DindexException.class,
                        () -> c.readFrame(Duration.ofSeconds(10)));
                assertEquals(ErrorCode.DAEMON_NOT_RUNNING, closed.code());
                assertUsable(other);
            }
        }
    }

    @Test
    void frameJustUnderTheLimitIsAccepted() {
        try (DindexClient c = daemon.client()) {
            String big = "x".repeat(MAX_FRAME - 200);
            JsonObject reply = c.request(TestVerticles.ECHO, new JsonObject().put("s", big));
            assertEquals(big.length(), reply.getJsonObject("echo").getString("s").length());
        }
    }

    @Test
    void manyRequestsInFlightOnOneConnectionAreAllAnsweredAndMatched() {
        try (DindexClient c = daemon.client()) {
            for (int i = 0; i < MAX_IN_FLIGHT; i++) {
                c.writeFrame(send(TestVerticles.ECHO, new JsonObject().put("i", i), "p" + i));
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < MAX_IN_FLIGHT; i++) {
                JsonObject reply = next(c);
                assertEquals("message", reply.getString("type"), reply.encode());
                String address = reply.getString("address");
                assertEquals("p" + reply.getJsonObject("body").getJsonObject("echo").getInteger("i"), address);
                seen.add(address);
            }
            assertEquals(MAX_IN_FLIGHT, seen.size());
        }
    }

    @Test
    void requestsBeyondTheInFlightLimitAreRefusedNotDropped() {
        try (DindexClient c = daemon.client()) {
            for (int i = 0; i <= MAX_IN_FLIGHT; i++) {
                c.writeFrame(send(TestVerticles.SILENT, new JsonObject(), "s" + i));
            }
            List<JsonObject> replies = new ArrayList<>();
            for (int i = 0; i <= MAX_IN_FLIGHT; i++) {
                replies.add(next(c));
            }
            JsonObject refused = replies.getFirst();
            assertErr(refused, ErrorCode.TOO_MANY_REQUESTS, "too many requests in flight");
            assertEquals("s" + MAX_IN_FLIGHT, refused.getString("address"));
            assertEquals(MAX_IN_FLIGHT, replies.stream().filter(r -> "timeout".equals(r.getString("code"))).count());
            assertUsable(c);
        }
    }

    @Test
    void clientThatDisconnectsMidRequestDisturbsNoOne() throws Exception {
        BridgeStats stats = daemon.daemon.bridge().stats();
        long acceptedBefore = stats.acceptedConnections();
        int openBefore = stats.connections();
        try (DindexClient other = daemon.client()) {
            for (int i = 0; i < 20; i++) {
                DindexClient c = daemon.client();
                c.writeFrame(send(TestVerticles.SILENT, new JsonObject(), "gone"));
                c.writeFrame(send(TestVerticles.ECHO, new JsonObject(), "gone2"));
                c.close();
            }
            // The daemon read and closed all 20 connections, and every silent request's timeout (400 ms) fired:
            // its err had nowhere to go.
            Await.until(Duration.ofSeconds(10), "the daemon closed the 20 gone connections and their silent requests"
                    + " timed out", () -> stats.acceptedConnections() >= acceptedBefore + 21
                    && stats.connections() <= openBefore + 1 && stats.requestsInFlight() == 0);
            assertUsable(other);
        }
    }

    /**
     * At the limit, busy connections (here each registered for events) are kept and a new one is told why it is
     * refused, also when the client wrote its request before reading (it sees the reason, not a broken pipe); an idle
     * connection is closed, saying why, to make room for a new one.
     */
    @Test
    void connectionsBeyondTheLimitAreToldWhyAndIdleOnesMakeRoom() throws Exception {
        List<DindexClient> clients = new ArrayList<>();
        try {
            fillWithBusyConnections(clients);
            DindexClient extra = daemon.client();
            clients.add(extra);
            assertErr(next(extra), ErrorCode.TOO_MANY_REQUESTS, "too many connections (limit 30)");
            for (int i = 0; i < 5; i++) {
                long refusedBefore = refusals();
                try (DindexClient writer = daemon.client()) {
                    // The daemon has refused it (and closes it at once) before the request is written.
                    Await.until(Duration.ofSeconds(5), "the daemon refused connection " + (i + 2) + " beyond the limit",
                            () -> refusals() > refusedBefore);
                    DindexException e = assertThrows(DindexException.class,
                            () -> writer.request(Addresses.STATUS, new JsonObject().put("pad", "x".repeat(300_000))));
                    assertEquals(ErrorCode.TOO_MANY_REQUESTS, e.code(), e.getMessage());
                    assertTrue(e.getMessage().contains("too many connections (limit 30)"), e.getMessage());
                }
            }

            DindexClient idle = clients.getFirst();
            idle.writeFrame(new JsonObject().put("type", "unregister").put("address", "dindex.events.limit0"));
            Await.until(Duration.ofSeconds(5), "the daemon saw the unregistered connection become idle",
                    () -> daemon.daemon.bridge().stats().openConnections().stream()
                            .anyMatch(c -> c.idleSince() != Long.MAX_VALUE));
            try (DindexClient again = daemon.client()) {
                assertUsable(again);
            }
            assertErr(next(idle), ErrorCode.TOO_MANY_REQUESTS, "closing this idle connection: the daemon reached its"
                    + " limit of 30 connections");
        } finally {
            clients.forEach(DindexClient::close);
        }
    }

    /** Connections the daemon refused at its limit so far. */
    private static long refusals() {
        return daemon.daemon.bridge().stats().errors().getOrDefault("too_many_connections", 0L);
    }

    /**
     * Waits (up to 5 s) until connections closed by earlier tests are gone from the daemon's count. Best effort: the
     * assertions that follow say what is wrong if some are left.
     */
    private static void awaitNoConnections() throws InterruptedException {
        Await.holdsWithin(Duration.ofSeconds(5), Duration.ofMillis(20),
                () -> daemon.daemon.bridge().stats().connections() == 0);
    }

    /**
     * Opens connections up to the limit, each kept busy (registered for events, so none is idle and closed to make
     * room), once the connections of earlier tests are gone. The caller closes them.
     */
    private static void fillWithBusyConnections(List<DindexClient> clients) throws InterruptedException {
        awaitNoConnections();
        for (int i = 0; i < MAX_CONNECTIONS; i++) {
            DindexClient c = daemon.client();
            clients.add(c);
            c.writeFrame(new JsonObject().put("type", "register").put("address", "dindex.events.limit" + i));
            assertUsable(c);
        }
    }

    /**
     * The real CLI, when every connection is busy, says why it cannot get in (not "Broken pipe") and exits with the
     * code of that error (1), not the "daemon not running" code (3); also while it writes a large request.
     */
    @Test
    void theCliAtTheConnectionLimitSaysWhy() throws Exception {
        Path big = daemon.root.resolve("big.txt");
        Files.writeString(big, "Otters hold hands while they sleep so that they do not drift apart. ".repeat(6000));
        Cli cli = new Cli(daemon.root).env("DINDEX_NO_AUTOSTART", "1");
        List<DindexClient> clients = new ArrayList<>();
        try {
            fillWithBusyConnections(clients);
            for (String[] args : List.of(new String[] {"status"}, new String[] {"stats"},
                    new String[] {"search", "otters holding hands"}, new String[] {"index", big.toString()})) {
                Cli.Result r = cli.run(args);
                assertEquals(ErrorCode.TOO_MANY_REQUESTS.exitCode(), r.exit(), String.join(" ", args) + ": " + r);
                assertNotEquals(Main.NOT_RUNNING, r.exit());
                assertTrue(r.err().contains("too many connections (limit " + MAX_CONNECTIONS + ")"),
                        String.join(" ", args) + ": " + r);
                assertFalse(r.err().contains("Broken pipe") || r.err().contains("not running"), r.toString());
            }
        } finally {
            clients.forEach(DindexClient::close);
        }
        awaitNoConnections();
        Cli.Result room = cli.run("status");
        assertEquals(0, room.exit(), "with room again the CLI gets in: " + room);
    }
}
