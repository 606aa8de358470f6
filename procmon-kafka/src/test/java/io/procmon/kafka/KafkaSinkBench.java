package io.procmon.kafka;

import io.procmon.core.Host;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecords;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;

/**
 * The Kafka sink alone against a real local broker (run by bench/kafka-sink-bench.sh, pinned to one
 * core): records per second from onEvent to the broker's acknowledgement, and the heap a full queue
 * holds while the broker is away. Prints figures; asserts nothing.
 */
public final class KafkaSinkBench {
    private KafkaSinkBench() {
    }

    private static ProcessEvent event(int i) {
        return ProcessEvent.builder().pid(100_000 + i % 3_000_000).ppid(1).uid(0).command("bench-" + (i % 97)).execTimeNanos(i)
                .exitTimeNanos(i + 1_234_567L).exitCode(0).clockOffsetNanos(1_764_000_000_000_000_000L).host(new Host("bench", "b1"))
                .build().withUserName("root");
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (KafkaBroker broker = KafkaBroker.startNew()) {
            for (int round = 1; round <= rounds; round++) {
                KafkaSinkConfig config = KafkaSinkConfig.builder(broker.bootstrap()).topic("bench-" + round)
                        .queueCapacity(20_000).closeTimeout(Duration.ofSeconds(60)).build();
                KafkaSink sink = KafkaSink.open(config, new ProcessRecords(new Host("bench", "b1"), "bench"));
                sink.onEvent(event(0));
                while (sink.stats().delivered() < 1) { // topic created, broker answering
                    Thread.sleep(10);
                }
                long cpu0 = processCpuNanos();
                long t0 = System.nanoTime();
                for (int i = 1; i <= records; i++) {
                    sink.onEvent(event(i));
                    while (sink.stats().queued() > 15_000) {
                        Thread.onSpinWait(); // a benchmark may wait; the monitor never does (it would drop)
                    }
                }
                sink.close();
                long t1 = System.nanoTime();
                long cpu1 = processCpuNanos();
                KafkaSink.Stats s = sink.stats();
                System.out.printf(Locale.ROOT, "round %d: %,d records delivered in %.2f s: %,.0f records/s, %.1f µs CPU per record (%d lost)%n",
                        round, s.delivered() - 1, (t1 - t0) / 1e9, (s.delivered() - 1) / ((t1 - t0) / 1e9),
                        (cpu1 - cpu0) / 1e3 / records, s.lost());
            }
            broker.kill();
            // A full queue while the broker is away: what does it hold?
            KafkaSinkConfig config = KafkaSinkConfig.builder(broker.bootstrap()).topic("bench-full").queueCapacity(20_000)
                    .closeTimeout(Duration.ZERO).build();
            KafkaSink sink = KafkaSink.open(config, new ProcessRecords(new Host("bench", "b1"), "bench"));
            sink.onEvent(event(0));
            Thread.sleep(2_000); // the sender is now waiting for the broker, holding that one record
            long before = usedHeapAfterGc();
            for (int i = 1; i < 40_000; i++) {
                sink.onEvent(event(i));
            }
            long full = usedHeapAfterGc();
            System.out.printf(Locale.ROOT, "full queue (broker down): %,d queued, %,d dropped, heap held %.1f MiB (%.0f bytes per record)%n",
                    sink.stats().queued(), sink.stats().droppedQueueFull(), (full - before) / 1048576.0,
                    (full - before) / (double) Math.max(1, sink.stats().queued()));
            sink.close();
            java.io.ByteArrayOutputStream one = new java.io.ByteArrayOutputStream();
            try (io.procmon.jsonl.JsonLinesSink jsonl = io.procmon.jsonl.JsonLinesSink.to(one, new ProcessRecords(new Host("bench", "b1"), "bench"))) {
                jsonl.onEvent(event(12345));
            }
            System.out.printf(Locale.ROOT, "one record is %d bytes of JSON%n", one.size() - 1);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
