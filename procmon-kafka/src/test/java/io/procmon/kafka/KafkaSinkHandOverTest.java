package io.procmon.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.core.Host;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecords;
import java.time.Duration;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Records reach the producer at the monitor's flushes, at most once per hand-over interval, and all at close. */
class KafkaSinkHandOverTest {
    private static ProcessEvent event(int pid) {
        return ProcessEvent.builder().pid(pid).command("true").execTimeNanos(1).exitTimeNanos(2).build();
    }

    private static MockProducer<byte[], byte[]> producer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()); // a topic it does not know: partition 0
    }

    private static void awaitSent(MockProducer<byte[], byte[]> producer, int records) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (producer.history().size() < records && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(producer.history()).hasSize(records);
    }

    @Test
    void aFlushWithinTheIntervalLeavesRecordsQueuedUntilClose() throws Exception {
        MockProducer<byte[], byte[]> producer = producer();
        KafkaSinkConfig config = KafkaSinkConfig.builder("127.0.0.1:9").handOverInterval(Duration.ofSeconds(60)).build();
        KafkaSink sink = new KafkaSink(producer, config, new ProcessRecords(new Host("h", "i"), "r"));
        sink.onEvent(event(1));
        sink.flush(); // the first flush hands over at once
        awaitSent(producer, 1);
        sink.onEvent(event(2));
        sink.onEvent(event(3));
        sink.flush();
        Thread.sleep(1_500); // longer than the sender's own nap without an interval
        assertThat(producer.history()).as("held until the interval has passed").hasSize(1);
        sink.close();
        assertThat(producer.history()).hasSize(3);
        assertThat(sink.stats().delivered()).isEqualTo(3);
    }

    @Test
    void withoutAnIntervalEveryFlushHandsOver() throws Exception {
        MockProducer<byte[], byte[]> producer = producer();
        KafkaSinkConfig config = KafkaSinkConfig.builder("127.0.0.1:9").handOverInterval(Duration.ZERO).build();
        KafkaSink sink = new KafkaSink(producer, config, new ProcessRecords(new Host("h", "i"), "r"));
        try {
            for (int pid = 1; pid <= 3; pid++) {
                sink.onEvent(event(pid));
                sink.flush();
                awaitSent(producer, pid);
            }
        } finally {
            sink.close();
        }
    }

    @Test
    void anIntervalOutsideZeroToAMinuteIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaSinkConfig.builder("b:9092").handOverInterval(Duration.ofSeconds(61)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hand-over interval");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaSinkConfig.builder("b:9092").handOverInterval(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchesAre256KiBUnlessASmallerBufferOrTheUserSaysOtherwise() {
        assertThat(KafkaSinkConfig.builder("b:9092").build().producerProperties().getProperty("batch.size")).isEqualTo("262144");
        // A batch must fit in buffer.memory, or no record could ever be sent (FleetIT's fragile host: 128 KiB).
        assertThat(KafkaSinkConfig.builder("b:9092").property("buffer.memory", "131072").build().producerProperties()
                .getProperty("batch.size")).isEqualTo("32768");
        assertThat(KafkaSinkConfig.builder("b:9092").property("buffer.memory", "131072").property("batch.size", "16384").build()
                .producerProperties().getProperty("batch.size")).isEqualTo("16384");
    }
}
