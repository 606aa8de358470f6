package io.procmon.bpf.prog;

import io.procmon.bpf.btf.Btf;
import io.procmon.bpf.btf.BtfException;
import io.procmon.bpf.btf.Member;
import java.util.OptionalInt;

/**
 * What the programs need to know about the running kernel: {@code task_struct} member offsets
 * from BTF, and where the exit tracepoint says whether the whole thread group is gone.
 *
 * @param taskRealParent offset of {@code task_struct.real_parent} (a pointer)
 * @param taskTgid offset of {@code task_struct.tgid} (4 bytes)
 * @param taskExitCode offset of {@code task_struct.exit_code} (4 bytes)
 * @param taskStartTime offset of {@code task_struct.start_boottime} (8 bytes, boot-time ns: the
 *     clock of {@code bpf_ktime_get_boot_ns}, which counts suspended time)
 * @param exitGroupDead offset of {@code group_dead} in the exit tracepoint's context, when the
 *     kernel has it (6.x); otherwise the programs read {@code task->signal->live}
 * @param taskSignal offset of {@code task_struct.signal}
 * @param signalLive offset of {@code signal_struct.live} (an atomic_t)
 * @param execFilename offset of the exec tracepoint's {@code __data_loc} filename field, if any
 * @param taskGroupLeader offset of {@code task_struct.group_leader} (a pointer): a process's
 *     identity (name, start) is its leader's, whichever thread exits last
 * @param taskComm offset of {@code task_struct.comm} (16 bytes)
 * @param taskMm offset of {@code task_struct.mm} (a pointer)
 * @param mmArgStart offset of {@code mm_struct.arg_start}; {@code arg_end} follows it
 * @param identity what says who the process is (credentials, login, terminal)
 */
public record KernelOffsets(int taskRealParent, int taskTgid, int taskExitCode, int taskStartTime,
        OptionalInt exitGroupDead, int taskSignal, int signalLive, OptionalInt execFilename,
        int taskGroupLeader, int taskComm, int taskMm, int mmArgStart, IdentityOffsets identity) {

    /**
     * Reads the offsets from BTF and the exit tracepoint's format.
     *
     * @throws BtfException naming the missing member or a member of unexpected size
     */
    public static KernelOffsets from(Btf btf, TracepointFormat exitFormat, TracepointFormat execFormat) {
        OptionalInt groupDead = exitFormat.offset("group_dead").filter(o -> exitFormat.size("group_dead").orElse(0) == 1)
                .map(OptionalInt::of).orElse(OptionalInt.empty());
        return new KernelOffsets(
                sized(btf, "task_struct", "real_parent", 8),
                sized(btf, "task_struct", "tgid", 4),
                sized(btf, "task_struct", "exit_code", 4),
                sized(btf, "task_struct", "start_boottime", 8),
                groupDead,
                sized(btf, "task_struct", "signal", 8),
                sized(btf, "signal_struct", "live", 4),
                execFormat.offset("filename").map(OptionalInt::of).orElse(OptionalInt.empty()),
                sized(btf, "task_struct", "group_leader", 8),
                sized(btf, "task_struct", "comm", 16),
                sized(btf, "task_struct", "mm", 8),
                argStart(btf),
                IdentityOffsets.from(btf));
    }

    private static int argStart(Btf btf) {
        int start = sized(btf, "mm_struct", "arg_start", 8);
        if (sized(btf, "mm_struct", "arg_end", 8) != start + 8) {
            throw new BtfException("mm_struct.arg_end does not follow arg_start; procmon reads them together");
        }
        return start;
    }

    /**
     * These offsets as on a kernel whose exit tracepoint has no {@code group_dead} (Debian 12's
     * 6.1), so that the {@code signal->live} path can be tested on any kernel.
     */
    public KernelOffsets withoutGroupDead() {
        return new KernelOffsets(taskRealParent, taskTgid, taskExitCode, taskStartTime, OptionalInt.empty(), taskSignal,
                signalLive, execFilename, taskGroupLeader, taskComm, taskMm, mmArgStart, identity);
    }

    /** The offset of a member of the given size, one a program's load can name. */
    static int sized(Btf btf, String struct, String member, int size) {
        Member m = btf.member(struct, member);
        if (m.size() != size) {
            throw new BtfException(struct + "." + member + " is " + m.size() + " bytes; procmon expects " + size);
        }
        return addressable(struct, member, m);
    }

    /** The offset of a member of any size (an array), one a program's load can name. */
    static int addressable(Btf btf, String struct, String member) {
        return addressable(struct, member, btf.member(struct, member));
    }

    /** A load's offset is a signed 16-bit number: a member further into its struct cannot be read in one. */
    private static int addressable(String struct, String member, Member m) {
        if (m.offset() > Short.MAX_VALUE) {
            throw new BtfException(struct + "." + member + " is at byte " + m.offset() + "; procmon reads members within the first "
                    + Short.MAX_VALUE + " bytes of a struct");
        }
        return m.offset();
    }
}
