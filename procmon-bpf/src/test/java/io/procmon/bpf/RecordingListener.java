package io.procmon.bpf;

import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import io.procmon.core.SourceListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Collects what a source reports, for assertions. */
final class RecordingListener implements SourceListener {
    final List<ProcessEvent> events = new CopyOnWriteArrayList<>();
    final List<LostEvents> lost = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.CountDownLatch gate;

    RecordingListener() {
        this(null);
    }

    /** A listener whose first event holds the source's reader until {@code gate} opens (at most 2 minutes). */
    RecordingListener(java.util.concurrent.CountDownLatch gate) {
        this.gate = gate;
    }

    @Override
    public void onEvent(ProcessEvent event) {
        if (gate != null && events.isEmpty()) {
            try {
                gate.await(120, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        events.add(event);
    }

    /** The events announced lost at {@code origin}. */
    long lost(LostEvents.Origin origin) {
        return lost.stream().filter(l -> l.origin() == origin).mapToLong(LostEvents::count).sum();
    }

    @Override
    public void onLost(LostEvents notice) {
        lost.add(notice);
    }

    List<ProcessEvent> matching(Predicate<ProcessEvent> filter) {
        return events.stream().filter(filter).toList();
    }

    /** The one event of {@code pid}, waited for; fails unless exactly one came. */
    ProcessEvent the(long pid, Duration timeout) throws InterruptedException {
        List<ProcessEvent> found = await(e -> e.pid() == pid, 1, timeout);
        org.assertj.core.api.Assertions.assertThat(found).as("events for pid %d", pid).hasSize(1);
        return found.get(0);
    }

    /** Waits until {@code count} events match, or the timeout passes; returns what matched. */
    List<ProcessEvent> await(Predicate<ProcessEvent> filter, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (matching(filter).size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return matching(filter);
    }
}
