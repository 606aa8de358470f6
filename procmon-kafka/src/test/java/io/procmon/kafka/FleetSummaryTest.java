package io.procmon.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.procmon.core.Host;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import io.procmon.schema.ProcessRecord;
import io.procmon.schema.ProcessRecords;
import io.procmon.schema.SequenceTracker;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetSummaryTest {
    private static String process(ProcessRecords run, int pid) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JsonFactory.builder().build().createGenerator(out)) {
            run.writeProcess(g, ProcessEvent.builder().pid(pid).ppid(1).command("c" + pid).build());
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String lost(ProcessRecords run, long from, long to) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JsonFactory.builder().build().createGenerator(out)) {
            run.writeLost(g, new LostEvents(LostEvents.Origin.SINK, LostEvents.NO_CPU, to - from + 1), new long[] {from, to});
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aRunSplitAcrossFilesIsCountedOnceWithItsDuplicatesGapsAndAnnouncedLosses(@TempDir Path dir) throws Exception {
        ProcessRecords alpha = new ProcessRecords(new Host("alpha", "a"), "r1");
        ProcessRecords beta = new ProcessRecords(new Host("beta", "b"), "r2");
        List<String> a = new ArrayList<>();
        for (int pid = 1; pid <= 10; pid++) {
            a.add(process(alpha, pid)); // seqs 1..10
        }
        String b1 = process(beta, 100); // beta seq 1
        String b2 = process(beta, 101); // beta seq 2
        process(beta, 102); // beta seq 3: dropped by the sender
        String notice = lost(beta, 3, 3); // beta seq 4, announcing 3
        process(alpha, 11); // alpha seq 11: never arrives, never announced
        String a12 = process(alpha, 12);

        // The first collector wrote alpha 1..6, then was killed mid-line; the second re-read 5..10 from the last commit.
        Path first = Files.writeString(dir.resolve("a.jsonl"), String.join("\n", a.subList(0, 6)) + "\n" + b1 + "\n"
                + a.get(6).substring(0, 40));
        Path second = Files.writeString(dir.resolve("b.jsonl"), String.join("\n", a.subList(4, 10)) + "\n" + a12 + "\n" + b2 + "\n"
                + notice + "\n" + "x".repeat(ProcessRecord.MAX_CHARS + 10) + "\n" + b1 + "\n");
        List<String> named = new ArrayList<>();
        FleetSummary summary = FleetSummary.read(List.of(first, second), (reason, where) -> named.add(where + " " + reason));

        SequenceTracker ta = summary.runs().get("alpha (run r1)");
        assertThat(ta.received()).isEqualTo(11); // 1..10 and 12
        assertThat(ta.duplicates()).isEqualTo(2); // 5 and 6, in both files
        assertThat(ta.missing()).isEqualTo(1); // 11
        assertThat(ta.announcedSinkLosses()).isZero();
        SequenceTracker tb = summary.runs().get("beta (run r2)");
        assertThat(tb.received()).isEqualTo(3); // 1, 2 and the notice, 4
        assertThat(tb.duplicates()).isEqualTo(1);
        assertThat(tb.missing()).isEqualTo(1);
        assertThat(tb.announcedSinkLosses()).isEqualTo(1);
        assertThat(tb.announcedButArrived()).isZero();
        assertThat(summary.malformed()).isEqualTo(2);
        assertThat(summary.torn()).isEqualTo(1);
        assertThat(summary.lines()).isEqualTo(7 + 1 + 11);
        assertThat(named).containsExactly(first + ":8 the file ends inside a line (its writer stopped mid-write)",
                second + ":10 longer than " + ProcessRecord.MAX_CHARS + " bytes");
    }

    @Test
    void anEmptyFileAndAFileWithoutALastNewlineAreTold(@TempDir Path dir) throws Exception {
        ProcessRecords run = new ProcessRecords(new Host("h", "i"), "r");
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
        Path whole = Files.writeString(dir.resolve("whole.jsonl"), process(run, 1) + "\n" + process(run, 2));
        FleetSummary summary = FleetSummary.read(List.of(empty, whole), (reason, where) -> { });
        // A last record without its newline is a record a reader cannot tell from a torn one: refused.
        assertThat(summary.runs().get("h (run r)").received()).isEqualTo(1);
        assertThat(summary.torn()).isEqualTo(1);
        assertThat(summary.malformed()).isEqualTo(1);
    }
}
