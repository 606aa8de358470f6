package io.procmon.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for the JSON record reader: any line parses to a record or is refused as malformed
 * (never another exception), and what parses writes afresh on one line that reads back as the same
 * record. Seeded with records a real monitor wrote ({@code ProcessRecordFuzzTestInputs}).
 */
class ProcessRecordFuzzTest {

    @FuzzTest
    void anyLineParsesOrIsMalformed(byte[] bytes) throws Exception {
        String line = new String(bytes, StandardCharsets.UTF_8);
        ProcessRecord record;
        try {
            record = ProcessRecord.parse(line);
        } catch (ProcessRecord.MalformedRecordException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        String compact = ProcessRecord.compact(ProcessRecord.readTree(line));
        assertThat(compact).doesNotContain("\n", "\r");
        ProcessRecord again = ProcessRecord.parse(compact);
        assertThat(again.host()).isEqualTo(record.host());
        assertThat(again.run()).isEqualTo(record.run());
        assertThat(again.seq()).isEqualTo(record.seq());
        assertThat(again.event().isPresent()).isEqualTo(record.event().isPresent());
        assertThat(again.lost()).isEqualTo(record.lost());
        assertThat(again.lostSeqs()).isEqualTo(record.lostSeqs());
        record.event().ifPresent(e -> {
            assertThat(again.event().get().pid()).isEqualTo(e.pid());
            assertThat(again.event().get().command()).isEqualTo(e.command());
        });
    }
}
