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
import java.util.Map;
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

        final List<String> retired = new ArrayList<>();

        @Override
        public void onRetired(String run, io.procmon.schema.SequenceTracker figures) {
            retired.add(run + " " + figures.received());
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

    private static long heapUsed() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /**
     * 10,000 runs of 1,000 hosts, each with gaps, and one hostile run of 100,000 gaps: every count
     * exact, the hostile run held in at most {@link io.procmon.schema.SequenceTracker#MAX_TRACKED_RANGES}
     * ranges a set, and the whole under a kilobyte a run on the heap.
     */
    @Test
    void tenThousandRunsAndOneOfAHundredThousandGapsStayWithinTheirBound() throws Exception {
        Taking handler = new Taking(false);
        long before = heapUsed();
        RecordIntake intake = new RecordIntake(handler);
        for (int r = 0; r < 10_000; r++) {
            ProcessRecords run = new ProcessRecords(new Host("host-" + (r % 1_000), "id-" + (r % 1_000)), "run-" + r);
            for (int i = 1; i <= 12; i++) {
                byte[] value = record(run, i);
                if (i % 4 != 0) { // every fourth lost: three gaps a run
                    intake.accept(value, false, PARTITION, i);
                }
            }
        }
        ProcessRecords hostile = new ProcessRecords(new Host("hostile", "h"), "run-h");
        for (int i = 1; i <= 200_000; i++) {
            byte[] value = record(hostile, 7);
            if (i % 2 == 1) {
                intake.accept(value, false, PARTITION, i);
            }
        }
        long used = heapUsed() - before;
        Map<String, io.procmon.schema.SequenceTracker> runs = intake.runs();
        assertThat(runs).hasSize(10_001);
        io.procmon.schema.SequenceTracker one = runs.get("host-7 (run run-7)");
        assertThat(one.received()).isEqualTo(9);
        assertThat(one.missing()).isEqualTo(2); // 4 and 8; 12 is past the highest seen
        assertThat(one.gapRanges()).isEqualTo(2);
        io.procmon.schema.SequenceTracker h = runs.get("hostile (run run-h)");
        assertThat(h.received()).isEqualTo(100_000);
        assertThat(h.missing()).isEqualTo(99_999);
        assertThat(h.gapRanges()).isEqualTo(99_999);
        assertThat(h.trackedRanges()).isLessThanOrEqualTo(2 * (io.procmon.schema.SequenceTracker.MAX_TRACKED_RANGES + 1));
        System.err.printf("10,001 runs, one with 99,999 gaps: %,d bytes on the heap, %,d a run%n", used, used / 10_001);
        assertThat(used).as("heap held by the intake").isLessThan(10_001L * 1_024);
        assertThat(handler.malformed).isEmpty();
        assertThat(handler.retired).isEmpty();
        assertThat(intake).isNotNull(); // held until here, so that the measure counts it
    }

    @Test
    void pastTheRunsTrackedTheRunSeenLeastRecentlyIsRetiredWithItsFigures() throws Exception {
        Taking handler = new Taking(false);
        RecordIntake intake = new RecordIntake(handler);
        ProcessRecords first = new ProcessRecords(new Host("first", "f"), "r");
        intake.accept(record(first, 1), false, PARTITION, 0);
        for (int r = 1; r < RecordIntake.MAX_RUNS; r++) {
            intake.accept(record(new ProcessRecords(new Host("h" + r, "i"), "r"), 1), false, PARTITION, r);
        }
        intake.accept(record(first, 2), false, PARTITION, 0); // seen again: now the most recent
        assertThat(handler.retired).isEmpty();
        intake.accept(record(new ProcessRecords(new Host("newcomer", "n"), "r"), 1), false, PARTITION, 0);
        assertThat(handler.retired).containsExactly("h1 (run r) 1");
        assertThat(intake.runs()).hasSize(RecordIntake.MAX_RUNS).containsKey("first (run r)").doesNotContainKey("h1 (run r)");
        assertThat(intake.retired()).isEqualTo(1);

        // The retired run sends again: tracked afresh from where it resumes, not with a gap from 1.
        ProcessRecords h1 = new ProcessRecords(new Host("h1", "i"), "r");
        record(h1, 1);
        record(h1, 2);
        intake.accept(record(h1, 3), false, PARTITION, 0);
        io.procmon.schema.SequenceTracker again = intake.runs().get("h1 (run r)");
        assertThat(again.received()).isEqualTo(1);
        assertThat(again.missing()).isZero();
        assertThat(handler.retired).hasSize(2); // h2 made room for it
        assertThat(handler.malformed).isEmpty();
    }
}
