package io.procmon.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.procmon.schema.ProcessRecord;
import io.procmon.schema.SequenceTracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * Fuzz target for the collector's record handling: a partition's values (the input split at each
 * 0x1e byte, the ASCII record separator) are each written once afresh on one line that reads back
 * as the record, skipped as a duplicate, or counted and named as malformed; none throws. Seeded
 * with values a real monitor sent ({@code RecordIntakeFuzzTestInputs}).
 */
class RecordIntakeFuzzTest {
    private static final TopicPartition PARTITION = new TopicPartition("procmon", 0);

    @FuzzTest
    void everyValueIsWrittenOnceSkippedOrNamedMalformed(byte[] bytes) throws Exception {
        List<String> written = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        RecordIntake intake = new RecordIntake(new FleetCollector.Handler() {
            @Override
            public void onRecord(ProcessRecord record, String json) {
                written.add(json);
            }

            @Override
            public void onMalformed(String reason, String where) {
                assertThat(where).startsWith("procmon-0@");
                malformed.add(reason);
            }

            @Override
            public void flush() {
            }
        });
        List<byte[]> values = split(bytes);
        for (int i = 0; i < values.size(); i++) {
            byte[] value = values.get(i).length == 1 && values.get(i)[0] == 0 ? null : values.get(i); // a lone NUL: a tombstone
            intake.accept(value, (i & 1) == 1 && values.size() > 8, PARTITION, i);
        }
        for (String json : written) {
            assertThat(json).doesNotContain("\n", "\r");
            ProcessRecord.parse(json);
        }
        long duplicates = intake.runs().values().stream().mapToLong(SequenceTracker::duplicates).sum();
        assertThat(written.size() + malformed.size() + duplicates).isEqualTo(values.size());
        assertThat(intake.received()).isEqualTo(values.size());
        assertThat(intake.malformed()).isEqualTo(malformed.size());
        assertThat(intake.runs().size()).isLessThanOrEqualTo(RecordIntake.MAX_RUNS);
    }

    private static List<byte[]> split(byte[] bytes) {
        List<byte[]> values = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0x1e) {
                values.add(Arrays.copyOfRange(bytes, from, i));
                from = i + 1;
            }
        }
        return values;
    }
}
