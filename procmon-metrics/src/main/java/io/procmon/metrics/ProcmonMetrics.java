package io.procmon.metrics;

import io.procmon.bpf.BpfEventSource;
import io.procmon.core.Health;
import io.procmon.core.LostEvents;
import io.procmon.core.Monitor;
import io.procmon.core.MonitorStats;
import io.procmon.kafka.KafkaSink;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Objects;

/**
 * A {@link Monitor}'s counters as Prometheus metrics, in a registry of their own.
 *
 * <p>Every metric is a callback read at scrape time from counters procmon keeps anyway, so the
 * per-event path pays nothing for them, scraped or not. A feature that is off exports nothing
 * (no Kafka sink: no {@code procmon_kafka_*}, no {@code sink} loss origin), never a zero that
 * would look like data; a loss origin that can happen exports 0 until it does, so rates work.
 * Names follow Prometheus' conventions ({@code _total} counters, base units); the README lists
 * them all.
 */
public final class ProcmonMetrics {
    private final Monitor monitor;
    private final PrometheusRegistry registry = new PrometheusRegistry();

    private ProcmonMetrics(Builder b) {
        this.monitor = b.monitor;
        registerMonitor(b.kafka);
        Info build = Info.builder().name("procmon_build_info").help("The running procmon's version")
                .labelNames("version").register(registry);
        build.setLabelValues(b.version);
        if (b.kernel != null) {
            registerKernel(b.kernel);
        }
        if (b.kafka != null) {
            registerKafka(b.kafka);
        }
        if (b.jvm) {
            ProcessMetrics.builder().register(registry);
            JvmMemoryMetrics.builder().register(registry);
            JvmGarbageCollectorMetrics.builder().register(registry);
        }
    }

    public static Builder builder(Monitor monitor) {
        return new Builder(monitor);
    }

    /** The registry the metrics are in: scrape it, or add collectors of your own. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The monitor's health, as {@code /healthz} reports it. */
    public Health health() {
        return monitor.health();
    }

    /** The monitor's metrics; with a Kafka sink, its losses are the {@code sink} origin's. */
    private void registerMonitor(KafkaSink kafka) {
        CounterWithCallback.builder().name("procmon_processes_total")
                .help("Processes handed to each output (a local file, Kafka...) without an error")
                .labelNames("output")
                .callback(cb -> monitor.stats().sinks().forEach(s -> cb.call(s.written(), s.name())))
                .register(registry);
        CounterWithCallback.builder().name("procmon_sink_failures_total")
                .help("Calls to an output that failed (logged once, then only counted)")
                .labelNames("sink")
                .callback(cb -> monitor.stats().sinks().forEach(s -> cb.call(s.failures(), s.name())))
                .register(registry);
        CounterWithCallback.builder().name("procmon_events_lost_total")
                .help("Events lost, by where they were lost; each equals the sum of that origin's loss notices in the records")
                .labelNames("origin")
                .callback(cb -> {
                    MonitorStats stats = monitor.stats();
                    for (LostEvents.Origin origin : LostEvents.Origin.values()) {
                        if (origin != LostEvents.Origin.SINK && origin.losesEvents()) {
                            cb.call(stats.lost(origin), origin.label());
                        }
                    }
                    if (kafka != null) {
                        cb.call(kafka.stats().lost(), LostEvents.Origin.SINK.label());
                    }
                })
                .register(registry);
        CounterWithCallback.builder().name("procmon_arguments_dropped_total")
                .help("Processes whose arguments were let go before their exit to stay within the bytes held for arguments;"
                        + " they are reported without them (the arguments loss notices' sum)")
                .callback(cb -> cb.call(monitor.stats().lost(LostEvents.Origin.ARGUMENTS)))
                .register(registry);
        CounterWithCallback.builder().name("procmon_events_received_total")
                .help("Events the kernel side handed over")
                .callback(cb -> cb.call(monitor.stats().received()))
                .register(registry);
        CounterWithCallback.builder().name("procmon_events_filtered_total")
                .help("Events a user-space filter (command, container, cgroup) held back")
                .callback(cb -> cb.call(monitor.stats().filtered()))
                .register(registry);
        GaugeWithCallback.builder().name("procmon_queue_depth")
                .help("Events and notices waiting in the dispatch queue between the kernel reader and the outputs")
                .callback(cb -> cb.call(monitor.stats().queueDepth()))
                .register(registry);
        GaugeWithCallback.builder().name("procmon_queue_capacity")
                .help("Capacity of the dispatch queue; past it events are dropped and counted (origin dispatch_queue)")
                .callback(cb -> cb.call(monitor.stats().queueCapacity()))
                .register(registry);
        GaugeWithCallback.builder().name("procmon_last_event_timestamp_seconds")
                .help("End time of the newest process handed to the outputs, in seconds since the epoch; absent before the first")
                .callback(cb -> monitor.stats().lastEventEnd().ifPresent(t -> cb.call(t.getEpochSecond() + t.getNano() / 1e9)))
                .register(registry);
        GaugeWithCallback.builder().name("procmon_healthy")
                .help("1 when /healthz answers 200 (attached, reader, dispatcher and every output alive), else 0")
                .callback(cb -> cb.call(monitor.health().healthy() ? 1 : 0))
                .register(registry);
    }

    private void registerKafka(KafkaSink sink) {
        CounterWithCallback.builder().name("procmon_kafka_records_total")
                .help("Records (processes and loss notices) the broker acknowledged, or that were dropped (queue full, "
                        + "delivery timeout) and are announced in the topic")
                .labelNames("result")
                .callback(cb -> {
                    KafkaSink.Stats stats = sink.stats();
                    cb.call(stats.delivered(), "delivered");
                    cb.call(stats.lost(), "lost");
                })
                .register(registry);
        GaugeWithCallback.builder().name("procmon_kafka_pending_records")
                .help("Records held for Kafka: queued, or sent and not yet acknowledged")
                .callback(cb -> cb.call(sink.stats().pending()))
                .register(registry);
    }

    private void registerKernel(BpfEventSource source) {
        GaugeWithCallback.builder().name("procmon_kernel_table_entries")
                .help("Processes in the kernel's table of running processes (exec seen, exit not yet)")
                .callback(cb -> source.startTableEntries().ifPresent(cb::call))
                .register(registry);
        GaugeWithCallback.builder().name("procmon_kernel_table_capacity")
                .help("Capacity of that table; past it start records are lost (origin kernel_start_record)")
                .callback(cb -> {
                    int capacity = source.stats().startCapacity();
                    if (capacity > 0) {
                        cb.call(capacity);
                    }
                })
                .register(registry);
        CounterWithCallback.builder().name("procmon_kernel_events_read_total")
                .help("Exit records read from the kernel's perf rings")
                .callback(cb -> cb.call(source.stats().eventsRead()))
                .register(registry);
    }

    /** Configures {@link ProcmonMetrics}. */
    public static final class Builder {
        private final Monitor monitor;
        private BpfEventSource kernel;
        private KafkaSink kafka;
        private String version = "unknown";
        private boolean jvm = true;

        private Builder(Monitor monitor) {
            this.monitor = Objects.requireNonNull(monitor, "monitor");
        }

        /** Exports the eBPF engine's table of running processes and its read count. */
        public Builder kernel(BpfEventSource source) {
            this.kernel = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Exports the Kafka sink's deliveries and losses (and the {@code sink} loss origin). */
        public Builder kafka(KafkaSink sink) {
            this.kafka = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** The version {@code procmon_build_info} carries. */
        public Builder version(String version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /** Whether to export the JVM's process metrics (CPU, resident memory, heap, GC); default true. */
        public Builder jvm(boolean jvm) {
            this.jvm = jvm;
            return this;
        }

        public ProcmonMetrics build() {
            return new ProcmonMetrics(this);
        }
    }
}
