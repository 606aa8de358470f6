package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

class MonitorTest {
    private EventSource source;
    private final AtomicReference<SourceListener> listener = new AtomicReference<>();
    private Monitor monitor;

    @BeforeEach
    void mockSource() {
        source = mock(EventSource.class);
        doAnswer(inv -> {
            listener.set(inv.getArgument(0));
            return null;
        }).when(source).start(any());
    }

    @AfterEach
    void closeMonitor() {
        if (monitor != null) {
            monitor.close();
        }
    }

    private Monitor start(Monitor.Builder builder) {
        monitor = builder.userNames(uid -> uid == 0 ? Optional.of("root") : Optional.empty()).build();
        monitor.start();
        return monitor;
    }

    private static ProcessEvent event(int pid, int uid) {
        return ProcessEvent.builder().pid(pid).ppid(1).uid(uid).command("cmd" + pid)
                .execTimeNanos(1_000).exitTimeNanos(2_000).build();
    }

    @Test
    void everySinkReceivesEveryEventInOrderWithUserNames() {
        RecordingSink first = new RecordingSink();
        RecordingSink second = new RecordingSink();
        start(Monitor.builder(source).sink(first).sink(second));

        for (int pid = 1; pid <= 5_000; pid++) {
            listener.get().onEvent(event(pid, pid % 2 == 0 ? 0 : 4242));
        }
        monitor.close();

        for (RecordingSink sink : List.of(first, second)) {
            assertThat(sink.events).extracting(ProcessEvent::pid)
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, 5_000).boxed().toList());
            assertThat(sink.events.get(0).userName()).contains("4242");
            assertThat(sink.events.get(1).userName()).contains("root");
        }
        assertThat(monitor.stats().received()).isEqualTo(5_000);
        assertThat(monitor.stats().delivered()).isEqualTo(5_000);
    }

    @Test
    void lostNoticesReachSinksBetweenEventsAndAreTotalled() {
        RecordingSink sink = new RecordingSink();
        start(Monitor.builder(source).sink(sink));

        listener.get().onEvent(event(1, 0));
        listener.get().onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 1, 7));
        listener.get().onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 1, 3));
        listener.get().onEvent(event(2, 0));
        monitor.close();

        assertThat(sink.log).filteredOn(l -> !l.equals("flush")).containsExactly("event 1", "lost 7 cpu 1", "lost 3 cpu 1", "event 2", "close");
        assertThat(monitor.stats().lost())
                .containsExactly(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 1, 10));
        assertThat(monitor.stats().lostTotal()).isEqualTo(10);
    }

    @Test
    void aThrowingSinkIsCountedAndNeverStopsTheOthers() {
        EventSink broken = mock(EventSink.class);
        doThrow(new IllegalStateException("disk on fire")).when(broken).onEvent(any());
        RecordingSink healthy = new RecordingSink();
        start(Monitor.builder(source).sink(broken).sink(healthy));

        for (int pid = 1; pid <= 100; pid++) {
            listener.get().onEvent(event(pid, 0));
        }
        monitor.close();

        assertThat(healthy.events).hasSize(100);
        verify(broken, times(100)).onEvent(any());
        verify(broken).close();
        assertThat(monitor.stats().sinkFailures()).isEqualTo(100);
    }

    @Test
    void aSlowSinkNeverStallsTheSourceAndDropsAreReported() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        RecordingSink slow = blockedUntil(blocked, release);
        start(Monitor.builder(source).sink(slow).queueCapacity(8));

        listener.get().onEvent(event(1, 0));
        blocked.await();
        // If the source thread could block, this would hang: the sink waits for the latch.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int pid = 2; pid <= 1_000; pid++) {
                listener.get().onEvent(event(pid, 0));
            }
        });
        release.countDown();
        monitor.close();

        long dropped = slow.lost.stream().mapToLong(LostEvents::count).sum();
        assertThat(dropped).isPositive();
        assertThat(slow.lost).allMatch(l -> l.origin() == LostEvents.Origin.DISPATCH_QUEUE);
        assertThat(slow.events.size() + dropped).isEqualTo(1_000);
        assertThat(monitor.stats().lostTotal()).isEqualTo(dropped);
        assertThat(slow.events).extracting(ProcessEvent::pid).isSorted();
    }

    @Test
    void theQueueIsBoundedInBytesToo() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        RecordingSink slow = blockedUntil(blocked, release);
        // Room for 65,536 events, but 1 MiB of them: a user's 32 KiB command lines fill bytes first.
        start(Monitor.builder(source).sink(slow).queueBytes(1 << 20));
        listener.get().onEvent(event(1, 0));
        blocked.await();
        String argument = "A".repeat(32 * 1024);
        ProcessEvent big = ProcessEvent.builder().pid(2).ppid(1).command("true").arguments(new Arguments(List.of("true", argument), false, 0))
                .execTimeNanos(1_000).exitTimeNanos(2_000).build();
        try {
            for (int pid = 2; pid <= 1_000; pid++) {
                listener.get().onEvent(ProcessEvent.builder().pid(pid).ppid(1).command("true")
                        .arguments(new Arguments(List.of("true", argument), false, 0)).execTimeNanos(1_000).exitTimeNanos(2_000).build());
            }
        } finally {
            release.countDown();
        }
        monitor.close();
        assertThat(big.retainedBytes()).isGreaterThan(2L * argument.length());

        long dropped = slow.lost.stream().mapToLong(LostEvents::count).sum();
        long passed = slow.events.size() - 1;
        assertThat(passed).as("events the byte bound let in").isBetween(1L, (1L << 20) / big.retainedBytes());
        assertThat(passed + dropped).isEqualTo(999);
        assertThat(slow.lost).allMatch(l -> l.origin() == LostEvents.Origin.DISPATCH_QUEUE);
    }

    @Test
    void lossNoticesThatFindTheQueueFullStillReachTheSinks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        RecordingSink slow = blockedUntil(blocked, release);
        start(Monitor.builder(source).sink(slow).queueCapacity(2));
        listener.get().onEvent(event(1, 0));
        blocked.await();
        listener.get().onEvent(event(2, 0));
        listener.get().onEvent(event(3, 0)); // the queue is full from here on
        for (int i = 0; i < 100; i++) {
            listener.get().onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, i % 2, 3));
            listener.get().onLost(new LostEvents(LostEvents.Origin.KERNEL_START_RECORD, LostEvents.NO_CPU, 1));
        }
        release.countDown();
        monitor.close();

        java.util.Map<LostEvents.Origin, Long> received = new java.util.EnumMap<>(LostEvents.Origin.class);
        slow.lost.forEach(l -> received.merge(l.origin(), l.count(), Long::sum));
        assertThat(received).containsEntry(LostEvents.Origin.KERNEL_BUFFER, 300L).containsEntry(LostEvents.Origin.KERNEL_START_RECORD, 100L);
        assertThat(monitor.stats().lost(LostEvents.Origin.KERNEL_BUFFER)).isEqualTo(300);
    }

    @Test
    void closeDrainsTheSourceDeliversEverythingAndIsIdempotent() {
        RecordingSink sink = new RecordingSink();
        doAnswer(inv -> {
            listener.get().onEvent(event(99_999, 0)); // produced by the kernel before it stopped
            return null;
        }).when(source).close();
        start(Monitor.builder(source).sink(sink));
        for (int pid = 1; pid <= 1_000; pid++) {
            listener.get().onEvent(event(pid, 0));
        }

        monitor.close();
        monitor.close();

        verify(source, times(1)).close();
        assertThat(sink.events).hasSize(1_001);
        assertThat(sink.events.get(1_000).pid()).isEqualTo(99_999);
        assertThat(sink.log.subList(sink.log.size() - 2, sink.log.size())).containsExactly("flush", "close");
        assertThat(sink.log).filteredOn("close"::equals).hasSize(1);
        assertThatThrownBy(monitor::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeFromASinkIsRefusedAndTheRealCloseStillWorks() {
        AtomicReference<Throwable> refused = new AtomicReference<>();
        EventSink sink = mock(EventSink.class);
        start(Monitor.builder(source).sink(e -> {
            try {
                monitor.close();
            } catch (IllegalStateException expected) {
                refused.set(expected);
            }
        }).sink(sink));
        listener.get().onEvent(event(1, 0));
        verify(sink, timeout(5_000)).onEvent(any());

        monitor.close();

        assertThat(refused.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("dispatch thread");
        verify(source).close();
        verify(sink).close();
    }

    @Test
    void sinksAreFlushedWhenEventsPause() {
        EventSink sink = mock(EventSink.class);
        start(Monitor.builder(source).sink(sink).flushInterval(Duration.ofMillis(20)));

        listener.get().onEvent(event(1, 0));

        InOrder order = inOrder(sink);
        order.verify(sink, timeout(5_000)).onEvent(any());
        order.verify(sink, timeout(5_000)).flush();
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void aReopenRequestReachesEverySinkOnTheDispatchThreadBetweenEvents() {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Thread> reopenedOn = new AtomicReference<>();
        EventSink sink = new EventSink() {
            @Override
            public void onEvent(ProcessEvent event) {
                log.add("event " + event.pid());
            }

            @Override
            public void reopen() {
                reopenedOn.set(Thread.currentThread());
                log.add("reopen");
            }
        };
        start(Monitor.builder(source).sink(sink));
        listener.get().onEvent(event(1, 0));
        awaitTrue(() -> log.contains("event 1"));
        monitor.reopenSinks();
        awaitTrue(() -> log.contains("reopen"));
        listener.get().onEvent(event(2, 0));
        monitor.close();
        assertThat(log).containsExactly("event 1", "reopen", "event 2");
        assertThat(reopenedOn.get().getName()).isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void sinksAreFlushedNowAndThenWhileNoEventComes() {
        EventSink sink = mock(EventSink.class);
        when(sink.flushesWhenIdle()).thenReturn(true);
        start(Monitor.builder(source).sink(sink));
        verify(sink, timeout(10_000).atLeast(3)).flush();
    }

    @Test
    void sinksWithNothingToDoWhileIdleAreLeftAloneAndStillReopenAtOnce() throws InterruptedException {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        EventSink sink = new EventSink() {
            @Override
            public void onEvent(ProcessEvent event) {
                log.add("event " + event.pid());
            }

            @Override
            public void flush() {
                log.add("flush");
            }

            @Override
            public void reopen() {
                log.add("reopen");
            }

            @Override
            public boolean flushesWhenIdle() {
                return false;
            }
        };
        start(Monitor.builder(source).sink(sink).flushInterval(Duration.ofMillis(20)));
        listener.get().onEvent(event(1, 0));
        awaitTrue(() -> log.contains("flush")); // the pause after the event
        Thread.sleep(2_500); // idle: an idle flush would come every second
        assertThat(log).containsExactly("event 1", "flush");
        long asked = System.nanoTime();
        monitor.reopenSinks(); // the dispatcher sleeps until something comes: the request wakes it
        awaitTrue(() -> log.contains("reopen"));
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofMillis(500));
    }

    @Test
    void aFilterHoldsEventsBackAndCountsThem() {
        RecordingSink sink = new RecordingSink();
        start(Monitor.builder(source).sink(sink).filter(e -> e.pid() % 3 == 0));
        for (int pid = 1; pid <= 30; pid++) {
            listener.get().onEvent(event(pid, 0));
        }
        monitor.close();

        assertThat(sink.events).extracting(ProcessEvent::pid).containsExactly(3, 6, 9, 12, 15, 18, 21, 24, 27, 30);
        assertThat(monitor.stats().filtered()).isEqualTo(20);
        assertThat(monitor.stats().delivered()).isEqualTo(10);
    }

    @Test
    void aSourceThatCannotStartClosesTheMonitorAndItsSinks() {
        EventSink sink = mock(EventSink.class);
        doThrow(new EventSourceException("not root")).when(source).start(any());
        monitor = Monitor.builder(source).sink(sink).build();

        assertThatThrownBy(monitor::start).isInstanceOf(EventSourceException.class).hasMessage("not root");
        verify(sink, timeout(5_000)).close();
    }

    /** A sink that, at each event, says it is {@code blocked} and waits for {@code release}. */
    private static RecordingSink blockedUntil(CountDownLatch blocked, CountDownLatch release) {
        return new RecordingSink() {
            @Override
            public void onEvent(ProcessEvent event) {
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.onEvent(event);
            }
        };
    }

    static class RecordingSink implements EventSink {
        final List<ProcessEvent> events = Collections.synchronizedList(new ArrayList<>());
        final List<LostEvents> lost = Collections.synchronizedList(new ArrayList<>());
        final List<String> log = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onEvent(ProcessEvent event) {
            events.add(event);
            log.add("event " + event.pid());
        }

        @Override
        public void onLost(LostEvents notice) {
            lost.add(notice);
            log.add("lost " + notice.count() + " cpu " + notice.cpu());
        }

        @Override
        public void flush() {
            log.add("flush");
        }

        @Override
        public void close() {
            log.add("close");
        }
    }

    @Test
    void aStopSinkHaltsAtItsFirstFailureAndTellsTheHandlerOnceWhileTheOthersGoOn() throws Exception {
        List<ProcessEvent> other = Collections.synchronizedList(new ArrayList<>());
        List<Integer> fileCalls = Collections.synchronizedList(new ArrayList<>());
        EventSink file = e -> {
            fileCalls.add(e.pid());
            if (e.pid() == 2) {
                throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
            }
        };
        List<MonitorFailure> failures = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch told = new CountDownLatch(1);
        start(Monitor.builder(source).sink("file", file, SinkFailurePolicy.STOP).sink("other", other::add)
                .onFailure(f -> {
                    failures.add(f);
                    told.countDown();
                }));
        for (int pid = 1; pid <= 4; pid++) {
            listener.get().onEvent(event(pid, 0));
        }
        assertThat(told.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        io.procmon.core.testing.CapturingSource.awaitDelivered(monitor, 4);
        monitor.close();
        assertThat(fileCalls).containsExactly(1, 2); // halted: not called again
        assertThat(other).extracting(ProcessEvent::pid).containsExactly(1, 2, 3, 4);
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0).sink()).isEqualTo("file");
        assertThat(failures.get(0).message()).isEqualTo("cannot write to sink file: java.io.IOException: No space left on device");
        assertThat(monitor.stats().sinks().get(0).failures()).isEqualTo(1);
    }

    @Test
    void aContinueSinkIsCalledAgainAfterAFailureAndStopsNothing() throws Exception {
        List<Integer> calls = Collections.synchronizedList(new ArrayList<>());
        List<MonitorFailure> failures = Collections.synchronizedList(new ArrayList<>());
        start(Monitor.builder(source).sink("flaky", e -> {
            calls.add(e.pid());
            if (e.pid() == 1) {
                throw new IllegalStateException("broker away");
            }
        }).onFailure(failures::add));
        listener.get().onEvent(event(1, 0));
        listener.get().onEvent(event(2, 0));
        io.procmon.core.testing.CapturingSource.awaitDelivered(monitor, 2);
        monitor.close();
        assertThat(calls).containsExactly(1, 2);
        assertThat(failures).isEmpty();
    }

    @Test
    void theSourcesDeathGoesToTheHandler() {
        List<MonitorFailure> failures = new ArrayList<>();
        start(Monitor.builder(source).sink(e -> { }).onFailure(failures::add));
        listener.get().onFailure(new EventSourceException("cannot read the kernel's events any more: boom"));
        assertThat(failures).singleElement().satisfies(f -> {
            assertThat(f.sourceFailed()).isTrue();
            assertThat(f.message()).isEqualTo("cannot read the kernel's events any more: boom");
        });
        assertThat(monitor.health().healthy()).isFalse();
    }
}
