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
        // The kernel released each filtered exit's arguments: none were held until evicted.
        assertThat(stopped.stderr()).doesNotContain("arguments of");
    }

    @Test
    void argumentsHeldBeyondTheirBoundAreDroppedEldestFirstAndAnnounced(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("procs.jsonl");
        RunningMonitor monitor = RunningMonitor.start(out, "--format", "jsonl", "--args", "--args-max", "32768",
                "--pages", "2048"); // rings that hold the burst of 32 KiB records: only the arguments' own bound is tested
        // 1,300 shells of 32,000-byte command lines running at once: 41.6 MB held for their exits,
        // over the 32 MiB bound.
        Process attack = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
                "a=$(head -c 32000 /dev/zero | tr '\\0' A); i=0; while [ $i -lt 1300 ]; do sh -c 'sleep 8; :' \"$a\" & i=$((i+1)); done; wait")
                .redirectErrorStream(true).start();
        String attackOutput = new String(attack.getInputStream().readAllBytes());
        assertThat(attack.waitFor()).as(attackOutput).isZero();
        RunningMonitor.Stopped stopped = monitor.stop();
        assertThat(stopped.code()).as("stderr: %s", stopped.stderr()).isZero();

        long withoutArgs = 0;
        long shells = 0;
        long announced = 0;
        for (String line : java.nio.file.Files.readAllLines(out)) {
            io.procmon.schema.ProcessRecord r = io.procmon.schema.ProcessRecord.parse(line);
            if (r.lost().isPresent()) {
                assertThat(r.lost().get().origin()).isEqualTo(io.procmon.core.LostEvents.Origin.ARGUMENTS);
                announced += r.lost().get().count();
            } else if (r.event().get().uid() == 65534) {
                if (r.event().get().command().equals("sh")) {
                    shells++;
                }
                if (r.event().get().argumentsMissing()) {
                    withoutArgs++;
                }
            }
        }
        assertThat(shells).as("the 1,300 shells and the one that started them").isEqualTo(1301);
        assertThat(withoutArgs).as("processes of nobody without arguments").isBetween(1L, 1300L);
        assertThat(announced).as("arguments dropped, announced").isEqualTo(withoutArgs);
        assertThat(stopped.stderr()).contains("0 events lost").contains(String.format(java.util.Locale.ROOT, "arguments of %,d processes dropped", withoutArgs));
    }
}
