package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.testing.NativeHelpers;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine on the real kernel, watching real processes. */
@BpfTest
class BpfEventSourceIT {
    /** The source under test; {@link SignalLiveFallbackIT} takes the path of kernels without group_dead. */
    BpfEventSource newSource(BpfOptions options) {
        return new BpfEventSource(options);
    }

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long SELF = ProcessHandle.current().pid();

    private BpfEventSource source;
    private RecordingListener recorder;

    @BeforeEach
    void startSource() throws IOException {
        recorder = new RecordingListener();
        source = newSource(BpfOptions.defaults());
        source.start(recorder);
    }

    /** Closed twice: close is idempotent. What it leaves behind, @BpfTest checks. */
    @AfterEach
    void closeTwice() {
        source.close();
        source.close();
    }

    private static Process run(String... command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Compiles a C helper of the test resources, runs it with one argument and waits for it. */
    private static Process runHelper(Path dir, String helper, String arg) throws Exception {
        Process p = run(NativeHelpers.compile(dir, helper).toString(), arg);
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return p;
    }

    private ProcessEvent the(long pid) throws InterruptedException {
        return recorder.the(pid, WAIT);
    }

    @Test
    void aSleeperIsReportedWithItsIdsNameAndDuration() throws Exception {
        long spawned = System.nanoTime();
        Process sleeper = run("sleep", "0.3");
        sleeper.waitFor();
        long reaped = System.nanoTime();

        ProcessEvent e = the(sleeper.pid());
        assertThat(e.ppid()).isEqualTo(SELF);
        assertThat(e.uid()).isEqualTo(Integer.parseInt(idU()));
        assertThat(e.command()).isEqualTo("sleep");
        assertThat(e.durationNanos()).as("at least the sleep, at most what this JVM waited").isBetween(300_000_000L, reaped - spawned);
        assertThat(e.exitStatus()).hasValue(0);
        assertThat(e.parentAtExit()).isEmpty();
        assertThat(e.startedBeforeMonitoring()).isFalse();
        assertThat(recorder.lost).isEmpty();
    }

    private static String idU() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u").start();
        String out = new String(id.getInputStream().readAllBytes()).trim();
        id.waitFor();
        return out;
    }

    @Test
    void exitStatusAndKillingSignalAreReported() throws Exception {
        Process exit3 = run("sh", "-c", "exit 3");
        Process killed = run("sleep", "30");
        exit3.waitFor();
        Thread.sleep(100);
        killed.destroyForcibly().waitFor();

        ProcessEvent e3 = the(exit3.pid());
        assertThat(e3.exitStatus()).hasValue(3);
        assertThat(e3.signal()).isEmpty();
        ProcessEvent e9 = the(killed.pid());
        assertThat(e9.signal()).hasValue(9);
        assertThat(e9.exitStatus()).isEmpty();
        assertThat(e9.coreDumped()).isFalse();
    }

    @Test
    void aProcessWhoseMainThreadExitsFirstGivesOneRowAtTheRealEnd(@TempDir Path dir) throws Exception {
        Process p = runHelper(dir, "leader_exits_first", "400");
        ProcessEvent e = the(p.pid());
        source.close(); // drains the rings: a second, early row would be in by now
        assertThat(recorder.matching(x -> x.pid() == p.pid())).hasSize(1);
        assertThat(e.durationNanos()).isGreaterThanOrEqualTo(400_000_000L);
        assertThat(e.exitStatus()).hasValue(7);
    }

    @Test
    void aProcessReparentedToInitKeepsItsExecTimeParent() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "sleep 0.5 >/dev/null 2>&1 & echo $!; sleep 0.1").start();
        long orphan = Long.parseLong(new String(shell.getInputStream().readAllBytes()).trim());
        shell.waitFor();

        List<ProcessEvent> found = recorder.await(e -> e.pid() == orphan, 1, WAIT);
        assertThat(found).hasSize(1);
        ProcessEvent e = found.get(0);
        assertThat(e.ppid()).isEqualTo(shell.pid());
        assertThat(e.parentAtExit()).isPresent();
        assertThat(e.parentAtExit().getAsInt()).isNotEqualTo(shell.pid());
        assertThat(e.command()).isEqualTo("sleep");
    }

    @Test
    void thousandsOfRapidExecsAreAllSeen(@TempDir Path dir) throws Exception {
        // 3,000 here; the kernel matrix's emulated guests ask for fewer (-Dprocmon.test.rapidExecs, as ArgsIT).
        int count = Math.min(3_000, Integer.getInteger("procmon.test.rapidExecs", 3_000));
        // A C storm: Java's own process spawning is too slow to make it rapid (in an emulated guest above all).
        Path storm = NativeHelpers.compile(dir, "storm");
        Process p = new ProcessBuilder(storm.toString(), Integer.toString(count), "2").redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<String> truth = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertThat(p.waitFor()).isZero();
        assertThat(truth).hasSize(count);
        java.util.Set<Integer> workers = new java.util.HashSet<>();
        truth.forEach(line -> workers.add(Integer.parseInt(line.split(" ")[1])));

        // PIDs may repeat (pid_max 32768 here): compare (pid ppid) pairs as multisets.
        Map<String, Integer> expected = new HashMap<>();
        truth.forEach(pair -> expected.merge(pair, 1, Integer::sum));
        recorder.await(e -> workers.contains(e.ppid()) && e.command().equals("true"), count, Duration.ofSeconds(60));
        Map<String, Integer> seen = new HashMap<>();
        recorder.matching(e -> workers.contains(e.ppid()) && e.command().equals("true"))
                .forEach(e -> seen.merge(e.pid() + " " + e.ppid(), 1, Integer::sum));
        assertThat(seen).isEqualTo(expected);
        assertThat(recorder.lost).isEmpty();
    }


    /** Processes in the burst: 8,000 here; the kernel matrix asks for fewer (-Dprocmon.test.burst), as its guests are emulated. */
    static final int BURST = Integer.getInteger("procmon.test.burst", 8_000);

    @Test
    void anExitBurstLosesNothingWithTheDefaults(@TempDir Path dir) throws Exception {
        Path burst = NativeHelpers.compile(dir, "burst");
        Process p = new ProcessBuilder(burst.toString(), Integer.toString(BURST)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> truth = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertThat(p.waitFor()).isZero();
        assertThat(truth).hasSize(BURST);

        long burstPid = p.pid();
        List<ProcessEvent> seen = recorder.await(e -> e.ppid() == burstPid, BURST, Duration.ofSeconds(30));
        assertThat(recorder.lost).as("lost notices").isEmpty();
        assertThat(seen).as("events from the burst; source stats %s", source.stats()).hasSize(BURST);
        assertThat(seen.stream().map(e -> e.pid() + " " + e.ppid()).sorted().toList())
                .isEqualTo(truth.stream().sorted().toList());
        assertThat(seen).allSatisfy(e -> assertThat(e.signal()).hasValue(9));
    }

    @Test
    void aProcessOlderThanTheMonitorIsReportedAndFlagged() throws Exception {
        source.close();
        Process old = run("sleep", "0.5");
        Thread.sleep(200);
        recorder = new RecordingListener();
        source = newSource(BpfOptions.defaults());
        source.start(recorder);

        assertThat(old.waitFor(5, TimeUnit.SECONDS)).isTrue();
        ProcessEvent e = the(old.pid());
        assertThat(e.startedBeforeMonitoring()).isTrue();
        assertThat(e.ppid()).isEqualTo(SELF);
        assertThat(e.command()).isEqualTo("sleep");
        assertThat(e.durationNanos()).as("from the task's own start").isGreaterThanOrEqualTo(500_000_000L);
    }

    @Test
    void withTheOriginalBehaviourOlderProcessesAreDropped() throws Exception {
        source.close();
        Process old = run("sleep", "0.3");
        Thread.sleep(100);
        recorder = new RecordingListener();
        source = newSource(BpfOptions.builder().reportStartedBefore(false).build());
        source.start(recorder);
        old.waitFor();
        Process young = run("/bin/true");
        young.waitFor();

        the(young.pid());
        assertThat(recorder.matching(e -> e.pid() == old.pid())).isEmpty();
        assertThat(recorder.matching(ProcessEvent::startedBeforeMonitoring)).isEmpty();
    }

    @Test
    void executablePathsAreCarriedToTheExitAndBounded(@TempDir Path dir) throws Exception {
        source.close();
        recorder = new RecordingListener();
        source = newSource(BpfOptions.builder().executablePaths(true).build());
        source.start(recorder);
        Path deep = dir;
        while (deep.toString().length() < 300) {
            deep = deep.resolve("a-rather-long-directory-name");
        }
        Files.createDirectories(deep);
        Path longLink = Files.createSymbolicLink(deep.resolve("t"), Path.of("/bin/true"));

        Process shortOne = run("/bin/sleep", "0.1");
        Process longOne = run(longLink.toString());
        shortOne.waitFor();
        longOne.waitFor();

        ProcessEvent s = the(shortOne.pid());
        assertThat(s.executable()).contains("/bin/sleep");
        assertThat(s.executableTruncated()).isFalse();
        ProcessEvent l = the(longOne.pid());
        assertThat(l.executableTruncated()).isTrue();
        assertThat(l.executable()).hasValueSatisfying(p -> assertThat(longLink.toString()).startsWith(p));
        assertThat(l.executable().orElseThrow()).hasSize(255);
    }

    @Test
    void kernelFiltersKeepOnlyWhatWasAskedFor() throws Exception {
        source.close();
        recorder = new RecordingListener();
        // A threshold far above a shell's start-up, which takes 0.3 s in an emulated guest.
        source = newSource(BpfOptions.builder().uid(65534).failedOnly(true).minDuration(Duration.ofMillis(1500)).build());
        source.start(recorder);
        List<String> asNobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        Process rootFails = run("sh", "-c", "sleep 1.6; exit 1");
        Process nobodyOk = new ProcessBuilder(concat(asNobody, "sh", "-c", "sleep 1.6")).start();
        Process nobodyFast = new ProcessBuilder(concat(asNobody, "sh", "-c", "exit 2")).start();
        Process nobodyFails = new ProcessBuilder(concat(asNobody, "sh", "-c", "sleep 1.6; exit 4")).start();
        for (Process p : List.of(rootFails, nobodyOk, nobodyFast, nobodyFails)) {
            p.waitFor();
        }

        ProcessEvent kept = the(nobodyFails.pid());
        assertThat(kept.uid()).isEqualTo(65534);
        assertThat(kept.exitStatus()).hasValue(4);
        source.close(); // drains the rings: anything else they let through is in by now
        assertThat(recorder.events).extracting(ProcessEvent::uid).containsOnly(65534);
        assertThat(recorder.events).allSatisfy(e -> {
            assertThat(e.exitCode()).isNotZero();
            assertThat(e.durationNanos()).isGreaterThanOrEqualTo(1_500_000_000L);
        });
        assertThat(recorder.matching(e -> e.pid() == rootFails.pid() || e.pid() == nobodyOk.pid() || e.pid() == nobodyFast.pid()))
                .isEmpty();
    }

    private static List<String> concat(List<String> prefix, String... rest) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(List.of(rest));
        return all;
    }

    @Test
    void statsCountWhatWasRead() throws Exception {
        Process p = run("/bin/true");
        p.waitFor();
        the(p.pid());
        source.close();
        // Every sample read was passed on, but exits of what only forked (any process of the host may, meanwhile).
        assertThat(source.stats().eventsRead()).as("every sample read was passed on")
                .isEqualTo(recorder.events.size() + source.stats().forkedWithoutExec());
        assertThat(source.stats().bufferLost()).isZero();
        assertThat(source.stats().startInsertFailures()).isZero();
    }

    @Test
    void aProcessIsNamedAfterItsLeaderWhateverThreadExitsLast(@TempDir Path dir) throws Exception {
        ProcessEvent e = the(runHelper(dir, "named_threads", "300").pid());
        assertThat(e.command()).as("the leader's name, not the last thread's (worker-3)").isEqualTo("named_threads");
        assertThat(e.exitStatus()).hasValue(5);
        assertThat(e.durationNanos()).isGreaterThanOrEqualTo(300_000_000L);
    }

    @Test
    void aJvmChildIsNamedJava() throws Exception {
        Process jvm = run(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xshare:auto", "-version");
        assertThat(jvm.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        ProcessEvent e = the(jvm.pid());
        assertThat(e.command()).isEqualTo("java");
        assertThat(e.ppid()).isEqualTo(SELF);
        assertThat(e.exitStatus()).hasValue(0);
    }

    @Test
    void anOlderProcessWhoseLastThreadIsYoungerThanTheMonitorIsReportedFromItsOwnStart(@TempDir Path dir) throws Exception {
        Path binary = NativeHelpers.compile(dir, "late_thread");
        source.close();
        Process old = new ProcessBuilder(binary.toString(), "300").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Thread.sleep(400);
        recorder = new RecordingListener();
        source = newSource(BpfOptions.defaults());
        source.start(recorder);
        // Now the leader starts the thread that outlives it, then leaves with pthread_exit.
        old.getOutputStream().write('\n');
        old.getOutputStream().close();
        assertThat(old.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        ProcessEvent e = the(old.pid());
        assertThat(e.startedBeforeMonitoring()).isTrue();
        assertThat(e.command()).isEqualTo("late_thread");
        assertThat(e.exitStatus()).hasValue(4);
        assertThat(e.durationNanos()).as("from the leader's start, not the last thread's")
                .isGreaterThanOrEqualTo(700_000_000L); // 400 ms before the monitor, 300 ms of the last thread
    }

    @Test
    void threadsDyingTogetherInExitGroupGiveExactlyOneRowPerProcess(@TempDir Path dir) throws Exception {
        Path binary = NativeHelpers.compile(dir, "thread_group_exit");
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Process p = run(binary.toString(), "32");
            pids.add(p.pid());
            assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(3);
        }
        for (long pid : pids) {
            assertThat(the(pid).exitStatus()).hasValue(3);
        }
        source.close(); // drains the rings: a second row for any of them would be in by now
        for (long pid : pids) {
            assertThat(recorder.matching(e -> e.pid() == pid)).as("rows of pid %d", pid).hasSize(1);
        }
    }

    @Test
    void wallClockStartAndEndBracketTheChild() throws Exception {
        // Independent clocks: this JVM's wall clock around the child, and the child's own
        // account of its start (exec) and end (just before exit), in the clock the kernel uses.
        java.time.Instant before = java.time.Instant.now();
        Process p = new ProcessBuilder("sh", "-c", "date +%s%N; sleep 0.2; exec date +%s%N").start();
        List<Long> own = new String(p.getInputStream().readAllBytes()).lines().map(Long::parseLong).toList();
        p.waitFor();
        java.time.Instant after = java.time.Instant.now();

        ProcessEvent e = the(p.pid());
        java.time.Duration slack = java.time.Duration.ofMillis(5);
        java.time.Instant start = e.startTime().orElseThrow();
        java.time.Instant end = e.endTime().orElseThrow();
        assertThat(start).isBetween(before.minus(slack), after.plus(slack));
        assertThat(end).isBetween(before.minus(slack), after.plus(slack));
        // The shell's first date ran after the exec the kernel timed, its last one before the exit.
        assertThat(start).isBefore(java.time.Instant.ofEpochSecond(0, own.get(0)).plus(slack));
        assertThat(end).isAfter(java.time.Instant.ofEpochSecond(0, own.get(1)).minus(slack));
        // The duration measured by the kernel is at least the child's own span, and at most the JVM's.
        assertThat(e.durationNanos()).isBetween(own.get(1) - own.get(0), java.time.Duration.between(before, after).toNanos());
    }

    @Test
    void theKernelTableCountsRunningProcessesOutOfItsCapacity() throws Exception {
        assertThat(source.stats().startCapacity()).isPositive();
        long before = source.startTableEntries().orElseThrow();
        Process sleeper = run("sleep", "30"); // exec'd after the attach: in the table until it exits
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (source.startTableEntries().orElseThrow() <= before && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(source.startTableEntries().orElseThrow()).isGreaterThan(before).isLessThanOrEqualTo(source.stats().startCapacity());
        } finally {
            sleeper.destroy();
            sleeper.waitFor();
        }
    }

    @Test
    void aReaderThatDiesSaysSoOnceAndTheTableIsGoneAfterClose() throws Exception {
        java.util.concurrent.CompletableFuture<io.procmon.core.EventSourceException> failure = new java.util.concurrent.CompletableFuture<>();
        // A start table of one entry loses start records as soon as two processes run; the
        // notice reaches a listener that breaks its contract and throws, on the reader's thread.
        BpfEventSource dying = newSource(BpfOptions.builder().maxProcesses(1).build());
        dying.start(new io.procmon.core.SourceListener() {
            @Override
            public void onEvent(ProcessEvent event) {
            }

            @Override
            public void onLost(io.procmon.core.LostEvents lost) {
                throw new IllegalStateException("a listener that breaks its contract");
            }

            @Override
            public void onFailure(io.procmon.core.EventSourceException e) {
                if (!failure.complete(e)) {
                    throw new AssertionError("reported twice");
                }
            }
        });
        List<Process> sleepers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                sleepers.add(run("sleep", "2"));
            }
            io.procmon.core.EventSourceException e = failure.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(e).hasMessageStartingWith("cannot read the kernel's events any more: java.lang.IllegalStateException: a listener that breaks");
        } finally {
            dying.close();
            for (Process p : sleepers) {
                p.waitFor();
            }
        }
        assertThat(dying.startTableEntries()).isEmpty();
    }
}
