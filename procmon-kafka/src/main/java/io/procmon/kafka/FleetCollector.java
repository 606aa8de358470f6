package io.procmon.kafka;

import io.procmon.schema.SequenceTracker;
import io.procmon.schema.ProcessRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumes procmon's topic as a member of a consumer group and hands each record, once, to a
 * {@link Handler}: duplicates (same host, run and sequence number) are counted and skipped; gaps
 * and announced losses are tracked per host and run ({@link #runs()}). Offsets are committed after
 * the handler has flushed what it received, so a record is never committed before it is written.
 *
 * <p>{@link #run()} polls until {@link #stop()} is called from another thread (a signal handler).
 */
public final class FleetCollector implements AutoCloseable {
    /** Where collected records go. */
    public interface Handler {
        /**
         * One record, first time seen; {@code json} is its text as sent, on one line (a line break
         * between tokens, the only place a valid record can hold one, made a space:
         * {@link ProcessRecord#line}), or null when {@link #needsJson()} says it is not wanted.
         */
        void onRecord(ProcessRecord record, String json);

        /** Whether {@link #onRecord} needs each record's text (a string made of its bytes). */
        default boolean needsJson() {
            return true;
        }

        /**
         * A run no longer tracked: the collector tracks {@value RecordIntake#MAX_RUNS} runs at most and
         * lets the one seen least recently go, with these figures, its last. Should that run send
         * again, it is tracked afresh, counted from the first number seen then (from 1 if more than
         * {@value RecordIntake#MAX_RUNS} other runs were retired in between).
         */
        default void onRetired(String run, SequenceTracker figures) {
        }

        /** A value that is not a procmon record of a readable schema. */
        void onMalformed(String reason, String where);

        /** Make everything handled so far durable; called before offsets are committed. */
        void flush();
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Handler handler;
    private final RecordIntake intake;
    /** Partitions this group had committed offsets for when they were assigned: read past their start before. */
    private final java.util.Set<TopicPartition> resumed = new java.util.HashSet<>();
    private volatile boolean stopping;
    private volatile boolean assigned;

    /**
     * @param bootstrap the brokers
     * @param topic procmon's topic
     * @param group the consumer group (offsets are kept per group)
     * @param extra more consumer properties (TLS, SASL...), may be empty
     */
    public FleetCollector(String bootstrap, String topic, String group, Properties extra, Handler handler) {
        Properties p = new Properties();
        p.putAll(extra);
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "procmon-collect");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(java.util.Collection<TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(java.util.Collection<TopicPartition> partitions) {
                if (!partitions.isEmpty()) {
                    consumer.committed(new java.util.HashSet<>(partitions)).forEach((tp, offset) -> {
                        if (offset != null && offset.offset() > 0) {
                            resumed.add(tp);
                        }
                    });
                }
                assigned = !partitions.isEmpty() || assigned;
            }
        });
        this.handler = handler;
        this.intake = new RecordIntake(handler);
    }

    /** Polls, hands over, flushes and commits until {@link #stop()}; then commits what was handled. */
    public void run() {
        try {
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    handle(r);
                }
                if (!batch.isEmpty()) {
                    handler.flush();
                    consumer.commitSync();
                }
            }
        } catch (WakeupException e) {
            // stop() was called
        }
        handler.flush();
        try {
            consumer.commitSync(Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            // The group may be gone with the broker; what was written stays written.
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> r) {
        TopicPartition partition = new TopicPartition(r.topic(), r.partition());
        intake.accept(r.value(), resumed.contains(partition), partition, r.offset());
    }

    /** Stops {@link #run()} from another thread. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    /** Per host and run, what arrived (a snapshot is not taken: read after {@link #run()} returned). */
    public Map<String, SequenceTracker> runs() {
        return intake.runs();
    }

    /** Whether the group has given this collector partitions to read yet; safe from any thread. */
    public boolean assigned() {
        return assigned;
    }

    /** Values consumed so far, of any kind; safe from any thread. */
    public long received() {
        return intake.received();
    }

    /** Runs retired to stay within those tracked (each told to the handler). */
    public long retired() {
        return intake.retired();
    }

    /** Values that were not procmon records. */
    public long malformed() {
        return intake.malformed();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
