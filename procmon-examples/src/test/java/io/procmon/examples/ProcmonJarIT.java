package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import io.procmon.bpf.BpfTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar, run as an operator would: real processes with known pids and parents, SIGINT,
 * then the CSV is parsed back and every row checked against that ground truth.
 */
@BpfTest
class ProcmonJarIT {
    static final long SELF = RunningMonitor.SELF;

    record Expected(long pid, long ppid, byte[] command, long minMillis) {
        Expected(long pid, long ppid, String command, long minMillis) {
            this(pid, ppid, command.getBytes(StandardCharsets.UTF_8), minMillis);
        }

        @Override
        public String toString() {
            return "pid " + pid + " ppid " + ppid + " command " + java.util.Arrays.toString(command);
        }
    }

    @Test
    void recordsRealProcessesAndStopsCleanlyOnSigint(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("process_events.csv");
        RunningMonitor monitor = RunningMonitor.start(csv);

        List<Expected> expected = new ArrayList<>();
        Process sleeper = new ProcessBuilder("sleep", "0.25").start();
        sleeper.waitFor();
        expected.add(new Expected(sleeper.pid(), SELF, "sleep", 250));

        Process exit3 = new ProcessBuilder("sh", "-c", "exit 3").start();
        exit3.waitFor();
        expected.add(new Expected(exit3.pid(), SELF, "sh", 0));

        Process shell = new ProcessBuilder("sh", "-c", "sleep 0.3 & echo $!; wait").start();
        long grandchild = Long.parseLong(new String(shell.getInputStream().readAllBytes()).trim());
        shell.waitFor();
        expected.add(new Expected(shell.pid(), SELF, "sh", 300));
        expected.add(new Expected(grandchild, shell.pid(), "sleep", 300));

        for (String hostile : List.of("a,b", "q\"uote", "new\nline", "cr\rx", "=cmd", "+cmd", "-cmd", "@cmd", " lead",
                "tab\tx", "ünï", "日本", "back\\slash", "esc\u001b[2J", "\u202eexe")) {
            Path link = dir.resolve(hostile);
            Files.createSymbolicLink(link, Path.of("/bin/true"));
            Process p = new ProcessBuilder(link.toString()).start();
            p.waitFor();
            expected.add(new Expected(p.pid(), SELF, hostile, 0));
        }

        // Bytes that are not UTF-8 (a Java Path cannot name them): the shell makes the link and execs it.
        Process binary = new ProcessBuilder("sh", "-c",
                "cd \"$1\" && ln -s /bin/true \"$(printf 'x\\377\\376y')\" && exec \"./$(printf 'x\\377\\376y')\"", "sh",
                dir.toString()).start();
        assertThat(binary.waitFor()).isZero();
        expected.add(new Expected(binary.pid(), SELF, new byte[] {'x', (byte) 0xff, (byte) 0xfe, 'y'}, 0));

        RunningMonitor.Stopped stopped = monitor.stop(); // stopping drains: every row is in
        assertThat(stopped.code()).as("exit code; stderr: %s", stopped.stderr()).isZero();
        assertThat(stopped.stderr()).matches("procmon: recording to .*; Ctrl\\+C to stop\\n"
                + "procmon: [\\d,]+ rows written to .* in [\\d.]+ s; 0 events lost\\n");

        List<CSVRecord> rows = monitor.rows();
        for (CSVRecord row : rows) {
            assertThat(row.size()).isEqualTo(5);
            assertThat(row.get("DURATION_MS")).matches("\\d+\\.\\d\\d");
        }
        for (Expected e : expected) {
            List<CSVRecord> mine = rows.stream()
                    .filter(r -> r.get("PID").equals(Long.toString(e.pid())) && r.get("PPID").equals(Long.toString(e.ppid())))
                    .toList();
            assertThat(mine).as("rows for %s", e).hasSize(1);
            CSVRecord row = mine.get(0);
            assertThat(io.procmon.core.CommandNames.encode(row.get("COMMAND"))).isEqualTo(e.command());
            assertThat(row.get("USER")).isEqualTo("root");
            assertThat(Double.parseDouble(row.get("DURATION_MS"))).isGreaterThanOrEqualTo(e.minMillis());
        }
    }

    @Test
    void extendedColumnsShowStatusSignalPathAndOlderProcesses(@TempDir Path dir) throws Exception {
        // Ends only when killed below: however slowly the monitor starts, it is older than the monitor.
        Process older = new ProcessBuilder("sleep", "30").start();
        long olderStarted = System.nanoTime();
        Thread.sleep(100);
        Path csv = dir.resolve("extended.csv");
        RunningMonitor monitor = RunningMonitor.start(csv, "--columns",
                "pid,ppid,user,command,duration_ms,exit_code,signal,core_dumped,parent_at_exit,exe,started_before");
        Process exit3 = new ProcessBuilder("/bin/sh", "-c", "exit 3").start();
        Process killed = new ProcessBuilder("/bin/sleep", "30").start();
        exit3.waitFor();
        Thread.sleep(100);
        killed.destroyForcibly().waitFor();
        older.destroy();
        older.waitFor();
        long olderLived = System.nanoTime() - olderStarted;
        assertThat(monitor.stop().code()).isZero(); // stopping drains: every row is in

        String text = monitor.output();
        assertThat(text).startsWith("PID,PPID,USER,COMMAND,DURATION_MS,EXIT_CODE,SIGNAL,CORE_DUMPED,PARENT_AT_EXIT,EXE,STARTED_BEFORE\n");
        List<CSVRecord> rows;
        try (CSVParser parser = CSVParser.parse(new StringReader(text), CSVFormat.RFC4180.builder().setHeader()
                .setSkipHeaderRecord(true).get())) {
            rows = parser.getRecords();
        }
        CSVRecord e3 = rowOf(rows, exit3.pid());
        assertThat(e3.get("EXIT_CODE")).isEqualTo("3");
        assertThat(e3.get("SIGNAL")).isEmpty();
        assertThat(e3.get("EXE")).isEqualTo("/bin/sh");
        assertThat(e3.get("STARTED_BEFORE")).isEqualTo("false");
        CSVRecord e9 = rowOf(rows, killed.pid());
        assertThat(e9.get("EXIT_CODE")).isEmpty();
        assertThat(e9.get("SIGNAL")).isEqualTo("9");
        assertThat(e9.get("CORE_DUMPED")).isEqualTo("false");
        assertThat(e9.get("EXE")).isEqualTo("/bin/sleep");
        CSVRecord old = rowOf(rows, older.pid());
        assertThat(old.get("STARTED_BEFORE")).isEqualTo("true");
        assertThat(old.get("PPID")).isEqualTo(Long.toString(SELF));
        assertThat(old.get("SIGNAL")).isEqualTo("15");
        assertThat(Double.parseDouble(old.get("DURATION_MS"))).isGreaterThanOrEqualTo(olderLived / 1e6 - 50);
    }

    @Test
    void whenWhereAndWithWhichArgumentsAProcessRan(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("context.csv");
        RunningMonitor monitor = RunningMonitor.start(csv, "--host-name", "edge-7", "--columns",
                "pid,command,start_time,end_time,host,cgroup,container_id,args,args_status");
        java.time.Instant before = java.time.Instant.now();
        Process p = new ProcessBuilder("sleep", "0.1").start();
        p.waitFor();
        java.time.Instant after = java.time.Instant.now();
        // Stopped at once: a process started from Java execs twice (jspawnhelper, then sleep), and the
        // exit may be read before the second exec's arguments (another CPU's ring); it waits a read for them.
        assertThat(monitor.stop().code()).isZero();

        List<CSVRecord> rows;
        try (CSVParser parser = CSVParser.parse(new StringReader(monitor.output()), CSVFormat.RFC4180.builder().setHeader()
                .setSkipHeaderRecord(true).get())) {
            rows = parser.getRecords();
        }
        CSVRecord row = rowOf(rows, p.pid());
        assertThat(row.get("HOST")).isEqualTo("edge-7");
        assertThat(row.get("ARGS")).isEqualTo("sleep 0.1");
        assertThat(row.get("ARGS_STATUS")).isEqualTo("complete");
        assertThat(row.get("START_TIME")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");
        java.time.Instant start = java.time.Instant.parse(row.get("START_TIME"));
        java.time.Instant end = java.time.Instant.parse(row.get("END_TIME"));
        assertThat(start).isBetween(before.minusMillis(5), end);
        assertThat(end).isBefore(after.plusMillis(5));
        assertThat(row.get("CGROUP")).startsWith("/");
        assertThat(row.get("CONTAINER_ID")).isEmpty();
    }

    private static CSVRecord rowOf(List<CSVRecord> rows, long pid) {
        List<CSVRecord> mine = rows.stream().filter(r -> r.get("PID").equals(Long.toString(pid))).toList();
        assertThat(mine).as("rows of pid %d", pid).hasSize(1);
        return mine.get(0);
    }

    @Test
    void jsonLinesWithAUserFilterKeepOnlyThatUser(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.jsonl");
        RunningMonitor monitor = RunningMonitor.start(out, "--format", "jsonl", "--uid", "nobody");
        Process asNobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", "exit 2")
                .start();
        Process asRoot = new ProcessBuilder("sh", "-c", "exit 2").start();
        asNobody.waitFor();
        asRoot.waitFor();
        assertThat(monitor.stop().code()).isZero(); // stopping drains: every row is in

        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
        for (String line : monitor.output().split("\n")) {
            lines.add(mapper.readTree(line));
        }
        assertThat(lines).isNotEmpty().allSatisfy(n -> {
            assertThat(n.at("/procmon/type").asText()).isEqualTo("process");
            assertThat(n.at("/process/real_user/id").asInt()).isEqualTo(65534);
            assertThat(n.at("/process/real_user/name").asText()).isEqualTo("nobody");
        });
        assertThat(lines).filteredOn(n -> n.at("/process/pid").asLong() == asNobody.pid())
                .singleElement().satisfies(n -> assertThat(n.at("/process/exit/code").asInt()).isEqualTo(2));
        assertThat(lines).noneMatch(n -> n.at("/process/pid").asLong() == asRoot.pid());
    }

}
