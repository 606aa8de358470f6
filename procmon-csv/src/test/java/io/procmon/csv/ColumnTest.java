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
                    .executable("/opt/very/long").executableTruncated(true).startedBeforeMonitoring(true)
                    .execTimeNanos(5_123_456_789L).exitTimeNanos(6_000_000_000L)
                    .clockOffsetNanos(java.time.Instant.parse("2026-11-26T13:04:00Z").getEpochSecond() * 1_000_000_000L)
                    .host(new io.procmon.core.Host("edge-7", "0123abcd"))
                    .cgroup(77, "/kubepods/pod0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/" + "ab12".repeat(16))
                    .arguments(new io.procmon.core.Arguments(List.of("sh", "-c", "echo 'hi'"), false, 19))
                    .entityIds("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210").login(1000, 3)
                    .parent(new io.procmon.core.ParentProcess("make, all", "/usr/bin/make"))
                    .effectiveUid(0).tty("pts/3").build());
            sink.onEvent(ProcessEvent.builder().pid(6).ppid(4).parentAtExit(4).uid(0).command("y").exitCode(2 << 8).build()
                    .withUserName("root"));
            // An exec: no end, duration, status or core dump yet
            sink.onEvent(ProcessEvent.builder().kind(ProcessEvent.Kind.EXEC).pid(7).ppid(4).uid(0).command("z")
                    .execTimeNanos(5_123_456_789L)
                    .clockOffsetNanos(java.time.Instant.parse("2026-11-26T13:04:00Z").getEpochSecond() * 1_000_000_000L).build()
                    .withUserName("root"));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                "PID,PPID,USER,COMMAND,DURATION_MS,UID,EXIT_CODE,SIGNAL,CORE_DUMPED,PARENT_AT_EXIT,EXE,STARTED_BEFORE,"
                + "START_TIME,END_TIME,HOST,CGROUP,CONTAINER_ID,CONTAINER_RUNTIME,POD_UID,ARGS,ARGS_STATUS,"
                + "ENTITY_ID,PARENT_ENTITY_ID,PARENT_COMMAND,PARENT_EXE,LOGIN_UID,SESSION_ID,EUID,TTY,EVENT\n"
                + "5,4,1000,x,876.54,1000,,11,true,1,/opt/very/long...,true,"
                + "2026-11-26T13:04:05.123456Z,2026-11-26T13:04:06.000000Z,edge-7,"
                + "/kubepods/pod0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/" + "ab12".repeat(16) + "," + "ab12".repeat(16)
                + ",,0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0,\"sh -c 'echo '\"\"'\"\"'hi'\"\"'\"\"''\",complete,"
                + "0123456789abcdef0123456789abcdef,fedcba9876543210fedcba9876543210,\"make, all\",/usr/bin/make,1000,3,0,pts/3,exit\n"
                + "6,4,root,y,0.00,0,2,,false,,,false,,,,,,,,,,,,,,,,,,exit\n"
                + "7,4,root,z,,0,,,,,,false,2026-11-26T13:04:05.123456Z,,,,,,,,,,,,,,,,,exec\n");
    }
}
