package io.procmon.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz target for the JSON record reader: any value read from its bytes (as the collector reads
 * it) is a record or is refused as malformed (never another exception), and what is read, put on
 * one line as the collector writes it, reads back as the same record. Seeded with records a real monitor wrote ({@code ProcessRecordFuzzTestInputs}).
 */
class ProcessRecordFuzzTest {

    @FuzzTest
    void anyLineParsesOrIsMalformed(byte[] bytes) throws Exception {
        ProcessRecord record;
        try {
            record = ProcessRecord.read(bytes);
        } catch (ProcessRecord.MalformedRecordException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        String line = ProcessRecord.line(bytes);
        assertThat(line).doesNotContain("\n", "\r");
        ProcessRecord again = ProcessRecord.parse(line);
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
