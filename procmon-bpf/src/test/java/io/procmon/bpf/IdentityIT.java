package io.procmon.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.core.EntityIds;
import io.procmon.core.ProcessEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who a process is, on the real kernel: entity ids that agree with {@code /proc}, join a child to
 * its parent and differ across pid reuse; the login uid kept through a change of user; the
 * effective uid; the controlling terminal.
 */
@BpfTest
class IdentityIT {
    /** A login uid no session of the test host has. */
    private static final int LOGIN = 4242;
    private static final int NOBODY = 65534;
    private static final Duration WAIT = Duration.ofSeconds(15);

    private BpfEventSource source;
    private final RecordingListener recorder = new RecordingListener();
    private final String bootId = EntityIds.localBootId();

    private void start(BpfOptions options) {
        source = new BpfEventSource(options);
        source.start(recorder);
    }

    @AfterEach
    void close() {
        if (source != null) {
            source.close();
        }
    }

    private static Process run(String... command) throws IOException {
        return TestProcesses.run(command);
    }

    private static String output(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private ProcessEvent rowOf(long pid) throws InterruptedException {
        return recorder.the(pid, WAIT);
    }

    @Test
    void entityIdsAgreeWithProcAndJoinAChildToItsParent() throws Exception {
        start(BpfOptions.defaults());
        // sh forks sleep (echo is a builtin, so sleep is not exec'd in sh's place)
        Process sh = run("sh", "-c", "/bin/sleep 0.4; echo");
        Thread.sleep(150);
        String fromProc = EntityIds.ofTicks(bootId, (int) sh.pid(), TestProcesses.startTicks(sh.pid()));
        long jvm = ProcessHandle.current().pid();
        String jvmId = EntityIds.ofTicks(bootId, (int) jvm, TestProcesses.startTicks(jvm));
        assertThat(sh.waitFor(10, TimeUnit.SECONDS)).isTrue();

        ProcessEvent parent = rowOf(sh.pid());
        assertThat(parent.entityId()).as("the kernel's id of sh, and the one /proc gives").hasValue(fromProc);
        assertThat(parent.entityId().get()).matches("[0-9a-f]{32}");
        // The JVM forked sh from a thread of its own, which started later than the JVM: the parent is the process.
        assertThat(parent.parentEntityId()).as("sh's parent, the JVM").hasValue(jvmId);
        ProcessEvent child = recorder.await(e -> e.ppid() == sh.pid() && e.command().equals("sleep"), 1, WAIT).get(0);
        assertThat(child.parentEntityId()).as("sleep's parent is sh").isEqualTo(parent.entityId());
        assertThat(child.entityId()).isNotEqualTo(parent.entityId());
        assertThat(child.taskStartNanos()).isGreaterThan(parent.taskStartNanos());
    }

    @Test
    void withoutTheWhoFieldsTheRecordsSayNothingOfThem() throws Exception {
        start(BpfOptions.defaults());
        Process p = run(loggedInAs(LOGIN, "/bin/true; echo"));
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        ProcessEvent e = rowOf(p.pid());
        assertThat(e.loginUid()).isEmpty();
        assertThat(e.sessionId()).isEmpty();
        assertThat(e.effectiveUid()).isEmpty();
        assertThat(e.entityId()).as("the entity ids are always there").isPresent();
    }

    @Test
    void aReusedPidIsAnotherEntity() throws Exception {
        start(BpfOptions.defaults());
        for (int attempt = 0; attempt < 20; attempt++) {
            Process first = run("/bin/true");
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long pid = first.pid();
            // Root sets the pid the next fork gets; waiting a tick first keeps the two starts in different ticks.
            String second = output("sh", "-c", "sleep 0.03; echo " + (pid - 1) + " > /proc/sys/kernel/ns_last_pid; "
                    + "/bin/true & echo $!; wait").strip();
            if (!second.equals(Long.toString(pid))) {
                continue; // another fork of the host took it
            }
            List<ProcessEvent> rows = recorder.await(e -> e.pid() == pid && e.command().equals("true"), 2, WAIT);
            assertThat(rows).as("two processes with pid %d", pid).hasSize(2);
            assertThat(rows.get(0).entityId()).isPresent();
            assertThat(rows.get(1).entityId()).isPresent().isNotEqualTo(rows.get(0).entityId());
            return;
        }
        throw new AssertionError("no pid was reused in 20 attempts");
    }

    /** As a login does: set the login uid, then become another user (setpriv, as su and sudo do). */
    private static String[] loggedInAs(int login, String thenAsNobody) {
        return new String[] {"sh", "-c", "echo " + login + " > /proc/self/loginuid && exec setpriv --reuid=" + NOBODY
            + " --regid=" + NOBODY + " --clear-groups sh -c '" + thenAsNobody + "'"};
    }

    /** Options that carry who each process is. */
    private static BpfOptions who() {
        return BpfOptions.defaults().toBuilder().who(true).build();
    }

    @Test
    void theLoginUidIsKeptThroughAChangeOfUser() throws Exception {
        start(who());
        Process p = run(loggedInAs(LOGIN, "/bin/sleep 0.1; echo"));
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        ProcessEvent shell = rowOf(p.pid());
        assertThat(shell.loginUid()).as("the login uid, set after the first exec, read at the last").hasValue(LOGIN);
        assertThat(shell.uid()).isEqualTo(NOBODY);
        assertThat(shell.effectiveUid()).hasValue(NOBODY);
        ProcessEvent sleep = recorder.await(e -> e.ppid() == p.pid() && e.command().equals("sleep"), 1, WAIT).get(0);
        assertThat(sleep.loginUid()).as("a child of the login, as another user").hasValue(LOGIN);
        assertThat(sleep.sessionId()).as("a new session with the new login uid").isPresent().isEqualTo(shell.sessionId());
        assertThat(sleep.uid()).isEqualTo(NOBODY);

        Process root = run("/bin/true");
        assertThat(root.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(rowOf(root.pid()).loginUid()).as("the test's own login uid, from /proc")
                .isEqualTo(loginUidOf("self"));
    }

    private static java.util.OptionalInt loginUidOf(String pid) throws IOException {
        long id = Long.parseLong(Files.readString(Path.of("/proc/" + pid + "/loginuid")).strip());
        return id == 0xffffffffL ? java.util.OptionalInt.empty() : java.util.OptionalInt.of((int) id);
    }

    @Test
    void theLoginUidFilterKeepsOnlyThatLoginsProcesses() throws Exception {
        start(BpfOptions.defaults().toBuilder().loginUid(LOGIN).args(256).build());
        Process other = run("/bin/true");
        Process mine = run(loggedInAs(LOGIN, "/bin/true x; echo"));
        assertThat(other.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(mine.waitFor(10, TimeUnit.SECONDS)).isTrue();
        ProcessEvent child = recorder.await(e -> e.ppid() == mine.pid() && e.command().equals("true"), 1, WAIT).get(0);
        assertThat(child.arguments()).as("its arguments were sent").isPresent();
        assertThat(child.arguments().get().values()).containsExactly("/bin/true", "x");
        rowOf(mine.pid());
        Thread.sleep(300);
        assertThat(recorder.matching(e -> e.pid() == other.pid())).as("a process of another login").isEmpty();
        assertThat(recorder.matching(e -> e.loginUid().orElse(-1) != LOGIN)).isEmpty();
    }

    @Test
    void theEffectiveUidIsTheOneTheProgramRanWith() throws Exception {
        start(who());
        Process p = run("setpriv", "--euid=" + NOBODY, "/bin/sleep", "0.05");
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        ProcessEvent e = rowOf(p.pid());
        assertThat(e.uid()).as("real").isZero();
        assertThat(e.effectiveUid()).hasValue(NOBODY);
    }

    @Test
    void theTerminalIsNamedAsDevNamesIt() throws Exception {
        start(who());
        // script(1) gives its command a pseudo-terminal; the child records which (tty(1) prints /dev/pts/N)
        String out = output("script", "-qec", "sh -c 'tty; /bin/sleep 0.05; echo'", "/dev/null");
        String device = out.lines().filter(l -> l.startsWith("/dev/")).findFirst().orElseThrow().strip();
        ProcessEvent sleep = recorder.await(e -> e.command().equals("sleep") && e.tty().isPresent(), 1, WAIT).get(0);
        assertThat("/dev/" + sleep.tty().get()).isEqualTo(device);
        assertThat(sleep.tty().get()).matches("pts/\\d+");

        Process detached = run("setsid", "/bin/sleep", "0.05");
        assertThat(detached.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(rowOf(detached.pid()).tty()).as("a new session has no terminal").isEmpty();
    }
}
