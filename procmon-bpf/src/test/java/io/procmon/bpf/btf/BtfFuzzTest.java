package io.procmon.bpf.btf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.procmon.bpf.prog.CgroupOffsets;
import io.procmon.bpf.prog.KernelOffsets;
import io.procmon.bpf.prog.TracepointFormat;

/**
 * Fuzz target for the BTF parser and the offsets procmon reads through it: any blob parses or is
 * refused with a {@link BtfException}, and every offset it yields lies inside its struct as a
 * program can address it. The regression corpus ({@code BtfFuzzTestInputs}, seeded with a
 * kernel-like blob) runs with the unit tests; {@code bench/fuzz.sh} fuzzes.
 */
class BtfFuzzTest {
    private static final TracepointFormat EXIT = TracepointFormat.parse("sched/sched_process_exit",
            "\tfield:bool group_dead;\toffset:32;\tsize:1;\tsigned:0;\n");
    private static final TracepointFormat EXEC = TracepointFormat.parse("sched/sched_process_exec",
            "\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n");
    private static final TracepointFormat MKDIR = TracepointFormat.parse("cgroup/cgroup_mkdir",
            "\tfield:int root;\toffset:8;\tsize:4;\tsigned:1;\n\tfield:u64 id;\toffset:16;\tsize:8;\tsigned:0;\n"
                    + "\tfield:__data_loc char[] path;\toffset:24;\tsize:4;\tsigned:0;\n");

    @FuzzTest
    void anyBlobParsesOrIsRefused(byte[] blob) {
        Btf btf;
        try {
            btf = Btf.parse(blob);
        } catch (BtfException e) {
            return;
        }
        assertThat(btf.typeCount()).isNotNegative();
        try {
            KernelOffsets k = KernelOffsets.from(btf, EXIT, EXEC);
            for (int offset : new int[] {k.taskRealParent(), k.taskTgid(), k.taskExitCode(), k.taskStartTime(), k.taskSignal(),
                    k.signalLive(), k.taskGroupLeader(), k.taskComm(), k.taskMm(), k.mmArgStart()}) {
                assertThat(offset).isBetween(0, (int) Short.MAX_VALUE);
            }
        } catch (BtfException e) {
            // named what is missing or unusable: the CLI reports it as a kernel it cannot read
        }
        try {
            CgroupOffsets c = CgroupOffsets.from(btf, MKDIR, "memory");
            int v1Slot = c.cssSetSubsys() + 8 * Math.max(c.v1CgrpId(), 0); // -1: no v1 controller named
            for (int offset : new int[] {c.taskCgroups(), c.cssSetSubsys(), c.cssCgroup(), c.cgroupKn(), c.kernfsNodeId(), v1Slot}) {
                assertThat(offset).isBetween(0, (int) Short.MAX_VALUE);
            }
        } catch (BtfException e) {
            // likewise
        }
    }
}
