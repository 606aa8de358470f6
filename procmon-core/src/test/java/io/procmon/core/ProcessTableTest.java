package io.procmon.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessTableTest {
    private static final String BOOT = "6c3f8d0e-1b1a-4a4e-9d7e-0e9a3c0b2f11";
    private static final long TICK = EntityIds.NANOS_PER_TICK;

    /** A record of pid started at tick {@code start}, whose parent ppid started at tick {@code parentStart} (0: unknown). */
    private static ProcessEvent record(ProcessEvent.Kind kind, int pid, long start, String command, int ppid, long parentStart) {
        return ProcessEvent.builder().kind(kind).pid(pid).ppid(ppid).command(command).executable("/usr/bin/" + command)
                .bootId(BOOT).starts(start * TICK, parentStart * TICK).execTimeNanos(start * TICK).exitTimeNanos(start * TICK + 5)
                .build();
    }

    @Test
    void aParentIsJoinedByItsEntityNotItsPid() {
        ProcessTable table = new ProcessTable();
        table.join(record(ProcessEvent.Kind.EXEC, 100, 10, "bash", 1, 1));
        table.join(record(ProcessEvent.Kind.EXIT, 100, 10, "bash", 1, 1));
        table.join(record(ProcessEvent.Kind.EXEC, 100, 20, "sshd", 1, 1)); // pid 100 again: another process
        ProcessEvent childOfFirst = table.join(record(ProcessEvent.Kind.EXIT, 200, 15, "make", 100, 10));
        ProcessEvent childOfSecond = table.join(record(ProcessEvent.Kind.EXEC, 201, 25, "scp", 100, 20));
        assertThat(childOfFirst.parent()).contains(new ParentProcess("bash", "/usr/bin/bash"));
        assertThat(childOfSecond.parent()).contains(new ParentProcess("sshd", "/usr/bin/sshd"));
        assertThat(table.joined()).isEqualTo(2);
    }

    @Test
    void anExitKeepsTheParentItsExecWasJoinedWith() {
        ProcessTable table = new ProcessTable(ProcessTable.ENTRY_BYTES * 40L); // the ended share holds about 5
        table.join(record(ProcessEvent.Kind.EXEC, 100, 10, "bash", 1, 1));
        table.join(record(ProcessEvent.Kind.EXEC, 200, 11, "sleep", 100, 10));
        table.join(record(ProcessEvent.Kind.EXIT, 100, 10, "bash", 1, 1));
        for (int pid = 300; pid < 340; pid++) { // enough ended processes to push bash out of the recently ended
            table.join(record(ProcessEvent.Kind.EXIT, pid, 12, "true", 1, 1));
        }
        ProcessEvent orphanExit = table.join(record(ProcessEvent.Kind.EXIT, 200, 11, "sleep", 1, 0));
        assertThat(orphanExit.parent()).as("resolved at its exec, kept with it").contains(new ParentProcess("bash", "/usr/bin/bash"));
        assertThat(orphanExit.parentEntityId()).contains(EntityIds.ofTicks(BOOT, 100, 10));
    }

    @Test
    void aChildReadAfterItsParentsExitStillFindsIt() {
        ProcessTable table = new ProcessTable();
        table.join(record(ProcessEvent.Kind.EXEC, 100, 10, "sh", 1, 1));
        table.join(record(ProcessEvent.Kind.EXIT, 100, 10, "sh", 1, 1)); // another CPU's ring was read first
        assertThat(table.join(record(ProcessEvent.Kind.EXEC, 101, 11, "ls", 100, 10)).parent())
                .contains(new ParentProcess("sh", "/usr/bin/sh"));
    }

    @Test
    void anExitThatNamesNoParentGetsTheOneItsRunningRecordNamed() {
        ProcessTable table = new ProcessTable();
        table.join(record(ProcessEvent.Kind.RUNNING, 50, 2, "systemd", 0, 0));
        table.join(record(ProcessEvent.Kind.RUNNING, 100, 10, "cron", 50, 2));
        ProcessEvent exit = table.join(record(ProcessEvent.Kind.EXIT, 100, 10, "cron", 50, 0)); // older than the monitor: no parent start
        assertThat(exit.parentEntityId()).contains(EntityIds.ofTicks(BOOT, 50, 2));
        assertThat(exit.parent()).contains(new ParentProcess("systemd", "/usr/bin/systemd"));
    }

    @Test
    void aReExecRenamesTheParentOfLaterChildren() {
        ProcessTable table = new ProcessTable();
        table.join(record(ProcessEvent.Kind.EXEC, 100, 10, "sh", 1, 1));
        table.join(record(ProcessEvent.Kind.EXEC, 100, 10, "python3", 1, 1));
        assertThat(table.join(record(ProcessEvent.Kind.EXEC, 101, 11, "ls", 100, 10)).parent())
                .contains(new ParentProcess("python3", "/usr/bin/python3"));
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void whatCannotBeJoinedIsLeftAsItIs() {
        ProcessTable table = new ProcessTable();
        ProcessEvent noIds = ProcessEvent.builder().pid(5).ppid(4).command("x").build();
        assertThat(table.join(noIds)).isSameAs(noIds);
        ProcessEvent orphan = record(ProcessEvent.Kind.EXEC, 101, 11, "ls", 100, 10);
        assertThat(table.join(orphan).parent()).isEmpty();
        assertThat(table.parentUnseen()).isEqualTo(1);
        ProcessEvent selfParent = ProcessEvent.builder().kind(ProcessEvent.Kind.EXEC).pid(7).command("liar").bootId(BOOT).starts(3 * TICK, 0)
                .entityIds(EntityIds.ofTicks(BOOT, 7, 3), EntityIds.ofTicks(BOOT, 7, 3)).build();
        table.join(selfParent);
        assertThat(table.join(selfParent).parent()).as("a record naming itself its parent").isEmpty();
    }

    @Test
    void aRecordReadAfterItsOwnExitDoesNotBringItBack() {
        ProcessTable table = new ProcessTable();
        table.join(record(ProcessEvent.Kind.EXIT, 100, 10, "sh", 1, 1));
        table.join(record(ProcessEvent.Kind.EXEC, 100, 10, "sh", 1, 1));
        table.join(record(ProcessEvent.Kind.EXIT, 100, 10, "sh", 1, 1));
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void hostileRecordsStayWithinTheBoundInBytes() {
        long bound = 1L << 20;
        ProcessTable table = new ProcessTable(bound);
        String longPath = "/" + "x".repeat(4000);
        table.join(record(ProcessEvent.Kind.EXEC, 1, 1, "init", 0, 0)); // refreshed by every child below: never forgotten
        for (int pid = 2; pid < 20_000; pid++) {
            ProcessEvent e = ProcessEvent.builder().kind(ProcessEvent.Kind.EXEC).pid(pid).ppid(1).command("c").executable(longPath)
                    .bootId(BOOT).starts(pid * TICK, TICK).build();
            assertThat(table.join(e).parent()).as("pid %d", pid).map(ParentProcess::command).contains("init");
            assertThat(table.bytes()).isLessThanOrEqualTo(bound);
        }
        assertThat(table.forgotten()).isGreaterThan(19_000);
        assertThat(table.size()).isBetween(2, (int) (bound / 8000));
    }
}
