package io.procmon.bpf.prog;

import java.util.OptionalInt;

/**
 * What the programs are built to do, fixed at load time; made from a {@link io.procmon.bpf.BpfOptions},
 * which validates every value.
 *
 * @param reportWithoutStart send exits that have no start record (processes older than the
 *     monitor), flagged, with the task's own start time
 * @param executablePaths carry the exec'd path (bounded at 255 bytes) from exec to the exit record
 * @param uid send only processes of this real uid
 * @param minDurationNanos send only processes that lived at least this long
 * @param failedOnly send only processes with a non-zero exit status or killed by a signal
 * @param cgroups take the process's v2 cgroup id and a v1 controller's cgroup id at exit
 * @param argsMax send each exec's arguments, up to this many bytes, as a record of their own; 0 = off
 * @param loginUid send only processes of this audit login uid
 * @param execRecords send an exec record at each exec, besides the exit record
 * @param who carry the login uid and session, the effective uid and the terminal (read at exec)
 *     to each record; true whenever {@code loginUid} is given
 */
public record ProgramOptions(boolean reportWithoutStart, boolean executablePaths, OptionalInt uid, long minDurationNanos,
        boolean failedOnly, boolean cgroups, int argsMax, OptionalInt loginUid, boolean execRecords, boolean who) {
    public ProgramOptions {
        if (loginUid.isPresent() && !who) {
            throw new IllegalArgumentException("a login uid filter needs the who fields");
        }
    }


    /** The original behaviour: processes that exec'd while monitored, no path, no filter. */
    public static ProgramOptions original() {
        return new ProgramOptions(false, false, OptionalInt.empty(), 0, false, false, 0, OptionalInt.empty(), false, false);
    }
}
