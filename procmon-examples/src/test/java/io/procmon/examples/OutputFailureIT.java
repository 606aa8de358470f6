package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.procmon.bpf.BpfTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Output that fails under the monitor, for real: a full file system (a small tmpfs) and a reader
 * of standard output that goes away. The file must end with a whole row, the user gets one line
 * and a distinct exit code, never a stack trace.
 */
@BpfTest
class OutputFailureIT {
    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"csv, truncate", "csv, append", "jsonl, truncate", "jsonl, append"})
    void aFullDiskLeavesOnlyWholeRowsAndOneLine(String format, String mode, @TempDir Path dir) throws Exception {
        Path mount = Files.createDirectory(dir.resolve("small"));
        run("mount", "-t", "tmpfs", "-o", "size=64k", "procmon-test", mount.toString());
        try {
            Path out = mount.resolve("out." + format);
            String earlier = format.equals("csv") ? "PID,PPID,USER,COMMAND,DURATION_MS\n1,0,root,init,1.00\n"
                    : "{\"procmon\":{\"schema\":1,\"run\":\"earlier\",\"seq\":1,\"type\":\"process\",\"comm\":\"x\"},\"process\":{\"pid\":1}}\n";
            if (mode.equals("append")) {
                Files.writeString(out, earlier);
            }
            // Leave about 40 KiB: the slow start's rows fit, the storm's do not.
            run("dd", "if=/dev/zero", "of=" + mount.resolve("filler"), "bs=4k", "count=6", "status=none");
            RunningMonitor monitor = mode.equals("append") ? RunningMonitor.start(out, "--format", format, "--append")
                    : RunningMonitor.start(out, "--format", format);
            Process storm = new ProcessBuilder("sh", "-c", "for i in $(seq 40); do /bin/true; sleep 0.01; done; "
                    + "i=0; while [ $i -lt 20000 ]; do /bin/true; i=$((i+1)); done").start();
            RunningMonitor.Stopped stopped;
            try {
                stopped = monitor.awaitExit(120);
            } finally {
                storm.destroyForcibly().waitFor();
            }
            assertThat(stopped.code()).as("stderr: %s", stopped.stderr()).isEqualTo(7);
            assertThat(stopped.stderr()).isEqualTo("procmon: recording to " + out + "; Ctrl+C to stop\n"
                    + "procmon: writing " + out + " failed: No space left on device\n");

            String text = Files.readString(out);
            assertThat(text).endsWith("\n");
            if (mode.equals("append")) {
                assertThat(text).startsWith(earlier);
            }
            if (format.equals("csv")) {
                List<CSVRecord> rows;
                try (CSVParser parser = CSVParser.parse(new StringReader(text),
                        CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
                    rows = parser.getRecords();
                }
                assertThat(rows).hasSizeGreaterThan(10).allSatisfy(r -> {
                    assertThat(r.size()).isEqualTo(5);
                    assertThat(r.get("DURATION_MS")).matches("\\d+\\.\\d\\d");
                });
            } else {
                ObjectMapper json = new ObjectMapper();
                String[] lines = text.split("\n");
                assertThat(lines).hasSizeGreaterThan(10);
                for (String line : lines) {
                    assertThat(json.readTree(line).at("/procmon/type").isTextual()).as("line %s", line).isTrue();
                }
            }
        } finally {
            run("umount", mount.toString());
        }
    }

    @Test
    void aClosedStandardOutputEndsTheMonitorQuietly() throws Exception {
        Path stderrFile = Files.createTempFile("procmon-stderr", ".txt");
        Process monitor = RunningMonitor.builder(List.of("-o", "-"), java.util.Map.of()).redirectError(stderrFile.toFile()).start();
        Process storm = null;
        try {
            BufferedReader rows = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
            storm = new ProcessBuilder("sh", "-c", "while :; do /bin/true; sleep 0.01; done").start();
            // As `head -3` does: read three lines, then close the pipe.
            for (int i = 0; i < 3; i++) {
                assertThat(rows.readLine()).isNotNull();
            }
            rows.close();
            assertThat(monitor.waitFor(10, TimeUnit.SECONDS)).as("monitor ends within 10 s of its reader").isTrue();
        } finally {
            if (storm != null) {
                storm.destroyForcibly().waitFor();
            }
            monitor.destroyForcibly();
        }
        String stderr = Files.readString(stderrFile);
        Files.delete(stderrFile);
        assertThat(monitor.exitValue()).as("stderr: %s", stderr).isEqualTo(ExitCode.OUTPUT_CLOSED.code);
        assertThat(stderr).isEqualTo("procmon: recording to standard output; Ctrl+C to stop\n");
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", String.join(" ", cmd), out).isZero();
    }
}
