package org.dindex.bus;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all connections' partially received frames may hold together.
 *
 * <p>Why: each connection may announce a frame up to {@code bridge.max_frame_bytes} and then send it slowly, and the
 * parser buffers what has arrived. A per-frame limit alone lets a thousand connections each hold 16 MiB, far more
 * heap than a daemon has; a daemon that runs out of heap on its event loops stops answering. Large frames reserve
 * their announced length here before any of their body is buffered; small frames (at most {@link #FREE_FRAME_BYTES})
 * are not counted, so ordinary requests are never refused for lack of budget (their total is bounded by the
 * connection limit). Shared by every event loop, hence atomic.
 */
final class FrameBudget {
    /** Frames up to this size are always accepted: the requests of the CLI and clients are far smaller. */
    static final int FREE_FRAME_BYTES = 64 * 1024;

    private final long limit;
    private final AtomicLong reserved = new AtomicLong();

    FrameBudget(long limit) {
        this.limit = limit;
    }

    /** Reserves room for a frame of {@code bytes}; false when that would exceed the limit. */
    boolean reserve(int bytes) {
        if (bytes <= FREE_FRAME_BYTES) {
            return true;
        }
        long now;
        do {
            now = reserved.get();
            if (now + bytes > limit) {
                return false;
            }
        } while (!reserved.compareAndSet(now, now + bytes));
        return true;
    }

    /** Returns what {@link #reserve} took for a frame of {@code bytes}. */
    void release(int bytes) {
        if (bytes > FREE_FRAME_BYTES) {
            reserved.addAndGet(-bytes);
        }
    }

    long limit() {
        return limit;
    }

    long reserved() {
        return reserved.get();
    }
}
