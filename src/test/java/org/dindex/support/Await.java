package org.dindex.support;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Waiting for a condition in tests: polls until it holds or the timeout passes, then fails with a message naming what
 * it waited for (and, for {@link #value}, the last value seen). One helper instead of hand-written deadline loops.
 * <pre>{@code
 * Await.until(Duration.ofSeconds(5), "the daemon closed the connections", () -> stats().connections() == 0);
 * JsonObject job = Await.value(Duration.ofMinutes(2), "job " + id + " completed", () -> job(id),
 *         j -> "completed".equals(j.getString("state")));
 * }</pre>
 * The condition is checked first at once, then every {@link #POLL} (or the interval given), and once more when the
 * timeout has passed, so a slow check never loses its last chance. Exceptions from the check propagate unchanged.
 * A fixed sleep that IS the scenario ("stay idle for 2 s, then check that nothing happened") is not a wait for a
 * condition and does not belong here.
 */
public final class Await {
    /** The default interval between two checks. */
    public static final Duration POLL = Duration.ofMillis(50);

    private Await() {
    }

    /** A condition that may throw (a request, a file listing). */
    @FunctionalInterface
    public interface Check<E extends Exception> {
        boolean test() throws E;
    }

    /** A value to poll (a job's state, a status reply). */
    @FunctionalInterface
    public interface Probe<T, E extends Exception> {
        T get() throws E;
    }

    /** Waits until {@code condition} holds, checking every {@link #POLL}; fails after {@code timeout}. */
    public static <E extends Exception> void until(Duration timeout, String what, Check<E> condition)
            throws E, InterruptedException {
        until(timeout, POLL, what, condition);
    }

    /** Waits until {@code condition} holds, checking every {@code poll}; fails after {@code timeout}. */
    public static <E extends Exception> void until(Duration timeout, Duration poll, String what, Check<E> condition)
            throws E, InterruptedException {
        value(timeout, poll, what, () -> condition.test() ? Boolean.TRUE : null, Objects::nonNull);
    }

    /**
     * Waits until {@code condition} holds, checking every {@code poll}, for at most {@code timeout}, and says whether
     * it did: for best-effort waits, and for those whose caller asserts something more telling afterwards.
     */
    public static <E extends Exception> boolean holdsWithin(Duration timeout, Duration poll, Check<E> condition)
            throws E, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (condition.test()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Thread.sleep(Duration.ofNanos(Math.min(left, poll.toNanos())));
        }
    }

    /**
     * Polls {@code probe} every {@link #POLL} until {@code accept} takes its value, and returns that value; fails after
     * {@code timeout} with the last value seen.
     */
    public static <T, E extends Exception> T value(Duration timeout, String what, Probe<T, E> probe,
            Predicate<? super T> accept) throws E, InterruptedException {
        return value(timeout, POLL, what, probe, accept);
    }

    /**
     * Polls {@code probe} every {@code poll} until {@code accept} takes its value, and returns that value; fails after
     * {@code timeout} with the last value seen.
     */
    public static <T, E extends Exception> T value(Duration timeout, Duration poll, String what, Probe<T, E> probe,
            Predicate<? super T> accept) throws E, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T last = probe.get();
            if (accept.test(last)) {
                return last;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + describe(timeout) + " waiting until " + what
                        + (last == null || last instanceof Boolean ? "" : "; last seen: " + last));
            }
            Thread.sleep(Duration.ofNanos(Math.min(left, poll.toNanos())));
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
