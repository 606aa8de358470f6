package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.prog.EventLayout.ArgsRecord;
import io.procmon.bpf.prog.EventLayout.ReleaseRecord;
import io.procmon.core.ProcessEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgsJoinerTest {
    private static ArgsRecord record(int pid, long execNanos, String... args) {
        byte[] bytes = (String.join("\0", args) + "\0").getBytes(StandardCharsets.UTF_8);
        return new ArgsRecord(pid, execNanos, bytes.length, bytes);
    }

    private static byte[] bytes(String comm) {
        return comm.getBytes(StandardCharsets.UTF_8);
    }

    private static ProcessEvent.Builder exit(int pid) {
        return ProcessEvent.builder().pid(pid).command("x");
    }

    @Test
    void anExitReadBeforeItsArgumentsWaitsForTheNextPassThenGetsThem() {
        ArgsJoiner joiner = new ArgsJoiner(4096, 100);
        ProcessEvent.Builder early = exit(7);
        assertThat(joiner.complete(early, 7, 1_000, 5_000, false, bytes("true"))).isFalse();
        assertThat(joiner.hasParked()).isTrue();
        joiner.onArgs(record(7, 1_200, "/bin/true", "a"));
        List<ProcessEvent> out = new ArrayList<>();
        joiner.releaseParked(out::add);
        assertThat(out).singleElement().satisfies(e -> assertThat(e.arguments().orElseThrow().values())
                .containsExactly("/bin/true", "a"));
        assertThat(joiner.missing()).isZero();
    }

    @Test
    void argumentsHeldAreBoundedInBytesTheEldestGoingFirst() {
        ArgsJoiner joiner = new ArgsJoiner(32 * 1024, 131_072, 1 << 20);
        String big = "A".repeat(32 * 1024 - 8);
        // As the attack of issue 21: thousands of 32 KiB command lines whose exits the kernel filters out.
        for (int pid = 1; pid <= 6_000; pid++) {
            joiner.onArgs(record(pid, pid * 10L, "/bin/true", big));
            assertThat(joiner.heldBytes()).isLessThanOrEqualTo(1 << 20);
        }
        assertThat(joiner.evicted()).isEqualTo(6_000 - (1 << 20) / ("/bin/true".length() + 1 + big.length() + 1)); // NUL after each
        ProcessEvent.Builder newest = exit(6_000);
        assertThat(joiner.complete(newest, 6_000, 59_000, 70_000, false, bytes("true"))).isTrue();
        assertThat(newest.build().arguments().orElseThrow().values()).containsExactly("/bin/true", big);
        ProcessEvent.Builder eldest = exit(1);
        assertThat(joiner.complete(eldest, 1, 5, 70_000, false, bytes("true"))).as("let go: parked, then said missing").isFalse();
    }

    @Test
    void theSnapshotOfRunningProcessesIsBoundedInBytesAndWhatItLeavesOutIsCounted() throws Exception {
        Process sleeper = new ProcessBuilder("sh", "-c", "sleep 30", "A".repeat(2000)).start();
        try {
            ArgsJoiner joiner = new ArgsJoiner(4096, 100, 1000); // less than the sleeper's command line alone
            joiner.snapshotRunning();
            assertThat(joiner.evicted()).as("processes whose command lines did not fit").isPositive();
            ProcessEvent.Builder exit = exit((int) sleeper.pid());
            long start = ProcInventory.stat(java.nio.file.Path.of("/proc/" + sleeper.pid())).startTicks() * ArgsJoiner.TICK_NANOS;
            assertThat(joiner.complete(exit, (int) sleeper.pid(), start, start + 1, true, bytes("sh"))).isTrue();
            assertThat(exit.build().argumentsMissing()).isTrue();
        } finally {
            sleeper.destroy();
        }
    }

    @Test
    void aReleaseLetsTheArgumentsOfAFilteredExitGoWhicheverRingIsReadFirst() {
        ArgsJoiner joiner = new ArgsJoiner(4096, 100);
        joiner.onArgs(record(21, 1_100, "/bin/true", "x"));
        joiner.release(new ReleaseRecord(21, 1_000, 2_000, false));
        assertThat(joiner.heldBytes()).isZero();

        // The release read before the arguments (another CPU's ring): they go after one more read.
        joiner.release(new ReleaseRecord(22, 3_000, 4_000, false));
        assertThat(joiner.hasParked()).isTrue();
        joiner.onArgs(record(22, 3_100, "/bin/true", "y"));
        // A later process that reused the pid keeps its own.
        joiner.onArgs(record(23, 9_000, "/bin/sleep", "1"));
        joiner.release(new ReleaseRecord(23, 1_000, 2_000, false));
        List<ProcessEvent> out = new ArrayList<>();
        joiner.releaseParked(out::add);
        assertThat(out).isEmpty();
        assertThat(joiner.hasParked()).isFalse();
        assertThat(joiner.heldBytes()).isEqualTo("/bin/sleep".length() + 1 + 2);
        assertThat(joiner.evicted()).isZero();
    }

    @Test
    void aReExecKeepsItsLastExecsArgumentsWhicheverRingIsReadFirst() {
        for (boolean laterFirst : new boolean[] {true, false}) {
            ArgsJoiner joiner = new ArgsJoiner(4096, 100);
            ArgsRecord spawn = record(11, 1_000, "/usr/lib/jvm/lib/jspawnhelper", "17", "3:4:5");
            ArgsRecord program = record(11, 1_500, "sleep", "0.1");
            joiner.onArgs(laterFirst ? program : spawn);
            joiner.onArgs(laterFirst ? spawn : program);
            ProcessEvent.Builder exit = exit(11);
            assertThat(joiner.complete(exit, 11, 1_000, 9_000, false, bytes("sleep"))).isTrue();
            assertThat(exit.build().arguments().orElseThrow().values()).as("later read first: %s", laterFirst).containsExactly("sleep", "0.1");
            assertThat(joiner.heldBytes()).isZero();
        }
    }

    @Test
    void anExitReadBeforeItsReExecsArgumentsWaitsOneReadForThem() {
        ArgsJoiner joiner = new ArgsJoiner(4096, 100);
        joiner.onArgs(record(12, 1_000, "/usr/lib/jvm/lib/jspawnhelper", "17", "3:4:5"));
        ProcessEvent.Builder exit = exit(12);
        assertThat(joiner.complete(exit, 12, 1_000, 9_000, false, bytes("sleep"))).as("jspawnhelper is not sleep: wait").isFalse();
        joiner.onArgs(record(12, 1_500, "sleep", "0.1")); // from the other CPU's ring, on the next read
        List<ProcessEvent> out = new ArrayList<>();
        joiner.releaseParked(out::add);
        assertThat(out).singleElement().satisfies(e -> assertThat(e.arguments().orElseThrow().values()).containsExactly("sleep", "0.1"));
    }

    @Test
    void argvZeroNamesTheProgramAsTheKernelCutsItsName() {
        assertThat(ArgsJoiner.namesProgram("/usr/bin/sleep\0" .getBytes(StandardCharsets.UTF_8), bytes("sleep"))).isTrue();
        assertThat(ArgsJoiner.namesProgram("sleep\00.1\0".getBytes(StandardCharsets.UTF_8), bytes("sleep"))).isTrue();
        assertThat(ArgsJoiner.namesProgram("/opt/a-very-long-program-name\0".getBytes(StandardCharsets.UTF_8), bytes("a-very-long-pro"))).isTrue();
        assertThat(ArgsJoiner.namesProgram("/bin/sh\0./script.sh\0".getBytes(StandardCharsets.UTF_8), bytes("script.sh"))).isFalse();
        assertThat(ArgsJoiner.namesProgram(new byte[0], bytes("x"))).isFalse();
    }

    @Test
    void argumentsThatNeverCameAreSaidToBeMissing() {
        ArgsJoiner joiner = new ArgsJoiner(4096, 100);
        assertThat(joiner.complete(exit(8), 8, 1_000, 5_000, false, bytes("x"))).isFalse();
        List<ProcessEvent> out = new ArrayList<>();
        joiner.releaseParked(out::add);
        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.argumentsMissing()).isTrue();
            assertThat(e.arguments()).isEmpty();
        });
        assertThat(joiner.missing()).isEqualTo(1);
    }

    @Test
    void aLaterProcessOnTheSamePidDoesNotLendItsArguments() {
        ArgsJoiner joiner = new ArgsJoiner(4096, 100);
        joiner.onArgs(record(9, 9_000, "new-process")); // read first, from another CPU's ring
        ProcessEvent.Builder old = exit(9);
        assertThat(joiner.complete(old, 9, 1_000, 5_000, false, bytes("new-process"))).as("exec 9000 is after the exit at 5000").isFalse();
        List<ProcessEvent> out = new ArrayList<>();
        joiner.releaseParked(out::add);
        assertThat(out.get(0).argumentsMissing()).isTrue();
        ProcessEvent.Builder young = exit(9);
        assertThat(joiner.complete(young, 9, 8_900, 12_000, false, bytes("new-process"))).isTrue();
        assertThat(young.build().arguments().orElseThrow().values()).containsExactly("new-process");
    }

}
