package io.procmon.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.core.Arguments;
import io.procmon.core.Host;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecords;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sink's queue while no broker answers: bounded in bytes as well as in records. */
class KafkaSinkQueueTest {
    @Test
    void longCommandLinesFillTheByteBoundBeforeTheCount() {
        KafkaSinkConfig config = KafkaSinkConfig.builder("127.0.0.1:9").queueBytes(1 << 20).closeTimeout(Duration.ZERO)
                .property("max.block.ms", "200").build();
        String argument = "A".repeat(32 * 1024);
        KafkaSink sink = KafkaSink.open(config, new ProcessRecords(new Host("h", "i"), "r"));
        try {
            for (int pid = 1; pid <= 200; pid++) {
                sink.onEvent(ProcessEvent.builder().pid(pid).command("true").arguments(new Arguments(List.of("true", argument), false, 0))
                        .execTimeNanos(1).exitTimeNanos(2).build());
            }
            KafkaSink.Stats stats = sink.stats();
            // Each record is a little over 32 KiB: about 31 fit in 1 MiB (one more may be in the sender's hands).
            assertThat(stats.accepted()).isBetween(25L, 34L);
            assertThat(stats.droppedQueueFull()).isEqualTo(200 - stats.accepted());
            assertThat(config.queueCapacity()).as("the count alone would have held them all").isGreaterThan(200);
        } finally {
            sink.close();
        }
    }
}
