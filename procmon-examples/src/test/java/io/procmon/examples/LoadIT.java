package io.procmon.examples;

import static io.procmon.examples.Workloads.groundTruth;
import static io.procmon.examples.Workloads.multiset;
import static io.procmon.examples.Workloads.uniqueCopy;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import io.procmon.bpf.BpfTest;
import io.procmon.bpf.testing.NativeHelpers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real monitor under load, with its default settings: every process of an exec storm and of
 * an exit burst is in the CSV with the right pid and ppid, and nothing is lost. PIDs repeat
 * (pid_max is 32768 here), so (pid, ppid) pairs are compared as multisets.
 */
@BpfTest
class LoadIT {
    @TempDir
    static Path tools;
    static Path storm;
    static Path burst;
    static Path staticTrue;

    @BeforeAll
    static void buildHelpers() throws Exception {
        storm = NativeHelpers.compile(tools, "storm");
        burst = NativeHelpers.compile(tools, "burst");
        staticTrue = NativeHelpers.compile(tools, "true", "-static");
    }

    /** What {@code a} has more of than {@code b}. */
    private static Map<String, Long> minus(Map<String, Long> a, Map<String, Long> b) {
        return a.entrySet().stream().filter(e -> e.getValue() > b.getOrDefault(e.getKey(), 0L))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue() - b.getOrDefault(e.getKey(), 0L)));
    }

    /**
     * The monitor stops cleanly, reports no loss, and its rows of processes named {@code command}
     * are exactly the ground truth's (pid, ppid) pairs, as multisets.
     */
    private static void assertAllPresentAndNothingLost(RunningMonitor monitor, List<String> truth, String command)
            throws Exception {
        assertAllPresentAndNothingLost(monitor, truth, command, false);
    }

    private static void assertAllPresentAndNothingLost(RunningMonitor monitor, List<String> truth, String command,
            boolean enriched) throws Exception {
        RunningMonitor.Stopped stopped = monitor.stop();
        assertThat(stopped.code()).as("stderr: %s", stopped.stderr()).isZero();
        assertThat(stopped.stderr()).as("summary").contains("; 0 events lost");

        Map<String, Long> expected = multiset(truth);
        List<org.apache.commons.csv.CSVRecord> rows = monitor.rows().stream().filter(r -> r.get("COMMAND").equals(command))
                .toList();
        if (enriched) {
            assertThat(rows).allSatisfy(r -> {
                assertThat(r.get("ARGS_STATUS")).as("arguments of %s", r).isEqualTo("complete");
                assertThat(r.get("START_TIME")).isNotEmpty();
                assertThat(r.get("CGROUP")).isNotEmpty();
                assertThat(r.get("HOST")).isNotEmpty();
            });
        }
        Map<String, Long> seen = multiset(rows.stream()
                .map(r -> r.get("PID") + " " + r.get("PPID"))
                .toList());
        Map<String, Long> missing = minus(expected, seen);
        Map<String, Long> extra = minus(seen, expected);
        assertThat(missing).as("%d (pid ppid) pairs missing, e.g. %s", missing.size(),
                missing.keySet().stream().limit(10).toList()).isEmpty();
        assertThat(extra).as("%d (pid ppid) pairs extra, e.g. %s", extra.size(),
                extra.keySet().stream().limit(10).toList()).isEmpty();
    }

    private static final String STORM_COMMAND = "procmon-storm";

    /** Every enrichment on: all columns (wall-clock times, host, cgroup and container, arguments) and paths. */
    static final String[] ENRICHED = {"--exe", "--columns", java.util.Arrays.stream(io.procmon.csv.Column.values())
            .map(c -> c.name().toLowerCase(java.util.Locale.ROOT)).collect(Collectors.joining(","))};

    @org.junit.jupiter.params.ParameterizedTest(name = "enriched: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void anExecStormOf20000IsSeenWhole(boolean enriched, @TempDir Path dir) throws Exception {
        RunningMonitor monitor = RunningMonitor.start(dir.resolve("storm.csv"), enriched ? ENRICHED : new String[0]);
        List<String> truth = groundTruth(storm.toString(), "-v", "20000", "4", uniqueCopy(staticTrue, dir, STORM_COMMAND).toString());
        assertThat(truth).hasSize(20_000);
        assertAllPresentAndNothingLost(monitor, truth, STORM_COMMAND, enriched);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "enriched: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void anExitBurstOf8000IsSeenWholeWithTheDefaults(boolean enriched, @TempDir Path dir) throws Exception {
        RunningMonitor monitor = RunningMonitor.start(dir.resolve("burst.csv"), enriched ? ENRICHED : new String[0]);
        List<String> truth = groundTruth(burst.toString(), "8000");
        assertThat(truth).hasSize(8_000);
        assertAllPresentAndNothingLost(monitor, truth, "exe", enriched); // the children exec /proc/self/exe
    }

    /**
     * Soak: processes through the real monitor, resident memory sampled and required to stay flat
     * against the run's own early samples, the start map never full (no start-record losses),
     * nothing lost. 200,000 in the test suite; {@code -Dprocmon.soak.events=N} changes the count
     * (bench/soak.sh runs a million and prints the memory figures).
     */
    @Test
    void aSoakOfProcessesWithFlatMemory(@TempDir Path dir) throws Exception {
        long events = Long.getLong("procmon.soak.events", 200_000L);
        RunningMonitor monitor = RunningMonitor.start(dir.resolve("soak.csv"));
        List<Long> rssKiB = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> rssKiB.add(RunningMonitor.residentKiB(monitor.pid())), 0, 2, java.util.concurrent.TimeUnit.SECONDS);
        List<String> truth = new java.util.ArrayList<>();
        String program = uniqueCopy(staticTrue, dir, STORM_COMMAND).toString();
        long batch = 100_000;
        for (long done = 0; done < events; done += batch) {
            truth.addAll(groundTruth(storm.toString(), "-v", Long.toString(Math.min(batch, events - done)), "4", program));
        }
        sampler.shutdownNow();
        assertThat(truth).hasSize((int) events);
        System.err.printf("soak: %,d processes; monitor RSS samples (MiB, every 2 s): %s%n", events,
                rssKiB.stream().map(k -> Long.toString(k / 1024)).collect(Collectors.joining(" ")));
        assertAllPresentAndNothingLost(monitor, truth, STORM_COMMAND);

        // Flat: the last quarter of the run holds no more memory than the second quarter, plus 20 %.
        int n = rssKiB.size();
        assertThat(n).isGreaterThanOrEqualTo(8);
        long secondQuarter = rssKiB.subList(n / 4, n / 2).stream().mapToLong(Long::longValue).max().orElseThrow();
        long lastQuarter = rssKiB.subList(3 * n / 4, n).stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(lastQuarter).as("RSS KiB, last quarter vs second quarter").isLessThanOrEqualTo(secondQuarter * 6 / 5);
    }
}
