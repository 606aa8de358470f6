package io.procmon.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.procmon.bpf.BpfEventSource;
import io.procmon.bpf.BpfStats;
import io.procmon.core.EventSink;
import io.procmon.core.testing.CapturingSource;
import io.procmon.core.LostEvents;
import io.procmon.core.Monitor;
import io.procmon.core.ProcessEvent;
import io.procmon.kafka.KafkaSink;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcmonMetricsTest {
    private final CapturingSource source = new CapturingSource();
    private Monitor monitor;

    @AfterEach
    void closeMonitor() {
        if (monitor != null) {
            monitor.close();
        }
    }

    static String text(ProcmonMetrics metrics) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static ProcessEvent event(int pid) {
        return ProcessEvent.builder().pid(pid).ppid(1).uid(0).command("cmd").execTimeNanos(1_000)
                .exitTimeNanos(2_500_000_000L).clockOffsetNanos(1_800_000_000_000_000_000L).build();
    }

    private void startWith(EventSink... sinks) {
        Monitor.Builder b = Monitor.builder(source).userNames(uid -> Optional.empty()).queueCapacity(1000);
        String[] names = {"file", "kafka"};
        for (int i = 0; i < sinks.length; i++) {
            b.sink(names[i], sinks[i]);
        }
        monitor = b.build();
        monitor.start();
    }

    @Test
    void countersEqualWhatTheMonitorCountedPerOutputAndPerOrigin() throws Exception {
        int[] calls = {0};
        EventSink failsEveryThird = e -> {
            if (++calls[0] % 3 == 0) {
                throw new IllegalStateException("no");
            }
        };
        startWith(e -> { }, failsEveryThird);
        for (int pid = 1; pid <= 9; pid++) {
            source.listener().onEvent(event(pid));
        }
        source.listener().onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 0, 5));
        source.listener().onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 1, 7));
        source.listener().onLost(new LostEvents(LostEvents.Origin.KERNEL_START_RECORD, -1, 2));
        CapturingSource.awaitDrained(monitor, 9);

        Map<String, Double> s = Exposition.samples(text(ProcmonMetrics.builder(monitor).version("9.9").jvm(false).build()));
        assertThat(s).contains(
                entry("procmon_processes_total{output=\"file\"}", 9.0),
                entry("procmon_processes_total{output=\"kafka\"}", 6.0),
                entry("procmon_sink_failures_total{sink=\"file\"}", 0.0),
                entry("procmon_sink_failures_total{sink=\"kafka\"}", 3.0),
                entry("procmon_events_lost_total{origin=\"kernel_buffer\"}", 12.0),
                entry("procmon_events_lost_total{origin=\"kernel_start_record\"}", 2.0),
                entry("procmon_events_lost_total{origin=\"dispatch_queue\"}", 0.0),
                entry("procmon_events_received_total", 9.0),
                entry("procmon_queue_capacity", 1000.0),
                entry("procmon_queue_depth", 0.0),
                entry("procmon_last_event_timestamp_seconds", 1_800_000_002.5),
                entry("procmon_build_info{version=\"9.9\"}", 1.0));
        assertThat(s).containsKey("procmon_healthy");
    }

    @Test
    void featuresThatAreOffExportNothing() throws Exception {
        startWith(e -> { });
        String text = text(ProcmonMetrics.builder(monitor).jvm(false).build());
        assertThat(text).doesNotContain("procmon_kafka").doesNotContain("origin=\"sink\"")
                .doesNotContain("procmon_kernel_table").doesNotContain("jvm_").doesNotContain("process_")
                .doesNotContain("procmon_last_event_timestamp_seconds ");
    }

    @Test
    void kafkaAndTheKernelTableAreExportedWhenGiven() throws Exception {
        KafkaSink kafka = mock(KafkaSink.class);
        when(kafka.stats()).thenReturn(new KafkaSink.Stats(100, 80, 15, 4, 1, -1));
        BpfEventSource bpf = mock(BpfEventSource.class);
        when(bpf.stats()).thenReturn(new BpfStats(50, 0, 0, 0, 0, 0, 4096));
        when(bpf.startTableEntries()).thenReturn(OptionalLong.of(321));
        startWith(e -> { });
        Map<String, Double> s = Exposition.samples(text(ProcmonMetrics.builder(monitor).kafka(kafka).kernel(bpf).jvm(false).build()));
        assertThat(s).contains(
                entry("procmon_kafka_records_total{result=\"delivered\"}", 80.0),
                entry("procmon_kafka_records_total{result=\"lost\"}", 19.0),
                entry("procmon_events_lost_total{origin=\"sink\"}", 19.0),
                entry("procmon_kafka_pending_records", 16.0),
                entry("procmon_kernel_table_entries", 321.0),
                entry("procmon_kernel_table_capacity", 4096.0),
                entry("procmon_kernel_events_read_total", 50.0));
    }

    @Test
    void theJvmsOwnProcessMetricsAreThereByDefault() throws Exception {
        startWith(e -> { });
        Map<String, Double> s = Exposition.samples(text(ProcmonMetrics.builder(monitor).build()));
        assertThat(s.get("process_resident_memory_bytes")).isGreaterThan(1_000_000.0);
        assertThat(s.get("process_cpu_seconds_total")).isGreaterThan(0.0);
        assertThat(s.keySet()).anyMatch(k -> k.startsWith("jvm_gc_collection_seconds_count"));
        assertThat(s.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{area=\"heap\"}"));
    }
}
