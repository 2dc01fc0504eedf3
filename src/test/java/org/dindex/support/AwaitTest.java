package org.dindex.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The polling helper itself: when it returns, how it fails, and that it checks once more at the deadline. */
@Timeout(30)
class AwaitTest {
    @Test
    void returnsAsSoonAsTheConditionHolds() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        Await.until(Duration.ofSeconds(10), "three checks", () -> checks.incrementAndGet() >= 3);
        assertEquals(3, checks.get());
        assertEquals(7, Await.value(Duration.ofSeconds(10), "seven", () -> 7, n -> n == 7));
    }

    @Test
    void failsNamingWhatItWaitedForAndTheLastValue() {
        AssertionError e = assertThrows(AssertionError.class, () -> Await.value(Duration.ofMillis(200),
                Duration.ofMillis(20), "the job completed", () -> "running", "completed"::equals));
        assertEquals("timed out after 200 ms waiting until the job completed; last seen: running", e.getMessage());
        AssertionError plain = assertThrows(AssertionError.class, () -> Await.until(Duration.ofSeconds(1),
                Duration.ofMillis(100), "never", () -> false));
        assertEquals("timed out after 1 s waiting until never", plain.getMessage());
    }

    @Test
    void checksOnceMoreAtTheDeadline() throws Exception {
        AtomicInteger checks = new AtomicInteger();
        // The poll interval is longer than the timeout: a check at once, then one at the deadline.
        assertTrue(Await.holdsWithin(Duration.ofMillis(100), Duration.ofSeconds(5),
                () -> checks.incrementAndGet() == 2));
        assertEquals(2, checks.get());
        assertFalse(Await.holdsWithin(Duration.ofMillis(100), Duration.ofMillis(10), () -> false));
    }

    @Test
    void exceptionsOfTheCheckPropagateUnchanged() {
        IOException boom = new IOException("boom");
        assertSame(boom, assertThrows(IOException.class, () -> Await.until(Duration.ofSeconds(1), "io", () -> {
            throw boom;
        })));
    }
}
