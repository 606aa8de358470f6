package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.procmon.core.testing.CapturingSource.awaitDelivered;

import io.procmon.core.testing.CapturingSource;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the metrics endpoint reads: health, per-sink counts, queue and newest event. */
class MonitorHealthTest {
    private final CapturingSource source = new CapturingSource();
    private Monitor monitor;

    @AfterEach
    void closeMonitor() {
        if (monitor != null) {
            monitor.close();
        }
    }

    private static ProcessEvent event(int pid, long exitNanos) {
        return ProcessEvent.builder().pid(pid).ppid(1).uid(0).command("cmd").execTimeNanos(1_000).exitTimeNanos(exitNanos)
                .clockOffsetNanos(1_700_000_000_000_000_000L).build();
    }

    @Test
    void healthIsNotAttachedBeforeStartOkWhileRunningAndStoppedAfterClose() {
        monitor = Monitor.builder(source).sink("file", e -> { }).userNames(uid -> Optional.empty()).build();
        assertThat(monitor.health()).isEqualTo(new Health(false, "not attached yet"));
        monitor.start();
        assertThat(monitor.health()).isEqualTo(new Health(true, "ok"));
        monitor.close();
        assertThat(monitor.health()).isEqualTo(new Health(false, "stopped"));
    }

    @Test
    void aSourceThatFailsMakesTheMonitorUnhealthyWithItsReason() {
        monitor = Monitor.builder(source).sink(e -> { }).userNames(uid -> Optional.empty()).build();
        monitor.start();
        source.listener().onFailure(new EventSourceException("cannot read the kernel's events any more: boom"));
        assertThat(monitor.health()).isEqualTo(new Health(false, "event source failed: cannot read the kernel's events any more: boom"));
    }

    @Test
    void aSinkWhoseLatestCallFailedIsUnhealthyUntilACallSucceeds() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        EventSink flaky = e -> {
            if (broken.get()) {
                throw new IllegalStateException("disk on fire");
            }
        };
        monitor = Monitor.builder(source).sink("good", e -> { }).sink("flaky", flaky).userNames(uid -> Optional.empty()).build();
        monitor.start();
        source.listener().onEvent(event(1, 2_000));
        awaitDelivered(monitor, 1);
        assertThat(monitor.health()).isEqualTo(new Health(false, "sink flaky failing: onEvent: disk on fire"));
        broken.set(false);
        source.listener().onEvent(event(2, 3_000));
        awaitDelivered(monitor, 2);
        assertThat(monitor.health().healthy()).isTrue();
        assertThat(monitor.stats().sinks()).containsExactly(new MonitorStats.SinkStats("good", 2, 0),
                new MonitorStats.SinkStats("flaky", 1, 1));
    }

    @Test
    void aSinkThatReportsAFailureOfItsOwnIsUnhealthy() {
        EventSink dead = new EventSink() {
            @Override
            public void onEvent(ProcessEvent event) {
            }

            @Override
            public Optional<String> failure() {
                return Optional.of("its sender thread stopped");
            }
        };
        monitor = Monitor.builder(source).sink("kafka", dead).userNames(uid -> Optional.empty()).build();
        monitor.start();
        assertThat(monitor.health()).isEqualTo(new Health(false, "sink kafka failing: its sender thread stopped"));
    }

    @Test
    void statsCountWhatEachSinkWroteTheQueueAndTheNewestEventsEnd() throws Exception {
        monitor = Monitor.builder(source).sink("file", e -> { }).sink(e -> { }).queueCapacity(77)
                .userNames(uid -> Optional.empty()).build();
        assertThat(monitor.stats().lastEventEnd()).isEmpty();
        monitor.start();
        for (int pid = 1; pid <= 10; pid++) {
            source.listener().onEvent(event(pid, 1_000_000_000L * pid));
        }
        awaitDelivered(monitor, 10);
        MonitorStats stats = monitor.stats();
        assertThat(stats.sinks()).extracting(MonitorStats.SinkStats::name).containsExactly("file", "sink2");
        assertThat(stats.sinks()).extracting(MonitorStats.SinkStats::written).containsExactly(10L, 10L);
        assertThat(stats.queueCapacity()).isEqualTo(77);
        assertThat(stats.queueDepth()).isZero();
        assertThat(stats.lastEventEnd()).contains(Instant.ofEpochSecond(1_700_000_010L));
    }

    @Test
    void lossTotalsPerOriginAddUpOverCpus() {
        MonitorStats stats = new MonitorStats(0, 0, 0, List.of(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 0, 3),
                new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 1, 4), new LostEvents(LostEvents.Origin.DISPATCH_QUEUE, -1, 5)), 0);
        assertThat(stats.lost(LostEvents.Origin.KERNEL_BUFFER)).isEqualTo(7);
        assertThat(stats.lost(LostEvents.Origin.DISPATCH_QUEUE)).isEqualTo(5);
        assertThat(stats.lost(LostEvents.Origin.KERNEL_START_RECORD)).isZero();
    }

    @Test
    void sinkNamesAreRequiredAndUnique() {
        Monitor.Builder builder = Monitor.builder(source).sink("file", e -> { });
        assertThatThrownBy(() -> builder.sink("file", e -> { })).hasMessage("two sinks named file");
        assertThatThrownBy(() -> builder.sink(" ", e -> { })).hasMessage("a sink needs a name");
    }
}
