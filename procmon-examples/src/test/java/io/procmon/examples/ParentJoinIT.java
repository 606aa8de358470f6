package io.procmon.examples;

import static io.procmon.examples.Workloads.uniqueTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.BpfTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor's parent columns on the real kernel: each row's parent joined by entity id. */
@BpfTest
class ParentJoinIT {
    private static final String COLUMNS = "pid,ppid,user,command,duration_ms,event,parent_command,parent_exe,entity_id,parent_entity_id";

    @Test
    void everyRowOfAChildNamesTheParentItsEntityIdNames(@TempDir Path dir) throws Exception {
        Path kid = uniqueTrue(dir, "pj-kid");
        Path shell = dir.resolve("pj-sh");
        Files.copy(Path.of("/bin/sh"), shell);
        shell.toFile().setExecutable(true, false);
        RunningMonitor monitor = RunningMonitor.start(dir.resolve("out.csv"), "--events", "exec,exit", "--columns", COLUMNS);
        try {
            for (int i = 0; i < 30; i++) {
                // ": " last, so that the shell forks every kid instead of exec'ing the last one
                Process p = new ProcessBuilder(shell.toString(), "-c", kid + "; " + kid + "; " + kid + "; :").start();
                assertThat(p.waitFor()).isZero();
            }
            RunningMonitor.Stopped stopped = monitor.stop();
            assertThat(stopped.code()).as(stopped.stderr()).isZero();
            List<CSVRecord> rows = monitor.rows();
            Map<String, String> shellIdByPid = new HashMap<>();
            for (CSVRecord r : rows) {
                if (r.get("COMMAND").equals("pj-sh")) {
                    shellIdByPid.put(r.get("PID"), r.get("ENTITY_ID"));
                    assertThat(r.get("PARENT_COMMAND")).as("the JVM forked it: %s", r).isEqualTo("java");
                }
            }
            assertThat(shellIdByPid).hasSize(30);
            List<CSVRecord> kids = rows.stream().filter(r -> r.get("COMMAND").equals("pj-kid")).toList();
            assertThat(kids).as("an exec and an exit row each").hasSize(180);
            for (CSVRecord r : kids) {
                assertThat(r.get("PARENT_ENTITY_ID")).as("%s", r).isEqualTo(shellIdByPid.get(r.get("PPID")));
                assertThat(r.get("PARENT_COMMAND")).as("%s", r).isEqualTo("pj-sh");
                assertThat(r.get("PARENT_EXE")).as("%s", r).isEqualTo(shell.toString());
            }
        } finally {
            monitor.destroy();
        }
    }

    @Test
    void withExitsAloneTheParentsComeFromExecRecordsNotWritten(@TempDir Path dir) throws Exception {
        Path kid = uniqueTrue(dir, "pj-only");
        RunningMonitor monitor = RunningMonitor.start(dir.resolve("out.csv"), "--columns", "pid,ppid,user,command,duration_ms,parent_command");
        try {
            Process p = new ProcessBuilder("/bin/sh", "-c", kid + "; :").start();
            assertThat(p.waitFor()).isZero();
            RunningMonitor.Stopped stopped = monitor.stop();
            assertThat(stopped.code()).as(stopped.stderr()).isZero();
            List<CSVRecord> rows = monitor.rows();
            assertThat(rows).as("no exec or running rows").allSatisfy(r -> assertThat(r.get("DURATION_MS")).isNotEmpty());
            CSVRecord row = rows.stream().filter(r -> r.get("COMMAND").equals("pj-only")).findFirst().orElseThrow();
            assertThat(row.get("PARENT_COMMAND")).isEqualTo("sh");
            assertThat(row.get("PPID")).isEqualTo(Long.toString(p.pid()));
        } finally {
            monitor.destroy();
        }
    }

    @Test
    void parentColumnsWithAnExitFilterAreRefused(@TempDir Path dir) throws Exception {
        RunningMonitor.Result r = RunningMonitor.run(List.of("--columns", "pid,parent_command", "--failed", "-o",
                dir.resolve("x.csv").toString()), Map.of(), List.of());
        assertThat(r.code()).isEqualTo(ExitCode.USAGE.code);
        assertThat(r.err()).contains("parent_command and parent_exe cannot be combined with --failed");
    }
}
