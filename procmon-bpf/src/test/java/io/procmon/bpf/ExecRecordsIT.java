package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.core.ProcessEvent;
import io.procmon.core.ProcessEvent.Kind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Exec records on the real kernel: a process shows as it starts, long before it ends, with what
 * its exit record will say of it; a re-exec is another exec record of the same process.
 */
@BpfTest
class ExecRecordsIT {
    /** A uid that runs nothing on a test host but what this test starts: the reader is asleep before each exec. */
    private static final int QUIET_UID = 64_998;
    private static final Duration WAIT = Duration.ofSeconds(15);

    private BpfEventSource source;
    private final RecordingListener recorder = new RecordingListener();

    private void start(BpfOptions.Builder options) {
        source = new BpfEventSource(options.execRecords(true).build());
        source.start(recorder);
    }

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    private static Process asQuietUser(String... command) throws Exception {
        return TestProcesses.runAs(QUIET_UID, command);
    }

    @Test
    void aLongRunningProcessShowsWithinASecondOfItsStartAsItsExitWillSayIt() throws Exception {
        start(BpfOptions.defaults().toBuilder().uid(QUIET_UID).args(1024).executablePaths(true));
        for (int i = 0; i < 2; i++) {
            Thread.sleep(1_500); // the reader is asleep: only the bell brings the record in time
            long started = System.nanoTime();
            Process p = asQuietUser("/bin/sleep", "3");
            List<ProcessEvent> execs = recorder.await(e -> e.pid() == p.pid() && e.kind() == Kind.EXEC
                    && e.command().equals("sleep"), 1, WAIT);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(p.isAlive()).as("still running when its exec record came").isTrue();
            assertThat(millis).as("from the start to its exec record").isLessThan(1_000);
            ProcessEvent exec = execs.get(0);
            assertThat(exec.endTime()).isEmpty();
            assertThat(exec.exitStatus()).isEmpty();
            assertThat(exec.durationNanos()).isZero();
            assertThat(exec.uid()).isEqualTo(QUIET_UID);
            assertThat(exec.executable()).hasValue("/bin/sleep");
            assertThat(exec.arguments()).isPresent();
            assertThat(exec.arguments().get().values()).containsExactly("/bin/sleep", "3");
            assertThat(exec.startTime()).isPresent();

            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            ProcessEvent exit = recorder.await(e -> e.pid() == p.pid() && e.kind() == Kind.EXIT, 1, WAIT).get(0);
            assertThat(exit.entityId()).isPresent().isEqualTo(exec.entityId());
            assertThat(exit.parentEntityId()).isEqualTo(exec.parentEntityId());
            assertThat(exit.ppid()).isEqualTo(exec.ppid());
            assertThat(exit.arguments()).as("the exit keeps the arguments the exec record showed").isEqualTo(exec.arguments());
            assertThat(exit.executable()).isEqualTo(exec.executable());
        }
    }

    @Test
    void aReExecIsAnotherExecRecordOfTheSameProcess() throws Exception {
        start(BpfOptions.defaults().toBuilder().uid(QUIET_UID).args(256));
        // setpriv execs sh, which execs sleep: one process, three programs
        Process p = asQuietUser("/bin/sh", "-c", "exec /bin/sleep 0.2");
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        ProcessEvent exit = recorder.await(e -> e.pid() == p.pid() && e.kind() == Kind.EXIT, 1, WAIT).get(0);
        List<ProcessEvent> execs = recorder.matching(e -> e.pid() == p.pid() && e.kind() == Kind.EXEC);
        // setpriv itself exec'd as root before it changed its uid: that first exec is filtered out
        assertThat(execs).extracting(ProcessEvent::command).containsExactly("sh", "sleep");
        assertThat(execs).extracting(ProcessEvent::entityId).containsOnly(exit.entityId());
        assertThat(execs.get(1).arguments().get().values()).containsExactly("/bin/sleep", "0.2");
        assertThat(execs.get(1).execTimeNanos()).as("a re-exec's record is of its own time")
                .isGreaterThan(execs.get(0).execTimeNanos());
        assertThat(exit.execTimeNanos()).as("the exit's life starts at the first exec").isLessThan(execs.get(0).execTimeNanos());
        assertThat(exit.command()).isEqualTo("sleep");
    }

    @Test
    void aProcessStillRunningAtStopIsARunningRecordOfTheEntityItsExecRecordNamed() throws Exception {
        start(BpfOptions.defaults().toBuilder().uid(QUIET_UID).runningRecords(true));
        Process p = asQuietUser("/bin/sleep", "30");
        try {
            ProcessEvent exec = recorder.await(e -> e.pid() == p.pid() && e.kind() == Kind.EXEC && e.command().equals("sleep"), 1, WAIT)
                    .get(0);
            source.close();
            source = null;
            List<ProcessEvent> running = recorder.matching(e -> e.pid() == p.pid() && e.kind() == Kind.RUNNING);
            assertThat(running).as("once, as recording stopped (it was not running at start)").hasSize(1);
            assertThat(running.get(0).entityId()).isPresent().isEqualTo(exec.entityId());
            assertThat(running.get(0).parentEntityId()).isEqualTo(exec.parentEntityId());
            assertThat(recorder.matching(e -> e.pid() == p.pid() && e.kind() == Kind.EXIT)).isEmpty();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void withoutTheOptionThereAreNoExecRecords() throws Exception {
        source = new BpfEventSource(BpfOptions.defaults().toBuilder().uid(QUIET_UID).build());
        source.start(recorder);
        Process p = asQuietUser("/bin/true");
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        recorder.await(e -> e.pid() == p.pid(), 1, WAIT);
        assertThat(recorder.matching(e -> e.kind() != Kind.EXIT)).isEmpty();
    }
}
