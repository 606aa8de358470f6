package io.procmon.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.procmon.core.Host;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecord;
import io.procmon.schema.ProcessRecords;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RecordIntakeTest {
    private static final TopicPartition PARTITION = new TopicPartition("procmon.processes", 0);

    private static byte[] record(ProcessRecords run, int pid) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JsonFactory.builder().build().createGenerator(out)) {
            run.writeProcess(g, ProcessEvent.builder().pid(pid).ppid(1).command("c" + pid).build());
        }
        return out.toByteArray();
    }

    /** A handler that takes records, with or without their text. */
    private static final class Taking implements FleetCollector.Handler {
        final boolean needsJson;
        final List<String> json = new ArrayList<>();
        final List<Integer> pids = new ArrayList<>();
        final List<String> malformed = new ArrayList<>();

        Taking(boolean needsJson) {
            this.needsJson = needsJson;
        }

        @Override
        public void onRecord(ProcessRecord record, String text) {
            json.add(text);
            pids.add(record.event().orElseThrow().pid());
        }

        @Override
        public boolean needsJson() {
            return needsJson;
        }

        @Override
        public void onMalformed(String reason, String where) {
            malformed.add(reason);
        }

        @Override
        public void flush() {
        }
    }

    @Test
    void theTextIsWrittenAfreshOnlyForAHandlerThatNeedsIt() throws Exception {
        ProcessRecords run = new ProcessRecords(new Host("h", "id"), "run-1");
        byte[] first = record(run, 1);
        byte[] second = record(run, 2);
        for (boolean needsJson : new boolean[] {true, false}) {
            Taking handler = new Taking(needsJson);
            RecordIntake intake = new RecordIntake(handler);
            intake.accept(first, false, PARTITION, 0);
            intake.accept(first, false, PARTITION, 1); // a duplicate: skipped
            intake.accept(second, false, PARTITION, 2);
            intake.accept("{\"procmon\":".getBytes(StandardCharsets.UTF_8), false, PARTITION, 3);
            assertThat(handler.pids).containsExactly(1, 2);
            assertThat(handler.malformed).hasSize(1);
            if (needsJson) {
                assertThat(handler.json).containsExactly(new String(first, StandardCharsets.UTF_8), new String(second, StandardCharsets.UTF_8));
            } else {
                assertThat(handler.json).containsExactly(null, null);
            }
        }
    }
}
