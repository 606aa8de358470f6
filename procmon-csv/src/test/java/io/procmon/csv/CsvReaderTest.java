package io.procmon.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmon.core.ProcessEvent;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {
    private static final ProcessEvent FULL = ProcessEvent.builder().pid(5).ppid(4).parentAtExit(1).uid(1000)
            .command("a,\"b\"\nc").exitCode(11 | 0x80).executable("/opt/x,y").startedBeforeMonitoring(true)
            .execTimeNanos(5_123_456_789L).exitTimeNanos(6_000_000_000L).clockOffsetNanos(1_700_000_000_000_000_000L)
            .host(new io.procmon.core.Host("edge-7", "0123abcd")).cgroup(77, "/system.slice/docker-" + "ab12".repeat(16) + ".scope")
            .arguments(new io.procmon.core.Arguments(List.of("sh", "-c", "echo 'hi', \"there\""), false, 19)).build()
            .withUserName("ann");

    private static String written(List<Column> columns, ProcessEvent... events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvSink sink = CsvSink.to(out, columns)) {
            for (ProcessEvent e : events) {
                sink.onEvent(e);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyColumnReadsBackToTheCellTheSinkWrote() throws Exception {
        ProcessEvent bare = ProcessEvent.builder().pid(6).ppid(4).command("y").exitCode(0).build();
        CsvReader reader = CsvReader.of(new StringReader(written(List.of(Column.values()), FULL, bare)));
        assertThat(reader.columns()).containsExactly(Column.values());
        List<CsvReader.Row> rows = new ArrayList<>();
        reader.forEach(rows::add);
        assertThat(rows).hasSize(2);
        for (Column c : Column.values()) {
            assertThat(rows.get(0).get(c)).as(c.name()).isEqualTo(c.valueOf(FULL));
            assertThat(rows.get(1).get(c)).as(c.name()).isEqualTo(c.valueOf(bare));
        }
        assertThat(rows.get(0).line()).isEqualTo(2); // the command's newline is written \x0a: one line per row
    }

    @Test
    void columnsTheFileLacksReadEmptyAndUnknownHeadersAreSkipped() throws Exception {
        CsvReader reader = CsvReader.of(new StringReader("COMMAND,NOT_OURS,PID\nsleep,x,42\n"));
        assertThat(reader.columns()).containsExactlyInAnyOrder(Column.COMMAND, Column.PID);
        CsvReader.Row row = reader.iterator().next();
        assertThat(row.get(Column.PID)).isEqualTo("42");
        assertThat(row.get(Column.COMMAND)).isEqualTo("sleep");
        assertThat(row.get(Column.START_TIME)).isEmpty();
        assertThat(reader.has(Column.START_TIME)).isFalse();
        assertThat(Column.fromHeader("pid")).as("headers are exact").isEmpty();
    }

    @Test
    void aRowWithAnotherNumberOfCellsNamesItsLine() throws Exception {
        CsvReader reader = CsvReader.of(new StringReader(written(Column.ORIGINAL, FULL) + "1,2,3\n"));
        var rows = reader.iterator();
        rows.next();
        assertThatThrownBy(rows::next).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 3: 3 cells where the header has 5");
    }
}
