package io.procmon.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a fleet's recording (several hosts, as {@code procmon collect} writes it) in a real
 * browser: a host filter in the page with each host's count, the host in every panel's rows, a
 * panel of hosts, and the timeline, the search, the hover and the panels all following the host
 * chosen. A recording of one host shows none of it.
 */
class FleetReportIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T = 1_764_000_000_000_000L;

    private static Recording.Proc proc(int pid, String command, String host, long startMs, long durationMs, int code, int signal) {
        return new Recording.Proc(pid, 1, command, "builder", host, T + startMs * 1000, T + (startMs + durationMs) * 1000, code, signal);
    }

    private static List<List<String>> rows(Chromium b, String table) throws Exception {
        JsonNode rows = JSON.readTree(b.eval("JSON.stringify([...document.querySelectorAll('#" + table + " tr')].slice(1)"
                + ".map(tr => [...tr.cells].map(td => td.textContent)))").asText());
        List<List<String>> out = new ArrayList<>();
        rows.forEach(r -> {
            List<String> cells = new ArrayList<>();
            r.forEach(c -> cells.add(c.asText()));
            out.add(cells);
        });
        return out;
    }

    private static Chromium open(Chromium b, Path html, List<Recording.Proc> procs) throws Exception {
        try (Writer w = Files.newBufferedWriter(html, StandardCharsets.UTF_8)) {
            ReportWriter.write(Recording.of(procs, List.of()), "fleet", w);
        }
        b.open(html);
        for (int i = 0; i < 100 && !b.eval("window.procmonReport && window.procmonReport.ready === true").asBoolean(); i++) {
            Thread.sleep(100);
        }
        assertThat(b.eval("window.procmonReport.ready").asBoolean()).as("ready; errors %s", b.errors()).isTrue();
        return b;
    }

    @Test
    void aProcessStillRunningAtTheEndIsAnOpenBarThatSaysSo(@TempDir Path dir) throws Exception {
        // As a recording with exec and running records gives them: the daemon never ended.
        List<Recording.Proc> procs = Recording.openToTheEnd(List.of(
                new Recording.Proc(10, 1, "daemon", "root", "", T, T, -1, -1, "d".repeat(32), "", true),
                proc(11, "job", "", 1000, 2000, 0, -1)));
        try (Chromium b = Chromium.start(1200, 800)) {
            open(b, dir.resolve("open.html"), procs);
            assertThat(b.eval("window.procmonReport.drawnBars").asInt()).isEqualTo(2);
            int daemon = b.eval("window.procmonReport.indexOfPid(10)").asInt();
            JsonNode at = b.eval("window.procmonReport.barCenter(" + daemon + ")");
            b.mouseMove(at.get("x").asDouble(), at.get("y").asDouble());
            assertThat(b.eval("window.procmonReport.hovered").asInt()).isEqualTo(daemon);
            String tip = b.eval("document.getElementById('tip').textContent").asText();
            assertThat(tip).contains("daemon").contains("still running at the end of the recording").contains("3 s ");
            int job = b.eval("window.procmonReport.indexOfPid(11)").asInt();
            at = b.eval("window.procmonReport.barCenter(" + job + ")");
            b.mouseMove(at.get("x").asDouble(), at.get("y").asDouble());
            assertThat(b.eval("document.getElementById('tip').textContent").asText()).contains("exit 0").doesNotContain("still running");
            assertThat(b.errors()).isEmpty();
            b.screenshot(Path.of("target", "report-open.png").toAbsolutePath());
        }
    }

    @Test
    void aFleetIsFilteredByHostAndEveryPanelNamesItsHosts(@TempDir Path dir) throws Exception {
        List<Recording.Proc> procs = List.of(
                proc(100, "make", "host-a", 0, 900, 0, -1),
                proc(101, "cc", "host-a", 10, 200, 0, -1),
                proc(102, "cc", "host-a", 220, 200, 2, -1),
                proc(103, "cc", "host-a", 440, 200, 0, -1),
                proc(104, "cc", "host-a", 660, 200, 0, -1),
                proc(200, "sleep", "host-b", 0, 3000, 0, -1),
                proc(201, "cc", "host-b", 100, 100, 0, -1),
                proc(202, "yes", "host-b", 300, 500, -1, 9),
                proc(300, "cc", "host-c", 50, 300, 0, -1),
                proc(301, "cc", "host-c", 400, 300, 0, -1));
        try (Chromium b = Chromium.start(1200, 800)) {
            open(b, dir.resolve("fleet.html"), procs);
            assertThat(b.eval("document.getElementById('host').hidden").asBoolean()).isFalse();
            assertThat(b.eval("JSON.stringify([...document.getElementById('host').options].map(o => o.textContent))").asText())
                    .isEqualTo(JSON.writeValueAsString(List.of("all 3 hosts — 10 processes", "host-a — 5 processes",
                            "host-b — 3 processes", "host-c — 2 processes")));
            assertThat(rows(b, "hosts")).containsExactly(List.of("host-a", "5", "1"), List.of("host-b", "3", "1"), List.of("host-c", "2", "0"));
            assertThat(rows(b, "top-count").get(0)).isEqualTo(List.of("cc", "3 hosts", "7"));
            assertThat(rows(b, "top-count")).contains(List.of("sleep", "host-b", "1"));
            assertThat(rows(b, "slowest").get(0)).isEqualTo(List.of("200", "host-b", "sleep", "3.000"));
            assertThat(rows(b, "failures")).containsExactly(List.of("exit 2", "host-a", "1"), List.of("signal 9", "host-b", "1"));
            assertThat(b.eval("window.procmonReport.shownBars").asInt()).isEqualTo(10);
            assertThat(b.eval("window.procmonReport.search('cc')").asInt()).isEqualTo(7);

            // One host: its bars alone, its panels alone, hover and search within it.
            assertThat(b.eval("window.procmonReport.showHost('host-c')").asBoolean()).isTrue();
            assertThat(b.eval("window.procmonReport.shownBars").asInt()).isEqualTo(2);
            assertThat(b.eval("window.procmonReport.drawnBars").asInt()).isEqualTo(2);
            assertThat(rows(b, "top-count")).containsExactly(List.of("cc", "host-c", "2"));
            assertThat(rows(b, "slowest")).containsExactly(List.of("300", "host-c", "cc", "0.300"), List.of("301", "host-c", "cc", "0.300"));
            assertThat(rows(b, "failures")).containsExactly(List.of("none"));
            assertThat(b.eval("window.procmonReport.matched").asInt()).as("the search counts within the host").isEqualTo(2);
            int shownCc = b.eval("window.procmonReport.indexOfPid(300)").asInt();
            JsonNode at = b.eval("window.procmonReport.barCenter(" + shownCc + ")");
            assertThat(b.eval("window.procmonReport.barAt(" + at.get("x") + ", " + at.get("y") + ")").asInt()).isEqualTo(shownCc);
            int hidden = b.eval("window.procmonReport.indexOfPid(200)").asInt();
            at = b.eval("window.procmonReport.barCenter(" + hidden + ")");
            assertThat(b.eval("window.procmonReport.barAt(" + at.get("x") + ", " + at.get("y") + ")").asInt())
                    .as("another host's bar is not there to hover").isEqualTo(-1);
            b.mouseMove(at.get("x").asDouble(), at.get("y").asDouble());
            assertThat(b.eval("window.procmonReport.hovered").asInt()).isEqualTo(-1);

            assertThat(b.eval("window.procmonReport.showHost('host-b')").asBoolean()).isTrue();
            assertThat(rows(b, "failures")).containsExactly(List.of("signal 9", "host-b", "1"));
            assertThat(b.eval("window.procmonReport.showHost('nowhere')").asBoolean()).isFalse();
            assertThat(b.eval("window.procmonReport.showHost('')").asBoolean()).isTrue();
            assertThat(b.eval("window.procmonReport.shownBars").asInt()).isEqualTo(10);
            assertThat(b.errors()).isEmpty();
            assertThat(b.eval("window.procmonReport.errors.length").asInt()).isZero();
            b.screenshot(Path.of("target", "report-fleet.png").toAbsolutePath());

            // One host's recording: no filter, no host column, no panel of hosts.
            open(b, dir.resolve("one.html"), procs.subList(0, 5));
            assertThat(b.eval("document.getElementById('host').hidden").asBoolean()).isTrue();
            assertThat(b.eval("document.getElementById('hosts')").isNull()).isTrue();
            assertThat(rows(b, "top-count")).containsExactly(List.of("cc", "4"), List.of("make", "1"));
            assertThat(rows(b, "slowest").get(0)).isEqualTo(List.of("100", "make", "0.900"));
            assertThat(b.eval("window.procmonReport.showHost('host-a')").asBoolean()).isFalse();
            assertThat(b.errors()).isEmpty();
        }
    }
}
