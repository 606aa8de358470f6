package io.procmon.kafka;

import io.procmon.schema.ProcessRecord;
import io.procmon.schema.SequenceTracker;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What the collector does with each value it consumes, apart from Kafka: read it as hostile input,
 * account its sequence number in its run, and hand it over once, written afresh on one line, or
 * count and name it as malformed. Never throws for a value: one that threw would throw again at
 * every restart, before its offset is committed. One thread (the collector's poll loop).
 */
final class RecordIntake {
    /**
     * Runs tracked at most, each a few hundred bytes and a range per gap: records of new runs beyond
     * it are skipped and counted as malformed, so a sender inventing run ids cannot exhaust memory.
     */
    static final int MAX_RUNS = 100_000;

    private final FleetCollector.Handler handler;
    private final Map<String, SequenceTracker> runs = new TreeMap<>();
    private long malformed;
    private final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();

    RecordIntake(FleetCollector.Handler handler) {
        this.handler = handler;
    }

    /**
     * One consumed value.
     *
     * @param value the record's bytes, null for a tombstone
     * @param resumed whether the group had read this partition before (a run's first number seen is then not its first)
     * @param partition and {@code offset}: where the value is, to name it when it is malformed
     */
    void accept(byte[] value, boolean resumed, TopicPartition partition, long offset) {
        accept(value, resumed, () -> partition.topic() + "-" + partition.partition() + "@" + offset);
    }

    /**
     * One value from anywhere (a topic, a line of a file).
     *
     * @param where names the value when it is malformed; called only then
     */
    void accept(byte[] value, boolean resumed, java.util.function.Supplier<String> where) {
        received.incrementAndGet();
        ProcessRecord record;
        String line;
        try {
            JsonNode tree = ProcessRecord.readTree(value == null ? new byte[0] : value);
            record = ProcessRecord.of(tree);
            String key = runKey(record);
            SequenceTracker tracker = runs.get(key);
            if (tracker == null) {
                if (runs.size() >= MAX_RUNS) {
                    throw new ProcessRecord.MalformedRecordException("a run beyond the " + MAX_RUNS + " this collector tracks");
                }
                tracker = new SequenceTracker(resumed);
                runs.put(key, tracker);
            }
            if (!tracker.offer(record.seq())) {
                return;
            }
            if (record.lost().isPresent()) {
                tracker.announced(record.lost().get(), record.lostSeqs());
            }
            line = handler.needsJson() ? ProcessRecord.compact(tree) : null;
        } catch (ProcessRecord.MalformedRecordException | RuntimeException e) {
            malformed++;
            handler.onMalformed(e instanceof ProcessRecord.MalformedRecordException ? e.getMessage() : "cannot read it: " + e,
                    where.get());
            return;
        }
        handler.onRecord(record, line); // a failure to write is the output's, not the record's: it propagates
    }

    /** A value refused before it is read (too long to hold, torn): counted and named as malformed. */
    void refuse(String reason, java.util.function.Supplier<String> where) {
        received.incrementAndGet();
        malformed++;
        handler.onMalformed(reason, where.get());
    }

    /** {@code host (run RUN)}: one sequence per monitor run. */
    static String runKey(ProcessRecord r) {
        return r.host().name() + " (run " + r.run() + ")";
    }

    /** Per host and run, what arrived. */
    Map<String, SequenceTracker> runs() {
        return runs;
    }

    /** Values accepted so far, of any kind; safe from any thread. */
    long received() {
        return received.get();
    }

    /** Values that were not procmon records. */
    long malformed() {
        return malformed;
    }
}
