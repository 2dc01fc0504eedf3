package org.dindex.bus;

import io.vertx.core.json.JsonObject;
import org.dindex.client.DindexClient;
import org.dindex.protocol.Addresses;
import org.dindex.support.EmbeddedDaemon;
import org.dindex.support.TestVerticles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 100 connections x 100 requests at once, every reply correct and matched to its request. */
@Timeout(120)
class BridgeConcurrencyTest {

    @Test
    void hundredConnectionsTimesHundredRequests() throws Exception {
        try (EmbeddedDaemon daemon = EmbeddedDaemon.start(Map.of(), List.of(TestVerticles::new))) {
            int connections = 100;
            int requests = 100;
            AtomicInteger correct = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            CountDownLatch ready = new CountDownLatch(connections);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < connections; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try (DindexClient c = daemon.client()) {
                        c.request(Addresses.STATUS, new JsonObject()); // accepted and served before the burst
                        ready.countDown();
                        go.await();
                        for (int i = 0; i < requests; i++) {
                            JsonObject body = new JsonObject().put("conn", id).put("i", i);
                            JsonObject reply = c.request(TestVerticles.ECHO, body);
                            if (body.equals(reply.getJsonObject("echo"))) {
                                correct.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                        ready.countDown();
                    }
                }));
            }
            ready.await();
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            assertTrue(daemon.daemon.bridge().stats().connections() >= connections, "all connections open at once");
            go.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            assertEquals(connections * requests, correct.get());
            try (DindexClient c = daemon.client()) {
                assertEquals("running", c.request(Addresses.STATUS, new JsonObject()).getString("state"));
            }
        }
    }
}
