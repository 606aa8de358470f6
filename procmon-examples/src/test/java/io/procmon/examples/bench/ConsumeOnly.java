package io.procmon.examples.bench;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The floor under {@code procmon collect} in bench/collect.sh: the same JVM and Kafka consumer
 * (a new group, from the oldest record, offsets committed after each batch as collect does),
 * writing each value as kcat does ({@code %s\n}) and reading nothing of it. What collect costs
 * above this is its own.
 *
 * <p>{@code ConsumeOnly BOOTSTRAP TOPIC GROUP OUTPUT}: stops 2 s after the last record.
 */
public final class ConsumeOnly {
    private ConsumeOnly() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                OutputStream out = new BufferedOutputStream(new FileOutputStream(args[3]), 1 << 16)) {
            consumer.subscribe(List.of(args[1]));
            long idleSince = 0;
            boolean started = false;
            while (true) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                if (batch.isEmpty()) {
                    if (started && System.nanoTime() - idleSince > 2_000_000_000L) {
                        break;
                    }
                    continue;
                }
                started = true;
                idleSince = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    out.write(r.value());
                    out.write('\n');
                }
                out.flush();
                consumer.commitSync();
            }
        }
    }
}
