package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.testing.NativeHelpers;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Losses above zero, forced in the real engine, and accounted for exactly. The bursts run as
 * nobody and the kernel filters on that uid, so the host's own processes cannot blur the count.
 */
@BpfTest
class KernelLossIT {
    private static final int NOBODY = 65534;
    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    @TempDir
    static Path tools;
    static Path burst;

    @BeforeAll
    static void buildBurst() throws Exception {
        Files.setPosixFilePermissions(tools, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody runs it
        burst = NativeHelpers.compile(tools, "burst");
    }

    /** Runs {@code burst k} as nobody; returns its pid and ground truth ("pid ppid" of each child). */
    private static Burst runBurst(int k) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(AS_NOBODY);
        cmd.addAll(List.of(burst.toString(), Integer.toString(k)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> truth = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertThat(p.waitFor()).isZero();
        assertThat(truth).hasSize(k);
        return new Burst(p.pid(), new HashSet<>(truth));
    }

    record Burst(long pid, Set<String> children) {
    }

    @Test
    void aBurstTooBigForAOnePageRingIsRowsPlusAnnouncedLossesExactly() throws Exception {
        int k = 2_000;
        CountDownLatch gate = new CountDownLatch(1);
        RecordingListener listener = new RecordingListener(gate);
        // One page per CPU holds about 60 exit records: with the reader held, the rest cannot fit.
        BpfEventSource source = new BpfEventSource(BpfOptions.builder().pagesPerCpu(1).uid(NOBODY).build());
        source.start(listener);
        Burst b;
        int cpus = Runtime.getRuntime().availableProcessors();
        try {
            b = runBurst(k);
            gate.countDown();
            // One more process on each CPU: a ring says what it lost (PERF_RECORD_LOST) only before
            // its next sample, so the ring's account and the in-kernel counter both hold the losses.
            for (int cpu = 0; cpu < cpus; cpu++) {
                List<String> cmd = new java.util.ArrayList<>(AS_NOBODY);
                cmd.addAll(List.of("taskset", "-c", Integer.toString(cpu), "/bin/true"));
                Process p = new ProcessBuilder(cmd).start();
                assertThat(p.waitFor()).isZero();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (listener.events.stream().noneMatch(e -> e.pid() == p.pid()) && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(listener.events).as("the row of the process on cpu %d", cpu).anyMatch(e -> e.pid() == p.pid());
            }
        } finally {
            gate.countDown();
            source.close(); // drains the rings and reads the kernel's counters a last time
        }

        long rows = listener.events.size();
        long lost = listener.lost(LostEvents.Origin.KERNEL_BUFFER);
        assertThat(lost).as("losses forced").isPositive();
        assertThat(rows).as("rows").isPositive();
        // The k children, the burst itself and one process per CPU, each once: as a row or in a loss
        // count, never both (the ring's PERF_RECORD_LOST and the in-kernel counter count the same failed writes).
        assertThat(rows + lost).as("rows %d + lost %d", rows, lost).isEqualTo(k + 1 + cpus);
        assertThat(source.stats().bufferLost()).isEqualTo(lost);
        assertThat(listener.lost(LostEvents.Origin.KERNEL_START_RECORD)).isZero();
        assertThat(listener.events).allSatisfy(e -> assertThat(e.uid()).isEqualTo(NOBODY));
        List<ProcessEvent> children = listener.events.stream().filter(e -> e.ppid() == b.pid()).toList();
        assertThat(children).allSatisfy(e -> assertThat(b.children()).contains(e.pid() + " " + e.ppid()));
        assertThat(children.stream().map(e -> e.pid() + " " + e.ppid()).distinct().count()).isEqualTo(children.size());
        assertThat(rows - children.size()).as("rows besides the children: one per CPU, and the burst itself if not lost")
                .isBetween((long) cpus, cpus + 1L);
    }

    @Test
    void aStartTableTooSmallAnnouncesEveryMissingStartRecord() throws Exception {
        int k = 200;
        int capacity = 16;
        RecordingListener listener = new RecordingListener();
        BpfEventSource source = new BpfEventSource(BpfOptions.builder().maxProcesses(capacity).uid(NOBODY).build());
        source.start(listener);
        Burst b;
        try {
            b = runBurst(k); // its k children are alive at once, more than the table holds
        } finally {
            source.close();
        }

        // A child whose exec found the table full has no start record; at its exit it looks like a
        // process that forked and never exec'd, which procmon does not report: its exec is in a
        // KERNEL_START_RECORD notice instead. The host's own execs meanwhile may add to the notices.
        List<ProcessEvent> children = listener.events.stream().filter(e -> e.ppid() == b.pid()).toList();
        assertThat(children).isNotEmpty().allSatisfy(e -> assertThat(b.children()).contains(e.pid() + " " + e.ppid()));
        assertThat(children.stream().map(e -> e.pid() + " " + e.ppid()).distinct().count()).isEqualTo(children.size());
        assertThat(children).as("rows with a start record: at most the table's capacity").hasSizeLessThanOrEqualTo(capacity);
        long missing = k - children.size();
        long announced = listener.lost(LostEvents.Origin.KERNEL_START_RECORD);
        assertThat(announced).as("announced start records, for %d children without a row", missing).isGreaterThanOrEqualTo(missing);
        assertThat(announced).isEqualTo(source.stats().startInsertFailures());
        assertThat(source.stats().exitsWithoutStart()).as("exits the kernel saw without a start record").isGreaterThanOrEqualTo(missing);
        assertThat(listener.lost(LostEvents.Origin.KERNEL_BUFFER)).isZero();
    }
}
