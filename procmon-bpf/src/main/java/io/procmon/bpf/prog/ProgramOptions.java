package io.procmon.bpf.prog;

import java.util.OptionalInt;

/**
 * What the programs are built to do, fixed at load time.
 *
 * @param reportWithoutStart send exits that have no start record (processes older than the
 *     monitor), flagged, with the task's own start time
 * @param executablePaths carry the exec'd path (bounded at 255 bytes) from exec to the exit record
 * @param uid send only processes of this real uid
 * @param minDurationNanos send only processes that lived at least this long
 * @param failedOnly send only processes with a non-zero exit status or killed by a signal
 * @param cgroups take the process's v2 cgroup id and a v1 controller's cgroup id at exit
 * @param argsMax send each exec's arguments, up to this many bytes, as a record of their own; 0 = off
 */
public record ProgramOptions(boolean reportWithoutStart, boolean executablePaths, OptionalInt uid, long minDurationNanos,
        boolean failedOnly, boolean cgroups, int argsMax) {

    public ProgramOptions {
        if (minDurationNanos < 0) {
            throw new IllegalArgumentException("minimum duration must not be negative: " + minDurationNanos);
        }
        if (argsMax < 0 || argsMax > EventLayout.ARGS_MAX_LIMIT) {
            throw new IllegalArgumentException("argument bytes must be between 0 and " + EventLayout.ARGS_MAX_LIMIT + ": " + argsMax);
        }
    }

    /** The original behaviour: processes that exec'd while monitored, no path, no filter. */
    public static ProgramOptions original() {
        return new ProgramOptions(false, false, OptionalInt.empty(), 0, false, false, 0);
    }
}
