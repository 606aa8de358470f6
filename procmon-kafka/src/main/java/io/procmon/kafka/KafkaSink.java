package io.procmon.kafka;

import io.procmon.schema.SeqRanges;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.procmon.core.EventSink;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every record to a Kafka topic as {@link ProcessRecords} JSON, keyed by the host's id, with
 * the idempotent producer and {@code acks=all}.
 *
 * <p>Never blocks the monitor's dispatch thread: records go into a bounded queue that a sender
 * thread of its own hands to the producer. While the broker is away, records wait in that queue
 * (the sender retries the oldest one, also when a send times out waiting for the topic's metadata);
 * only when the queue is full, or the producer gives up on a record it took
 * ({@code delivery.timeout.ms}), is the record dropped and counted. Drops are reported in the
 * stream itself, as a loss notice of origin {@link LostEvents.Origin#SINK} (its count covers the
 * gaps in {@code procmon.seq} the dropped records leave), in {@link #stats()}, and, for what could
 * not be delivered and announced before {@link #close()} returned, in {@link Stats#undeliveredAtClose()}.
 * So, per run: records in the topic + losses announced there + {@code undeliveredAtClose} = records received.
 *
 * <p>Threading: {@link #onEvent}, {@link #onLost}, {@link #flush} and {@link #close} are called on
 * one thread (the monitor's dispatch thread), as {@link EventSink} says; {@link #stats()} on any.
 */
public final class KafkaSink implements EventSink {
    private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /** A serialized record, its sequence number and, for a loss notice, the ranges of those it announces. */
    private record Pending(byte[] value, long seq, long[] announces) {
    }

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final byte[] key;
    private final ProcessRecords records;
    private final BlockingQueue<Pending> queue;
    /** Bytes of the records in {@link #queue}, bounded by the configuration's queue bytes. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final long queueBytes;
    private final Duration closeTimeout;
    private final long handOverNanos;
    /** When {@link #flush()} last woke the sender (the dispatch thread's own). */
    private long lastHandOver;
    private final Thread sender;
    /** The sender is woken when the queue's free room falls to this, in records (see {@link #enqueue}). */
    private final int halfCapacity;
    /** The longest the sender sleeps with nothing handed over (a sink used without flushes still sends): a second, or the interval. */
    private final long senderNapNanos;
    private final ByteArrayBuilder bytes = new ByteArrayBuilder(1024);

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong droppedQueueFull = new AtomicLong();
    private final AtomicLong failedDelivery = new AtomicLong();
    /** Losses (records and the losses of failed notices) not yet announced by a notice in the queue. */
    private final SeqRanges unannounced = new SeqRanges();
    /** The number of the record serialize() wrote last (the records are shared with the other outputs of the run). */
    private long serializedSeq;
    /** Set by a send's callback when send() timed out waiting for metadata; the sender thread's own. */
    private boolean metadataMissing;
    private volatile boolean closing;
    private volatile long closeDeadline;
    private volatile long undeliveredAtClose = -1;
    private boolean closed;

    KafkaSink(Producer<byte[], byte[]> producer, KafkaSinkConfig config, ProcessRecords records) {
        this.producer = producer;
        this.topic = config.topic();
        this.records = records;
        String id = records.host().id().isEmpty() ? records.host().name() : records.host().id();
        this.key = id.getBytes(StandardCharsets.UTF_8);
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.halfCapacity = config.queueCapacity() / 2;
        this.queueBytes = config.queueBytes();
        this.closeTimeout = config.closeTimeout();
        this.handOverNanos = config.handOverInterval().toNanos();
        this.senderNapNanos = Math.max(TimeUnit.SECONDS.toNanos(1), handOverNanos);
        this.lastHandOver = System.nanoTime() - handOverNanos;
        this.sender = new Thread(this::sendLoop, "procmon-kafka-sender");
        sender.setDaemon(true);
        sender.start();
    }

    /** A sink with its own producer, configured by {@code config}. */
    public static KafkaSink open(KafkaSinkConfig config, ProcessRecords records) {
        Properties props = config.producerProperties();
        return new KafkaSink(new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()), config, records);
    }

    @Override
    public void onEvent(ProcessEvent event) {
        announceLosses();
        ProcessRecords.Encoded record = records.encodeProcess(event); // shared with the other outputs of the run
        serializedSeq = record.seq();
        enqueue(record.utf8(), null);
    }

    @Override
    public void onLost(LostEvents lost) {
        announceLosses();
        enqueue(serialize(g -> serializedSeq = records.writeLost(g, lost)), null);
    }

    /**
     * Announces losses found since the last call (delivery failures happen on the producer's thread),
     * and wakes the sender for the records queued since, unless it was woken less than the
     * configuration's hand-over interval ago: then a later flush hands them over.
     */
    @Override
    public void flush() {
        announceLosses();
        long now = System.nanoTime();
        if (!queue.isEmpty() && now - lastHandOver >= handOverNanos) {
            lastHandOver = now;
            LockSupport.unpark(sender);
        }
    }

    private void announceLosses() {
        if (queue.remainingCapacity() == 0 || queuedBytes.get() > queueBytes - 64 * 1024) {
            return; // a notice now would only be dropped too, and cost a sequence number
        }
        long[] ranges = unannounced.drain();
        if (ranges.length > 0) {
            LostEvents notice = new LostEvents(LostEvents.Origin.SINK, LostEvents.NO_CPU, SeqRanges.count(ranges));
            enqueue(serialize(g -> serializedSeq = records.writeLost(g, notice, ranges)), ranges);
        }
    }

    private void enqueue(byte[] value, long[] announces) {
        if (closed) {
            throw new IllegalStateException("sink is closed");
        }
        Pending record = new Pending(value, serializedSeq, announces);
        if (queuedBytes.get() + value.length <= queueBytes && queue.offer(record)) {
            long bytesNow = queuedBytes.addAndGet(value.length);
            accepted.incrementAndGet();
            // A long batch with no flush yet must not fill the queue, in records or in bytes.
            boolean crossedHalfBytes = bytesNow > queueBytes / 2 && bytesNow - value.length <= queueBytes / 2;
            if (queue.remainingCapacity() == halfCapacity || crossedHalfBytes) {
                LockSupport.unpark(sender);
            }
        } else {
            droppedQueueFull.incrementAndGet();
            unannounce(record);
        }
    }

    /** The record's sequence number is a gap to announce; so are those a lost notice announced. */
    private void unannounce(Pending record) {
        unannounced.add(record.seq());
        if (record.announces() != null) {
            unannounced.addRanges(record.announces());
        }
    }

    private interface RecordWriter {
        void write(JsonGenerator g) throws IOException;
    }

    private byte[] serialize(RecordWriter writer) {
        bytes.reset();
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            writer.write(g);
        } catch (IOException e) {
            throw new AssertionError("writes to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private void sendLoop() {
        boolean brokerSeen = false;
        Pending next = null;
        while (true) {
            try {
                if (next == null) {
                    next = queue.poll();
                    if (next == null) {
                        if (closing) {
                            return;
                        }
                        // Woken by a flush (at most once per hand-over interval), a half-full queue
                        // or close, not by each record: a wake-up costs more than a record.
                        LockSupport.parkNanos(this, senderNapNanos);
                        if (Thread.interrupted()) {
                            throw new InterruptedException();
                        }
                        continue;
                    }
                    queuedBytes.addAndGet(-next.value().length); // the producer's buffer.memory bounds it from here
                }
                if (!brokerSeen) {
                    // Until the broker has answered once, send() would fail records after max.block.ms:
                    // wait for the topic's metadata instead, keeping the records queued.
                    producer.partitionsFor(topic);
                    brokerSeen = true;
                }
                Pending record = next;
                metadataMissing = false;
                producer.send(new ProducerRecord<>(topic, key, record.value()), (metadata, error) -> {
                    if (error == null) {
                        delivered.incrementAndGet();
                    } else if (error instanceof TimeoutException && Thread.currentThread() == sender) {
                        // send() itself gave up waiting max.block.ms for the topic's metadata (the
                        // producer's own thread completes every record it took): the record never
                        // reached the producer, so it stays at the head of the queue.
                        metadataMissing = true;
                    } else {
                        lost(record);
                        log.debug("record not delivered", error);
                    }
                });
                if (metadataMissing) {
                    if (closing && System.nanoTime() - closeDeadline > 0) {
                        lostAtClose(next);
                        return;
                    }
                    continue;
                }
                next = null;
            } catch (TimeoutException e) {
                if (closing && System.nanoTime() - closeDeadline > 0) {
                    lostAtClose(next);
                    return;
                }
            } catch (InterruptedException e) {
                lostAtClose(next);
                return;
            } catch (RuntimeException e) {
                if (closing) {
                    lostAtClose(next);
                    return;
                }
                log.warn("Kafka producer refused a record: {}", e.toString());
                lost(next);
                next = null;
            }
        }
    }

    private void lost(Pending record) {
        failedDelivery.incrementAndGet();
        unannounce(record);
    }

    private void lostAtClose(Pending record) {
        if (record != null) {
            lost(record);
        }
    }

    /**
     * Tries to deliver what the sink holds for at most the configured close timeout, then closes the
     * producer; what was not delivered is counted in {@link Stats#undeliveredAtClose()}. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        announceLosses();
        closed = true;
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        closeDeadline = deadline;
        closing = true;
        LockSupport.unpark(sender);
        try {
            sender.join(Math.max(1, closeTimeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The producer fails what it could not send in time; its callbacks count those.
        producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        sender.interrupt();
        try {
            sender.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pending left; (left = queue.poll()) != null; ) {
            queuedBytes.addAndGet(-left.value().length);
            lost(left);
        }
        // What the topic's own loss notices do not announce: records that failed at close, and the
        // losses a failed notice would have announced.
        undeliveredAtClose = unannounced.count();
    }

    /** A sender thread that died leaves records queued that nothing sends: the sink is then failing. */
    @Override
    public java.util.Optional<String> failure() {
        return !sender.isAlive() && !closing ? java.util.Optional.of("its sender thread stopped") : java.util.Optional.empty();
    }

    /** Counters of this sink. */
    public Stats stats() {
        return new Stats(accepted.get(), delivered.get(), droppedQueueFull.get(), failedDelivery.get(), queue.size(), undeliveredAtClose);
    }

    @Override
    public String toString() {
        return "KafkaSink[" + topic + "]";
    }

    /**
     * @param accepted records put into the queue (notices included)
     * @param delivered records the broker acknowledged
     * @param droppedQueueFull records dropped because the queue was full
     * @param failedDelivery records the producer gave up on (or still held at close)
     * @param queued records waiting in the queue now
     * @param undeliveredAtClose once closed, records lost that no loss notice in the topic announces
     *     (they failed at close, or their notice did); -1 before
     */
    public record Stats(long accepted, long delivered, long droppedQueueFull, long failedDelivery, long queued, long undeliveredAtClose) {
        /** Records numbered (given a {@code procmon.seq}): accepted or dropped at the queue. */
        public long numbered() {
            return accepted + droppedQueueFull;
        }

        /** Records lost: dropped or not delivered. */
        public long lost() {
            return droppedQueueFull + failedDelivery;
        }

        /** Records accepted and not yet acknowledged or given up on: queued, or sent and awaiting the broker. */
        public long pending() {
            return accepted - delivered - failedDelivery;
        }
    }
}
