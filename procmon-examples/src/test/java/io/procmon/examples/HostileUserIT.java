package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.BpfTest;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unprivileged user (nobody, by setpriv) attacking the monitor they share a host with, which runs
 * as the package runs it (the launcher, its 128 MiB heap).
 */
@BpfTest
class HostileUserIT {
    @Test
    void thousandsOfLongCommandLinesWhoseExitsAreFilteredDoNotExhaustTheHeap(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("failed.csv");
        // --failed: every exit of /bin/true is dropped in the kernel, but its 32 KiB arguments were sent at exec.
        RunningMonitor monitor = RunningMonitor.start(out, "--args", "--args-max", "32768", "--failed",
                "--columns", "pid,ppid,user,command,duration_ms,exit_code,args_status,args");
        Process attack = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
                "a=$(head -c 32000 /dev/zero | tr '\\0' A); i=0; while [ $i -lt 6000 ]; do /bin/true \"$a\"; i=$((i+1)); done")
                .redirectErrorStream(true).start();
        String attackOutput = new String(attack.getInputStream().readAllBytes());
        assertThat(attack.waitFor()).as(attackOutput).isZero();

        // Still recording, with arguments: a failing process afterwards is there, whole.
        Process probe = new ProcessBuilder("sh", "-c", "exit 3", "sh", "after-the-attack").start();
        assertThat(probe.waitFor()).isEqualTo(3);
        RunningMonitor.Stopped stopped = monitor.stop();
        assertThat(stopped.code()).as("stderr: %s", stopped.stderr()).isZero();
        assertThat(stopped.stderr()).doesNotContain("OutOfMemoryError").doesNotContain("internal error");

        List<CSVRecord> rows = monitor.rows();
        List<CSVRecord> mine = rows.stream().filter(r -> r.get("PID").equals(Long.toString(probe.pid()))).toList();
        assertThat(mine).as("the probe's row among %d", rows.size()).singleElement().satisfies(r -> {
            assertThat(r.get("EXIT_CODE")).isEqualTo("3");
            assertThat(r.get("ARGS_STATUS")).isEqualTo("complete");
            assertThat(r.get("ARGS")).isEqualTo("sh -c 'exit 3' sh after-the-attack");
        });
        assertThat(rows).noneMatch(r -> r.get("COMMAND").equals("true"));
    }
}
