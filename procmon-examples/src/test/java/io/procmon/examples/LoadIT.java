package io.procmon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real monitor under load, with its default settings: every process of an exec storm and of
 * an exit burst is in the CSV with the right pid and ppid, and nothing is lost. PIDs repeat
 * (pid_max is 32768 here), so (pid, ppid) pairs are compared as multisets.
 */
class LoadIT {
    @TempDir
    static Path tools;
    static Path sigdfl;
    static Path storm;
    static Path burst;

    @BeforeAll
    static void buildHelpers() throws Exception {
        sigdfl = Helpers.compile(tools, "sigdfl");
        storm = Helpers.compile(tools, "storm");
        burst = Helpers.compile(tools, "burst");
    }

    /** Runs a load generator; returns its ground truth, one "pid ppid" per line. */
    private static List<String> groundTruth(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> truth = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertThat(p.waitFor()).as("%s", List.of(command)).isZero();
        return truth;
    }

    private static Map<String, Long> multiset(List<String> pairs) {
        return pairs.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static void assertAllPresentAndNothingLost(RunningMonitor monitor, List<String> truth) throws Exception {
        RunningMonitor.Stopped stopped = monitor.stop();
        assertThat(stopped.code()).as("stderr: %s", stopped.stderr()).isZero();
        assertThat(stopped.stderr()).as("summary").contains("; 0 events lost");

        List<String> parents = truth.stream().map(line -> line.split(" ")[1]).distinct().toList();
        List<String> rows = monitor.rows().stream()
                .filter(r -> parents.contains(r.get("PPID")))
                .map(r -> r.get("PID") + " " + r.get("PPID"))
                .toList();
        assertThat(multiset(rows)).isEqualTo(multiset(truth));
    }

    @Test
    void anExecStormOf20000IsSeenWhole(@TempDir Path dir) throws Exception {
        RunningMonitor monitor = RunningMonitor.start(sigdfl, dir.resolve("storm.csv"));
        List<String> truth = groundTruth(storm.toString(), "20000", "4");
        assertThat(truth).hasSize(20_000);
        Thread.sleep(500);
        assertAllPresentAndNothingLost(monitor, truth);
    }

    @Test
    void anExitBurstOf8000IsSeenWholeWithTheDefaults(@TempDir Path dir) throws Exception {
        RunningMonitor monitor = RunningMonitor.start(sigdfl, dir.resolve("burst.csv"));
        List<String> truth = groundTruth(burst.toString(), "8000");
        assertThat(truth).hasSize(8_000);
        Thread.sleep(1_000);
        assertAllPresentAndNothingLost(monitor, truth);
    }

}
