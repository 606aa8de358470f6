package io.procmon.kafka;

import io.procmon.schema.ProcessRecord;
import io.procmon.schema.SequenceTracker;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * What the collector does with each value it consumes, apart from Kafka: read it as hostile input,
 * account its sequence number in its run, and hand it over once, as its text on one line, or
 * count and name it as malformed. Never throws for a value: one that threw would throw again at
 * every restart, before its offset is committed. One thread (the collector's poll loop).
 */
final class RecordIntake {
    /**
     * Runs tracked at most, each a few hundred bytes and at most about 2 KiB
     * ({@link SequenceTracker#MAX_TRACKED_RANGES}): 20,000 runs hold at most about 45 MiB, however
     * many gaps or run ids senders invent. A new run beyond it retires the run seen least recently,
     * whose figures go to {@link FleetCollector.Handler#onRetired} first.
     */
    static final int MAX_RUNS = 20_000;

    private final FleetCollector.Handler handler;
    /** In access order: the first is the run seen least recently. */
    private final Map<String, SequenceTracker> runs = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private long retired;
    /** Hashes of the runs retired last (as many as are tracked): one that sends again is counted from where it resumes. */
    private final java.util.LinkedHashSet<Long> retiredRecently = new java.util.LinkedHashSet<>();
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
            byte[] bytes = value == null ? new byte[0] : value;
            record = ProcessRecord.read(bytes);
            String key = runKey(record);
            SequenceTracker tracker = runs.get(key);
            if (tracker == null) {
                if (runs.size() >= MAX_RUNS) {
                    retireEldest();
                }
                tracker = new SequenceTracker(resumed || retiredRecently.remove(hash(key)));
                runs.put(key, tracker);
            }
            if (!tracker.offer(record.seq())) {
                return;
            }
            if (record.lost().isPresent()) {
                tracker.announced(record.lost().get(), record.lostSeqs());
            }
            line = handler.needsJson() ? ProcessRecord.line(bytes) : null;
        } catch (ProcessRecord.MalformedRecordException | RuntimeException e) {
            malformed++;
            handler.onMalformed(e instanceof ProcessRecord.MalformedRecordException ? e.getMessage() : "cannot read it: " + e,
                    where.get());
            return;
        }
        handler.onRecord(record, line); // a failure to write is the output's, not the record's: it propagates
    }

    /** Lets the run seen least recently go, telling the handler its last figures. */
    private void retireEldest() {
        java.util.Iterator<Map.Entry<String, SequenceTracker>> eldest = runs.entrySet().iterator();
        Map.Entry<String, SequenceTracker> gone = eldest.next();
        eldest.remove();
        retired++;
        retiredRecently.add(hash(gone.getKey()));
        if (retiredRecently.size() > MAX_RUNS) {
            retiredRecently.remove(retiredRecently.iterator().next());
        }
        handler.onRetired(gone.getKey(), gone.getValue());
    }

    /** A value refused before it is read (too long to hold, torn): counted and named as malformed. */
    void refuse(String reason, java.util.function.Supplier<String> where) {
        received.incrementAndGet();
        malformed++;
        handler.onMalformed(reason, where.get());
    }

    private static long hash(String key) {
        long h = 1125899906842597L;
        for (int i = 0; i < key.length(); i++) {
            h = 31 * h + key.charAt(i);
        }
        return h;
    }

    /** {@code host (run RUN)}: one sequence per monitor run. */
    static String runKey(ProcessRecord r) {
        return r.host().name() + " (run " + r.run() + ")";
    }

    /** Per host and run still tracked, what arrived, sorted by host and run. */
    Map<String, SequenceTracker> runs() {
        return new TreeMap<>(runs);
    }

    /** Runs retired to stay within {@link #MAX_RUNS}. */
    long retired() {
        return retired;
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
