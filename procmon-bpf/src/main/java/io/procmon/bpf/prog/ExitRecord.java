package io.procmon.bpf.prog;

import io.procmon.core.CommandNames;
import io.procmon.core.ProcessEvent;

/**
 * One exit record as the kernel sent it ({@link EventLayout}), decoded once by
 * {@link EventLayout#decodeExit}: what the reader needs before it builds the event (the claim to
 * release, the cgroup ids to resolve, the arguments to join) and the event's own fields.
 *
 * @param execNanos boot-time clock at exec, or the task's start time without a start record
 * @param ppid the parent at exec (zero without a start record)
 * @param exitCode {@code task->exit_code}, raw
 * @param comm the command's bytes, up to its NUL
 * @param exe the executable path's bytes, or null when not recorded or unreadable
 * @param taskStartNanos the process's own start (its leader's {@code start_boottime})
 * @param parentStartNanos the start of the parent at exec; 0 when unknown (no start record)
 * @param loginUid the audit login uid, -1 when unset or unknown; likewise {@code sessionId} and {@code euid}
 * @param tty the controlling terminal ({@code pts/3}), null for none
 */
public record ExitRecord(long execNanos, long exitNanos, int pid, int ppid, int parentAtExit, int uid, int exitCode, int flags,
        byte[] comm, long cgroupV2Id, long cgroupV1Id, byte[] exe, boolean exeTruncated, long taskStartNanos,
        long parentStartNanos, int loginUid, int sessionId, int euid, String tty) {

    /** An exec record ({@link EventLayout#decodeExec}), not an exit. */
    public boolean isExec() {
        return (flags & EventLayout.FLAG_EXEC_RECORD) != 0;
    }

    /** No start record: the kernel saw no exec of this process while monitoring. */
    public boolean noStartRecord() {
        return (flags & EventLayout.FLAG_NO_START_RECORD) != 0;
    }

    /**
     * The event, open for enrichment (cgroup, arguments); without a start record the parent is the
     * one at exit, the only one known.
     *
     * @param clockOffsetNanos wall clock minus the kernel's boot-time clock, or
     *     {@link ProcessEvent#CLOCK_OFFSET_UNKNOWN}
     */
    public ProcessEvent.Builder toEvent(long clockOffsetNanos) {
        boolean noStart = noStartRecord();
        ProcessEvent.Builder event = ProcessEvent.builder().kind(isExec() ? ProcessEvent.Kind.EXEC : ProcessEvent.Kind.EXIT);
        if (exe != null) {
            event.executable(CommandNames.decode(exe)).executableTruncated(exeTruncated);
        }
        return event
                .execTimeNanos(execNanos)
                .exitTimeNanos(exitNanos)
                .pid(pid)
                .ppid(noStart ? parentAtExit : ppid)
                .parentAtExit(parentAtExit)
                .uid(uid)
                .exitCode(isExec() ? ProcessEvent.EXIT_CODE_UNKNOWN : exitCode)
                .startedBeforeMonitoring(noStart)
                .commandBytes(comm)
                .clockOffsetNanos(clockOffsetNanos)
                .starts(taskStartNanos, noStart ? 0 : parentStartNanos)
                .login(loginUid, sessionId)
                .effectiveUid(euid)
                .tty(tty);
    }
}
