package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.core.ProcessEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reader on an idle host: it sleeps while the rings stay empty, the bell wakes it at once for
 * a record, and close does not wait for its sleep to end. The source records only a uid nobody
 * else runs as, so that the host's own processes leave it idle (the kernel drops their exits
 * before they reach a ring).
 */
@BpfTest
class IdleReaderIT {
    /** A uid that runs nothing on a test host but what this test starts. */
    private static final int QUIET_UID = 64_999;
    /** A record's delay bound, as configured below; a sleeping reader without the bell would take its whole sleep (10 s). */
    private static final Duration MAX_DELAY = Duration.ofMillis(20);

    private BpfEventSource source;
    private RecordingListener recorder;

    @BeforeEach
    void start() {
        recorder = new RecordingListener();
        source = new BpfEventSource(BpfOptions.defaults().toBuilder().uid(QUIET_UID).maxDelay(MAX_DELAY).build());
        source.start(recorder);
    }

    @AfterEach
    void close() {
        source.close();
    }

    /** Linux 5.12 brought BPF's atomic exchange, which the bell needs. */
    private static boolean kernelHasTheBell() {
        return io.procmon.bpf.testing.KernelRelease.atLeast(5, 12);
    }

    @Test
    void anIdleReaderSleepsInsteadOfPollingEveryDelay() throws Exception {
        assertThat(source.dozesWhenIdle()).as("the bell on kernel %s", System.getProperty("os.version")).isEqualTo(kernelHasTheBell());
        Thread.sleep(500); // one delay with nothing read, then it sleeps
        long before = source.readerRounds();
        Thread.sleep(3_000);
        long rounds = source.readerRounds() - before;
        if (source.dozesWhenIdle()) {
            assertThat(rounds).as("wake-ups in 3 s of an idle host (polling would make 150)").isLessThanOrEqualTo(2);
        } else {
            assertThat(rounds).as("without the bell it polls every delay").isGreaterThan(100);
        }
    }

    @Test
    void theBellWakesASleepingReaderForEachRecordWithinTheDelayBound() throws Exception {
        for (int i = 0; i < 3; i++) {
            Thread.sleep(1_500); // asleep by now
            long roundsBefore = source.readerRounds();
            Process p = new ProcessBuilder("setpriv", "--reuid=" + QUIET_UID, "--regid=" + QUIET_UID, "--clear-groups", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long reaped = System.nanoTime();
            List<ProcessEvent> seen = recorder.await(e -> e.pid() == p.pid(), 1, Duration.ofSeconds(15));
            long latencyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - reaped);
            assertThat(seen).as("the row of pid %d", p.pid()).hasSize(1);
            assertThat(seen.get(0).uid()).isEqualTo(QUIET_UID);
            assertThat(latencyMillis).as("from the process reaped to its row, reader asleep before (rounds %d→%d)",
                    roundsBefore, source.readerRounds()).isLessThan(1_000);
        }
    }

    @Test
    void theStatsCountEveryRecordReadBeforeTheReaderSleeps() throws Exception {
        List<Long> pids = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) { // rows read while awake, the last of them shortly before it sleeps
            Process p = new ProcessBuilder("setpriv", "--reuid=" + QUIET_UID, "--regid=" + QUIET_UID, "--clear-groups", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            pids.add(p.pid());
        }
        assertThat(recorder.await(e -> pids.contains((long) e.pid()), pids.size(), Duration.ofSeconds(15))).hasSize(pids.size());
        Thread.sleep(500); // asleep by now, for up to 10 s
        assertThat(source.stats().eventsRead()).as("records counted in the stats of a sleeping reader")
                .isGreaterThanOrEqualTo(pids.size());
    }

    @Test
    void closingASleepingReaderDoesNotWaitForItsSleep() throws Exception {
        Thread.sleep(1_500);
        long t0 = System.nanoTime();
        source.close();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("close of a sleeping reader, ms").isLessThan(2_000);
    }
}
