package io.procmon.kafka;

import io.procmon.schema.SequenceTracker;
import io.procmon.schema.ProcessRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;

/** Test helper: reads procmon records from a topic with the real collector until a condition holds or time runs out. */
public final class TopicReader {
    private TopicReader() {
    }

    /** Collects records in a fresh group until {@code done} holds for them or {@code timeout} passes. */
    public static Collected read(String bootstrap, String topic, Duration timeout, Predicate<List<ProcessRecord>> done)
            throws InterruptedException {
        return read(bootstrap, topic, "test-" + UUID.randomUUID(), timeout, done);
    }

    /** Collects records as a member of {@code group} until {@code done} holds for them or {@code timeout} passes. */
    public static Collected read(String bootstrap, String topic, String group, Duration timeout, Predicate<List<ProcessRecord>> done)
            throws InterruptedException {
        List<ProcessRecord> records = java.util.Collections.synchronizedList(new ArrayList<>());
        FleetCollector collector = new FleetCollector(bootstrap, topic, group, new Properties(),
                new FleetCollector.Handler() {
                    @Override
                    public void onRecord(ProcessRecord record, String json) {
                        records.add(record);
                    }

                    @Override
                    public void onMalformed(String reason, String where) {
                        throw new AssertionError("malformed record at " + where + ": " + reason);
                    }

                    @Override
                    public void flush() {
                    }
                });
        Thread t = new Thread(collector::run, "test-collector");
        t.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (records) {
                if (done.test(records)) {
                    break;
                }
            }
            Thread.sleep(200);
        }
        collector.stop();
        t.join(30_000);
        collector.close();
        return new Collected(new ArrayList<>(records), collector.runs());
    }

    /** What was read, and the per-run trackers. */
    public record Collected(List<ProcessRecord> records, java.util.Map<String, SequenceTracker> runs) {
    }
}
