package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.procmon.bpf.BpfTest;
import io.procmon.bpf.testing.NativeHelpers;
import io.procmon.core.Host;
import io.procmon.core.LostEvents;
import io.procmon.schema.ProcessRecords;
import io.procmon.report.Chromium;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code procmon report} on real recordings, checked in a real browser (the distribution's headless
 * Chromium, through the DevTools protocol). Screenshots are kept in target/ for people to look at.
 */
@BpfTest
class ReportIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tools;
    static Path storm;
    static Path staticTrue;

    @BeforeAll
    static void buildHelpers() throws Exception {
        storm = NativeHelpers.compile(tools, "storm");
        staticTrue = NativeHelpers.compile(tools, "true", "-static");
    }

    private static List<JsonNode> read(Path jsonl) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    private static void report(Path in, Path out) throws Exception {
        RunningMonitor.Result r = RunningMonitor.run("report", in.toString(), "-o", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
    }

    private static Chromium openReport(Path html) throws Exception {
        Chromium browser = Chromium.start(1400, 900);
        browser.open(html);
        for (int i = 0; i < 100 && !browser.eval("window.procmonReport && window.procmonReport.ready === true").asBoolean(); i++) {
            Thread.sleep(100);
        }
        return browser;
    }

    /** Waits up to 5 s for a page expression to hold; fails with the expression otherwise. */
    private static void awaitTrue(Chromium b, String expression) throws Exception {
        for (int i = 0; i < 50; i++) {
            if (b.eval(expression).asBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(b.eval(expression).asBoolean()).as("%s; page state: %s", expression,
                b.eval("JSON.stringify({hovered: window.procmonReport.hovered, wheels: window.procmonReport.wheels, "
                        + "view: window.procmonReport.view(), scroll: [window.scrollX, window.scrollY], "
                        + "canvas: document.getElementById('tl').getBoundingClientRect()})")).isTrue();
    }

    private static long count(List<JsonNode> records, String comm) {
        return records.stream().filter(n -> comm.equals(n.at("/procmon/comm").asText())).count();
    }

    /** A table cell's text: the row of {@code table} whose first cell is {@code key}, its last cell. */
    private static String cell(Chromium b, String table, String key) throws Exception {
        return b.eval("(() => { for (const tr of document.querySelectorAll('#" + table + " tr')) {"
                + " const td = tr.querySelectorAll('td'); if (td.length && td[0].textContent === " + JSON.writeValueAsString(key)
                + ") return td[td.length - 1].textContent; } return null; })()").asText(null);
    }

    @Test
    void aRecordedBuildIsDrawnNestedWithItsPanelsAndItsGap(@TempDir Path dir) throws Exception {
        Path rec = dir.resolve("build.jsonl");
        RunningMonitor monitor = RunningMonitor.start(rec, "--format", "jsonl", "--args");
        // A real build: make drives cc, which drives cc1, as and ld; one job fails, one process is killed.
        Path src = dir.resolve("src");
        Files.createDirectories(src);
        StringBuilder objs = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            Files.writeString(src.resolve("f" + i + ".c"), "int f" + i + "(int x) { return x * " + i + "; }\n");
            objs.append(" f").append(i).append(".o");
        }
        Files.writeString(src.resolve("main.c"), "int main(void) { return 0; }\n");
        Files.writeString(src.resolve("Makefile"), "all: prog\nprog:" + objs + " main.o\n\tcc -o $@ $^\n");
        Process make = new ProcessBuilder("make", "-s", "-j2").directory(src.toFile()).inheritIO().start();
        assertThat(make.waitFor()).isZero();
        Process fails = new ProcessBuilder("sh", "-c", "exit 2").start();
        fails.waitFor();
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        Thread.sleep(200);
        sleeper.destroyForcibly().waitFor();
        assertThat(monitor.stop().code()).isZero(); // stopping drains: every row is in
        // A loss notice as the monitor writes one, appended: the report must show the hole.
        List<JsonNode> records = read(rec);
        JsonNode last = records.get(records.size() - 1);
        StringWriter lossLine = new StringWriter();
        try (var g = new com.fasterxml.jackson.core.JsonFactory().createGenerator(lossLine)) {
            new ProcessRecords(new Host(last.at("/host/name").asText(), last.at("/host/id").asText()), last.at("/procmon/run").asText())
                    .writeLost(g, new LostEvents(LostEvents.Origin.KERNEL_BUFFER, 0, 5));
        }
        Files.writeString(rec, lossLine + "\n", java.nio.file.StandardOpenOption.APPEND);

        Path html = Path.of("target", "report-build.html").toAbsolutePath();
        report(rec, html);
        try (Chromium b = openReport(html)) {
            assertThat(b.eval("window.procmonReport.ready").asBoolean()).isTrue();
            assertThat(b.eval("window.procmonReport.bars").asLong()).isEqualTo(records.size());
            assertThat(b.eval("window.procmonReport.drawnBars").asLong()).isPositive();
            // Nesting: a cc1 under its cc, that cc under make.
            JsonNode cc1 = records.stream().filter(n -> n.at("/procmon/comm").asText().equals("cc1")).findFirst().orElseThrow();
            long ccPid = cc1.at("/process/parent_pid").asLong();
            int cc1Idx = b.eval("window.procmonReport.indexOfPid(" + cc1.at("/process/pid").asLong() + ")").asInt();
            int ccIdx = b.eval("window.procmonReport.indexOfPid(" + ccPid + ")").asInt();
            int makeIdx = b.eval("window.procmonReport.indexOfPid(" + make.pid() + ")").asInt();
            assertThat(List.of(cc1Idx, ccIdx, makeIdx)).doesNotContain(-1);
            assertThat(b.eval("window.procmonReport.parentOf(" + cc1Idx + ")").asInt()).isEqualTo(ccIdx);
            assertThat(b.eval("window.procmonReport.parentOf(" + ccIdx + ")").asInt()).isEqualTo(makeIdx);
            assertThat(b.eval("window.procmonReport.rowOf(" + cc1Idx + ")").asInt())
                    .isGreaterThan(b.eval("window.procmonReport.rowOf(" + ccIdx + ")").asInt());
            assertThat(b.eval("window.procmonReport.rowOf(" + ccIdx + ")").asInt())
                    .isGreaterThan(b.eval("window.procmonReport.rowOf(" + makeIdx + ")").asInt());
            // Hovering the make bar shows its row.
            JsonNode at = b.eval("window.procmonReport.barCenter(" + makeIdx + ")");
            b.mouseMove(at.get("x").asDouble(), at.get("y").asDouble());
            awaitTrue(b, "window.procmonReport.hovered === " + makeIdx);
            assertThat(b.eval("document.getElementById('tip').textContent").asText()).startsWith("make  pid " + make.pid());
            // Panels hold the recording's numbers.
            assertThat(cell(b, "top-count", "cc1")).isEqualTo(Long.toString(count(records, "cc1")));
            assertThat(cell(b, "failures", "exit 2")).isEqualTo(Long.toString(records.stream()
                    .filter(n -> n.at("/process/exit/code").asInt(0) == 2).count()));
            assertThat(cell(b, "failures", "signal 9")).isEqualTo(Long.toString(records.stream()
                    .filter(n -> n.at("/procmon/signal").asInt(0) == 9).count()));
            assertThat(b.eval("document.getElementById('lost').textContent").asText()).isEqualTo("5");
            assertThat(b.eval("window.procmonReport.gaps").asInt()).isEqualTo(1);
            assertThat(b.eval("window.procmonReport.search('cc1')").asLong()).isEqualTo(count(records, "cc1"));
            b.eval("window.procmonReport.search('')");
            b.screenshot(Path.of("target", "report-build.png"));
            assertThat(b.eval("window.procmonReport.errors.length").asInt()).isZero();
            assertThat(b.errors()).isEmpty();
        }
    }

    /**
     * A 100,000-exec storm, reported by {@code procmon report} under the launcher's heap, drawn and
     * hoverable after zooming. How soon the page is interactive is a figure, printed (median of
     * {@code -Dprocmon.report.opens=N} openings, 1 by default; bench/report.sh asks for more), not a limit.
     */
    @Test
    void aHundredThousandProcessesAreDrawnAndStayHoverable(@TempDir Path dir) throws Exception {
        Path rec = dir.resolve("storm.jsonl");
        RunningMonitor monitor = RunningMonitor.start(rec, "--format", "jsonl");
        Path program = Workloads.uniqueCopy(staticTrue, dir, "report-storm");
        Process p = new ProcessBuilder(storm.toString(), "-v", "100000", "4", program.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor()).isZero();
        RunningMonitor.Stopped stopped = monitor.stop(); // drains: every row is written when it exits
        assertThat(stopped.code()).as(stopped.stderr()).isZero();
        long lines = Files.lines(rec).count();
        assertThat(lines).isGreaterThanOrEqualTo(100_000);

        Path html = Path.of("target", "report-100k.html").toAbsolutePath();
        report(rec, html);
        long bytes = Files.size(html);
        System.out.printf("report of %,d processes: %,d bytes (recording %,d bytes)%n", lines, bytes, Files.size(rec));
        assertThat(bytes).as("a reasonably sized file").isLessThan(Files.size(rec) / 2);
        int opens = Integer.getInteger("procmon.report.opens", 1);
        List<Double> readyAt = new ArrayList<>();
        for (int i = 1; i < opens; i++) {
            try (Chromium b = openReport(html)) {
                readyAt.add(b.eval("window.procmonReport.readyAt").asDouble());
            }
        }
        try (Chromium b = openReport(html)) {
            assertThat(b.eval("window.procmonReport.ready").asBoolean()).as("the page says it is ready").isTrue();
            readyAt.add(b.eval("window.procmonReport.readyAt").asDouble());
            List<Double> sorted = readyAt.stream().sorted().toList();
            System.out.printf("100k report: interactive after navigation, median of %d: %.0f ms (all: %s; script %.0f ms), "
                    + "%d bars drawn in the first frame%n", sorted.size(), sorted.get(sorted.size() / 2), sorted,
                    b.eval("window.procmonReport.readyMs").asDouble(), b.eval("window.procmonReport.drawnBars").asLong());
            assertThat(b.eval("window.procmonReport.bars").asLong()).isEqualTo(lines);
            long firstFrame = b.eval("window.procmonReport.drawnBars").asLong();
            assertThat(firstFrame).isPositive();
            // Zooming in draws a different set, and hovering still finds a storm process.
            int idx = (int) (lines / 2); // a process in the middle of the storm
            // Zoom in on it, as a user would, until its bar is wide enough to point at. Wheel events
            // reach the page asynchronously: each is awaited.
            int wheels = 0;
            while (b.eval("window.procmonReport.barWidth(" + idx + ")").asDouble() < 20 && wheels < 80) {
                JsonNode at = b.eval("window.procmonReport.barCenter(" + idx + ")");
                b.wheel(at.get("x").asDouble(), at.get("y").asDouble(), -400);
                wheels++;
                awaitTrue(b, "window.procmonReport.wheels === " + wheels);
            }
            assertThat(b.eval("window.procmonReport.drawnBars").asLong()).isNotEqualTo(firstFrame);
            JsonNode at = b.eval("window.procmonReport.barCenter(" + idx + ")");
            System.out.println("hover target " + idx + " at " + at + " after " + wheels + " wheel turns");
            b.mouseMove(at.get("x").asDouble(), at.get("y").asDouble());
            awaitTrue(b, "window.procmonReport.hovered === " + idx);
            b.screenshot(Path.of("target", "report-100k.png"));
            assertThat(b.errors()).isEmpty();
            assertThat(b.eval("window.procmonReport.errors.length").asInt()).isZero();
        }
    }

    @Test
    void inputWithoutStartTimesOrWithABadRowIsOneLine(@TempDir Path dir) throws Exception {
        Path original = dir.resolve("original.csv");
        Files.writeString(original, "PID,PPID,USER,COMMAND,DURATION_MS\n12,1,root,sh,1.00\n");
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "PID,PPID,COMMAND,START_TIME,END_TIME\n1,0,a,2026-11-26T10:00:00Z,2026-11-26T10:00:01Z\n"
                + "x,0,b,2026-11-26T10:00:00Z,2026-11-26T10:00:01Z\n");
        for (Map.Entry<Path, Object[]> c : Map.of(
                original, new Object[] {2, "procmon report: " + original + ": the input has no START_TIME column; record with --columns "
                        + "pid,ppid,user,command,duration_ms,start_time,end_time,exit_code,signal (or --format jsonl)"},
                bad, new Object[] {9, "procmon report: " + bad + ": line 3: For input string: \"x\""}).entrySet()) {
            RunningMonitor.Result r = RunningMonitor.run("report", c.getKey().toString(), "-o", dir.resolve("r.html").toString());
            assertThat(r.code()).as(r.err()).isEqualTo((Integer) c.getValue()[0]);
            assertThat(r.err().strip()).isEqualTo(c.getValue()[1]);
            assertThat(dir.resolve("r.html")).doesNotExist();
        }
    }

    @Test
    void theReportKeepsTheRecordingsModeAndReplacesOnlyAFileOfItsOwn(@TempDir Path dir) throws Exception {
        Path rec = dir.resolve("private.csv");
        Files.writeString(rec, "PID,PPID,COMMAND,START_TIME,END_TIME\n1,0,a,2026-11-26T10:00:00Z,2026-11-26T10:00:01Z\n");
        Files.setPosixFilePermissions(rec, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path html = dir.resolve("r.html");
        report(rec, html);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(html))).isEqualTo("rw-------");

        // "-": standard output, not a file named "-".
        RunningMonitor.Result out = RunningMonitor.run("report", rec.toString(), "-o", "-");
        assertThat(out.code()).as(out.err()).isZero();
        assertThat(out.out()).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
        assertThat(Path.of("-")).doesNotExist();

        // In a shared directory: another user's file and a device node are refused and stay what they were.
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setAttribute(shared, "unix:mode", 01777);
        Path theirs = Files.writeString(shared.resolve("theirs.html"), "theirs");
        Files.setAttribute(theirs, "unix:uid", 65534);
        Path node = shared.resolve("node.html");
        assertThat(new ProcessBuilder("mknod", node.toString(), "c", "1", "3").start().waitFor()).isZero();
        for (Map.Entry<Path, String> c : Map.of(theirs, "belongs to uid 65534, not to this user; refusing to write into another user's file",
                node, "is a character device, not a regular file; a rename would replace it; use -o - for a stream").entrySet()) {
            RunningMonitor.Result r = RunningMonitor.run("report", rec.toString(), "-o", c.getKey().toString());
            assertThat(r.code()).as(r.err()).isEqualTo(7);
            assertThat(r.err().strip()).isEqualTo("procmon report: cannot write " + c.getKey() + ": " + c.getValue());
        }
        assertThat(Files.readString(theirs)).isEqualTo("theirs");
        assertThat((Integer) Files.getAttribute(node, "unix:mode") & 0170000).as("still a character device").isEqualTo(0020000);
        try (var left = Files.list(shared)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("theirs.html", "node.html");
        }
    }
}
