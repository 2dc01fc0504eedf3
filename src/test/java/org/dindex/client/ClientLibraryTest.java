package org.dindex.client;

import io.vertx.core.json.JsonObject;
import org.dindex.protocol.ContextBlock;
import org.dindex.protocol.DindexException;
import org.dindex.protocol.IndexDocument;
import org.dindex.protocol.JobInfo;
import org.dindex.protocol.SearchFilters;
import org.dindex.protocol.SearchQuery;
import org.dindex.protocol.SearchResult;
import org.dindex.protocol.ErrorCode;
import org.dindex.support.EmbeddedDaemon;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The typed client and its connection pool against a real daemon: searches with the model, context, imports and jobs
 * need one, so this test lives with the daemon's tests. The client alone (frames, errors, the pool's limits and
 * healing) is tested in the client module, against a fake daemon (client/src/test, DindexPoolTest).
 */
@Timeout(300)
class ClientLibraryTest {
    static EmbeddedDaemon daemon;
    static Dindex dindex;

    @BeforeAll
    static void start() throws Exception {
        daemon = EmbeddedDaemon.start(Map.of(), List.of());
        dindex = new Dindex(new DindexPool(new DindexPool.Options(daemon.paths.socket(), 8, Duration.ofSeconds(30),
                Duration.ofSeconds(60))));
        Dindex.IndexSummary s = dindex.index(List.of(
                IndexDocument.text("mem://owls", "Owls", "Owls hunt at night and can turn their heads almost all"
                        + " the way round to look behind them."),
                IndexDocument.text("mem://bees", "Bees", "Honey bees dance to tell the rest of the hive where"
                        + " the flowers are."),
                new IndexDocument("mem://moss", "Moss", "https://example.org/moss", "Moss grows on the north side"
                        + " of trees in damp forests.", "text", Map.of("kind", "plant"))), true);
        assertEquals(3, s.indexed());
        assertTrue(s.searchable());
    }

    @AfterAll
    static void stop() throws Exception {
        dindex.close();
        daemon.close();
    }

    @Test
    void typedSearchContextAndErrors() {
        SearchResult r = dindex.search(SearchQuery.of("which bird hunts in the dark").withTopK(2));
        assertEquals("Owls", r.results().getFirst().title());
        assertEquals(1, r.results().getFirst().citation());
        assertTrue(r.results().getFirst().chunks().getFirst().content().contains("hunt at night"));
        assertEquals(r.results().size(), r.citations().size());

        SearchResult filtered = dindex.search(SearchQuery.of("trees").withFilters(
                SearchFilters.of(null, List.of(), Map.of("kind", "plant"))));
        assertEquals(1, filtered.results().size());
        assertEquals("https://example.org/moss", filtered.results().getFirst().url());
        assertEquals("plant", filtered.results().getFirst().metadata().get("kind"));

        ContextBlock block = dindex.context("how do bees share where flowers are", 200);
        assertTrue(block.text().contains("[1]") && block.text().contains("dance"), block.text());
        assertTrue(block.tokens() <= 200);

        DindexException bad = assertThrows(DindexException.class, () -> dindex.search(SearchQuery.of("")));
        assertEquals(ErrorCode.BAD_REQUEST, bad.code());
        DindexException unknown = assertThrows(DindexException.class, () -> dindex.job("import-00000000"));
        assertEquals(ErrorCode.NOT_FOUND, unknown.code());
        assertTrue(dindex.pool().openConnections() >= 1, "an error reply keeps the connection");
    }

    @Test
    void aPoolOfEightServes32ConcurrentCallers() throws Exception {
        int callers = 32;
        int each = 20;
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger ok = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger maxOpen = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            int caller = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        if ((caller + i) % 4 == 0) {
                            assertTrue(dindex.stats().getInteger("documents") >= 3);
                        } else {
                            var r = dindex.search(SearchQuery.of("owls at night").withMode("bm25"));
                            assertEquals("Owls", r.results().getFirst().title());
                        }
                        maxOpen.accumulateAndGet(dindex.pool().openConnections(), Math::max);
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
        assertTrue(maxOpen.get() <= 8, "at most 8 connections, saw " + maxOpen.get());
    }

    @Test
    void jobsAndProgressFollowing() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            lines.append(new JsonObject().put("id", "n" + i).put("title", "Note " + i).put("text", "Field note " + i
                    + " about herons fishing in the shallow water at dawn.").encode()).append('\n');
        }
        Path file = Files.writeString(daemon.root.resolve("notes.jsonl"), lines);
        JobInfo started = dindex.importFile(file, null);
        assertEquals("import", started.type());
        List<String> states = new ArrayList<>();
        JobInfo done = dindex.follow(started.id(), j -> states.add(j.state()), null, Duration.ofMinutes(2));
        assertEquals("completed", done.state());
        assertEquals(30, ((Number) done.counters().get("imported")).intValue());
        assertEquals("completed", states.getLast());
        assertTrue(dindex.jobs().stream().anyMatch(j -> j.id().equals(started.id()) && j.finished()));
        assertEquals(ErrorCode.CONFLICT, assertThrows(DindexException.class, () -> dindex.cancel(started.id())).code());
    }
}
