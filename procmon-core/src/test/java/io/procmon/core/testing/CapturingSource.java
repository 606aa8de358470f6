package io.procmon.core.testing;

import io.procmon.core.EventSource;
import io.procmon.core.Monitor;
import io.procmon.core.SourceListener;

/**
 * Test helper: an {@link EventSource} that keeps the listener it is started with, so that a test
 * plays the kernel's part. Shared with other modules through the test jar.
 */
public final class CapturingSource implements EventSource {
    private volatile SourceListener listener;

    @Override
    public void start(SourceListener sourceListener) {
        this.listener = sourceListener;
    }

    /** The listener the monitor started this source with. */
    public SourceListener listener() {
        SourceListener l = listener;
        if (l == null) {
            throw new IllegalStateException("source not started");
        }
        return l;
    }

    @Override
    public void close() {
    }

    /** Waits until {@code monitor} has dispatched {@code count} events, at most 10 s; fails otherwise. */
    public static void awaitDelivered(Monitor monitor, long count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (monitor.stats().delivered() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (monitor.stats().delivered() != count) {
            throw new AssertionError("delivered " + monitor.stats().delivered() + " events, expected " + count);
        }
    }

    /** Waits until {@code count} events are delivered and the queue is empty: the notices offered after them are handled too. */
    public static void awaitDrained(Monitor monitor, long count) throws InterruptedException {
        awaitDelivered(monitor, count);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (monitor.stats().queueDepth() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        if (monitor.stats().queueDepth() != 0) {
            throw new AssertionError(monitor.stats().queueDepth() + " items still queued");
        }
    }
}
