package io.procmon.bpf;

import io.procmon.bpf.btf.Btf;
import io.procmon.bpf.kernel.Libbcc;
import io.procmon.bpf.kernel.Privileges;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks, before anything is loaded, what procmon needs from the host, and fails with one message a
 * user can act on: privileges, libbcc, BTF, tracefs (mounted here when root).
 */
public final class Preflight {
    private static final List<Path> TRACEFS = List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));

    private Preflight() {
    }

    /**
     * Runs every check.
     *
     * @return the tracefs mount to read tracepoint formats from
     * @throws BpfException with the failing check's reason
     */
    public static Path check() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            throw new BpfException(BpfException.Reason.KERNEL, "cannot run here: procmon needs Linux; this is " + System.getProperty("os.name"));
        }
        long caps = Privileges.effectiveCapabilities();
        boolean admin = Privileges.has(caps, Privileges.CAP_SYS_ADMIN);
        if (!admin && !(Privileges.has(caps, Privileges.CAP_BPF) && Privileges.has(caps, Privileges.CAP_PERFMON))) {
            throw new BpfException(BpfException.Reason.NOT_PERMITTED,
                    "cannot load eBPF programs: permission denied; procmon must run as root (or with CAP_BPF and CAP_PERFMON)");
        }
        Libbcc.ensureLoaded();
        if (!Files.isReadable(Btf.KERNEL_BTF)) {
            throw new BpfException(BpfException.Reason.NO_BTF, "cannot read " + Btf.KERNEL_BTF
                    + ": not found; this kernel was built without BTF (CONFIG_DEBUG_INFO_BTF=y is needed)");
        }
        return tracefs(admin);
    }

    /** The mounted tracefs that has the sched tracepoints, mounting it at /sys/kernel/tracing if allowed. */
    static Path tracefs(boolean mayMount) {
        for (Path dir : TRACEFS) {
            if (hasSchedEvents(dir)) {
                return dir;
            }
        }
        Path target = TRACEFS.get(0);
        if (mayMount && Files.isDirectory(target)) {
            Libbcc.mountTracefs(target.toString());
            if (hasSchedEvents(target)) {
                return target;
            }
        }
        throw new BpfException(BpfException.Reason.NO_TRACEFS, "cannot find tracefs: not mounted; run: mount -t tracefs nodev " + target);
    }

    private static boolean hasSchedEvents(Path tracefs) {
        return Files.isReadable(tracefs.resolve("events/sched/sched_process_exec/format"));
    }
}
