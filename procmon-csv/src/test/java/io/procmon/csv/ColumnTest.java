package io.procmon.csv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procmon.core.ProcessEvent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ColumnTest {
    @Test
    void parsesListsInAnyCaseAndRefusesUnknownOrRepeatedColumns() {
        assertThat(Column.parseList("pid,PPID, exit_code ,exe")).containsExactly(Column.PID, Column.PPID, Column.EXIT_CODE, Column.EXE);
        assertThatThrownBy(() -> Column.parseList("pid,nope")).hasMessageStartingWith("unknown column 'nope'; known: pid,ppid,");
        assertThatThrownBy(() -> Column.parseList("pid,pid")).hasMessage("column listed twice: pid");
        assertThatThrownBy(() -> Column.parseList("")).hasMessageStartingWith("unknown column ''");
    }

    @Test
    void extendedColumnsHaveAStableHeaderAndEmptyCellsForNotApplicable() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CsvSink sink = CsvSink.to(out, List.of(Column.values()))) {
            sink.onEvent(ProcessEvent.builder().pid(5).ppid(4).parentAtExit(1).uid(1000).command("x").exitCode(11 | 0x80)
                    .executable("/opt/very/long").executableTruncated(true).startedBeforeMonitoring(true).build());
            sink.onEvent(ProcessEvent.builder().pid(6).ppid(4).parentAtExit(4).uid(0).command("y").exitCode(2 << 8).build()
                    .withUserName("root"));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                "PID,PPID,USER,COMMAND,DURATION_MS,UID,EXIT_CODE,SIGNAL,CORE_DUMPED,PARENT_AT_EXIT,EXE,STARTED_BEFORE\n"
                + "5,4,1000,x,0.00,1000,,11,true,1,/opt/very/long...,true\n"
                + "6,4,root,y,0.00,0,2,,false,,,false\n");
    }
}
