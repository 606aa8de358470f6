package io.procmon.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

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

    /** Jackson's own detection of a name given twice, the reference the reader's own check is held to. */
    private static final JsonFactory STRICT = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxDocumentLength(ProcessRecord.MAX_CHARS).maxNestingDepth(16).maxNumberLength(32).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * The reader refuses a name given twice in any object (read or skipped) exactly where Jackson's
     * strict detection does: a record Jackson finds a duplicate in is refused (for it, or for
     * something met earlier on the way), and the reader names a duplicate only where Jackson finds
     * the same one.
     */
    @FuzzTest
    void aNameGivenTwiceIsRefusedAsJacksonRefusesIt(byte[] bytes) throws Exception {
        String jackson = null; // the name Jackson finds twice
        JsonParser p = null;
        try {
            p = STRICT.createParser(bytes);
            while (p.nextToken() != null) {
                // every token, every object's names
            }
        } catch (Exception e) {
            jackson = p != null && e.getMessage() != null && e.getMessage().startsWith("Duplicate field") ? p.currentName() : null;
        } finally {
            if (p != null) {
                p.close();
            }
        }
        String ours = null;
        try {
            ProcessRecord.read(bytes);
        } catch (ProcessRecord.MalformedRecordException e) {
            ours = e.getMessage();
        }
        if (jackson != null) {
            assertThat(ours).as("refused, for Jackson's %s", jackson).isNotNull();
        }
        if (ours != null && ours.startsWith("not one JSON object: Duplicate field")) {
            assertThat(jackson).as("Jackson's finding, for ours: %s", ours).isNotNull();
            assertThat(ours).contains("Duplicate field '" + io.procmon.core.CommandNames.quotable(jackson, 200) + "'");
        }
    }
}
