package io.procmon.bpf.prog;

import static io.procmon.bpf.asm.Reg.FP;
import static io.procmon.bpf.asm.Reg.R0;
import static io.procmon.bpf.asm.Reg.R1;
import static io.procmon.bpf.asm.Reg.R2;
import static io.procmon.bpf.asm.Reg.R3;
import static io.procmon.bpf.asm.Reg.R4;
import static io.procmon.bpf.asm.Reg.R5;
import static io.procmon.bpf.asm.Reg.R6;
import static io.procmon.bpf.asm.Reg.R7;
import static io.procmon.bpf.asm.Reg.R8;

import io.procmon.bpf.asm.AluOp;
import io.procmon.bpf.asm.Assembler;
import io.procmon.bpf.asm.Helper;
import io.procmon.bpf.asm.JumpOp;
import io.procmon.bpf.asm.Reg;
import io.procmon.bpf.asm.Size;

/**
 * The two programs, written in {@link Assembler} form: a tiny kernel side that records raw facts
 * (times, ids, the raw exit code); all decoding and formatting happen in Java.
 */
public final class ProcessPrograms {
    /** Hash map tgid → start record ({@link EventLayout#START_SIZE} bytes). */
    public static final String START_MAP = "start";
    /** Perf event array, one ring per CPU. */
    public static final String EVENTS_MAP = "events";
    /** Per-CPU array of {@link Counter}s (u64 each). */
    public static final String COUNTERS_MAP = "counters";

    /** Programs call perf and probe_read_kernel helpers, which are GPL-only. */
    public static final String LICENSE = "GPL";

    private static final int BPF_NOEXIST = 1;
    private static final int EEXIST = 17;
    /** {@code BPF_F_CURRENT_CPU}: must be 0xffffffff, so it is loaded with a 32-bit move. */
    private static final int BPF_F_CURRENT_CPU = -1;

    // Stack slots (offsets from the frame pointer).
    private static final int KEY = -4;
    private static final int COUNTER_KEY = -8;
    private static final int SCRATCH_PTR = -16;
    private static final int START_VALUE = -16 - EventLayout.START_SIZE;
    private static final int EVENT = -16 - EventLayout.SIZE;

    private ProcessPrograms() {
    }

    /**
     * {@code sched:sched_process_exec}: store (exec time, parent's tgid) under the process's tgid,
     * unless the process already has a record (a second exec keeps the first, so the lifetime runs
     * from the first exec). A failed insert is counted.
     */
    public static Assembler exec(KernelOffsets k) {
        Assembler a = new Assembler();
        a.call(Helper.GET_CURRENT_PID_TGID)
                .alu64(AluOp.RSH, R0, 32)
                .store(Size.W, FP, KEY, R0);
        a.call(Helper.KTIME_GET_NS)
                .store(Size.DW, FP, START_VALUE + EventLayout.START_EXEC_NS, R0)
                .storeImm(Size.DW, FP, START_VALUE + EventLayout.START_PPID, 0);
        readParentTgid(a, k, START_VALUE + EventLayout.START_PPID);
        a.loadMap(R1, START_MAP)
                .mov64(R2, FP).alu64(AluOp.ADD, R2, KEY)
                .mov64(R3, FP).alu64(AluOp.ADD, R3, START_VALUE)
                .mov64(R4, BPF_NOEXIST)
                .call(Helper.MAP_UPDATE_ELEM)
                .jump(JumpOp.EQ, R0, 0, "out")
                .jump(JumpOp.EQ, R0, -EEXIST, "out");
        count(a, Counter.START_INSERT_FAILED);
        return a.label("out").mov64(R0, 0).exit();
    }

    /**
     * {@code sched:sched_process_exit}: when the last thread of a process exits, send one
     * {@link EventLayout} record and delete the start record. Exits of other threads send nothing.
     *
     * @param reportWithoutStart also send exits that have no start record, flagged
     *     {@link EventLayout#FLAG_NO_START_RECORD}, with the task's own start time
     */
    public static Assembler exit(KernelOffsets k, boolean reportWithoutStart) {
        Assembler a = new Assembler();
        a.mov64(R6, R1); // context, for perf_event_output
        skipUnlessGroupDead(a, k);

        a.call(Helper.GET_CURRENT_PID_TGID)
                .alu64(AluOp.RSH, R0, 32)
                .mov64(R7, R0)
                .store(Size.W, FP, KEY, R7);
        // Every byte of the event is written: zero it first.
        for (int off = 0; off < EventLayout.SIZE; off += 8) {
            a.storeImm(Size.DW, FP, EVENT + off, 0);
        }
        a.store(Size.W, FP, EVENT + EventLayout.PID, R7);
        a.call(Helper.GET_CURRENT_TASK).mov64(R8, R0);

        a.loadMap(R1, START_MAP)
                .mov64(R2, FP).alu64(AluOp.ADD, R2, KEY)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jump(JumpOp.EQ, R0, 0, "no_start")
                .load(Size.DW, R1, R0, EventLayout.START_EXEC_NS)
                .store(Size.DW, FP, EVENT + EventLayout.EXEC_NS, R1)
                .load(Size.W, R1, R0, EventLayout.START_PPID)
                .store(Size.W, FP, EVENT + EventLayout.PPID, R1)
                .loadMap(R1, START_MAP)
                .mov64(R2, FP).alu64(AluOp.ADD, R2, KEY)
                .call(Helper.MAP_DELETE_ELEM)
                .ja("fill");

        a.label("no_start");
        count(a, Counter.EXIT_WITHOUT_START);
        if (reportWithoutStart) {
            a.storeImm(Size.W, FP, EVENT + EventLayout.FLAGS, EventLayout.FLAG_NO_START_RECORD);
            probeRead(a, EVENT + EventLayout.EXEC_NS, 8, R8, k.taskStartTime());
        } else {
            a.ja("out"); // the verifier rejects unreachable code, so nothing else is emitted here
        }

        a.label("fill");
        a.call(Helper.KTIME_GET_NS).store(Size.DW, FP, EVENT + EventLayout.EXIT_NS, R0);
        a.call(Helper.GET_CURRENT_UID_GID).store(Size.W, FP, EVENT + EventLayout.UID, R0);
        a.mov64(R1, FP).alu64(AluOp.ADD, R1, EVENT + EventLayout.COMM)
                .mov64(R2, EventLayout.COMM_SIZE)
                .call(Helper.GET_CURRENT_COMM);
        probeRead(a, EVENT + EventLayout.EXIT_CODE, 4, R8, k.taskExitCode());
        readParentTgid(a, k, EVENT + EventLayout.PARENT_AT_EXIT);

        a.mov64(R1, R6)
                .loadMap(R2, EVENTS_MAP)
                .mov32(R3, BPF_F_CURRENT_CPU)
                .mov64(R4, FP).alu64(AluOp.ADD, R4, EVENT)
                .mov64(R5, EventLayout.SIZE)
                .call(Helper.PERF_EVENT_OUTPUT)
                .jump(JumpOp.EQ, R0, 0, "out");
        count(a, Counter.OUTPUT_FAILED);
        return a.label("out").mov64(R0, 0).exit();
    }

    /** Jumps to "out" unless this exit ends the whole thread group. */
    private static void skipUnlessGroupDead(Assembler a, KernelOffsets k) {
        if (k.exitGroupDead().isPresent()) {
            a.load(Size.B, R1, R6, k.exitGroupDead().getAsInt())
                    .jump32(JumpOp.EQ, R1, 0, "out");
            return;
        }
        // Older kernels: the group is dead once signal->live has dropped to zero.
        a.call(Helper.GET_CURRENT_TASK);
        probeRead(a, SCRATCH_PTR, 8, R0, k.taskSignal());
        a.load(Size.DW, R3, FP, SCRATCH_PTR);
        a.alu64(AluOp.ADD, R3, k.signalLive());
        a.mov64(R1, FP).alu64(AluOp.ADD, R1, SCRATCH_PTR).mov64(R2, 4).call(Helper.PROBE_READ_KERNEL);
        a.load(Size.W, R1, FP, SCRATCH_PTR).jump32(JumpOp.NE, R1, 0, "out");
    }

    /** {@code *(fp + dst) = current->real_parent->tgid}, zero when unreadable. */
    private static void readParentTgid(Assembler a, KernelOffsets k, int dst) {
        a.call(Helper.GET_CURRENT_TASK);
        probeRead(a, SCRATCH_PTR, 8, R0, k.taskRealParent());
        a.load(Size.DW, R3, FP, SCRATCH_PTR)
                .alu64(AluOp.ADD, R3, k.taskTgid())
                .mov64(R1, FP).alu64(AluOp.ADD, R1, dst)
                .mov64(R2, 4)
                .call(Helper.PROBE_READ_KERNEL);
    }

    /** {@code bpf_probe_read_kernel(fp + dst, size, base + offset)}; base may be R0 or a callee-saved register. */
    private static void probeRead(Assembler a, int dst, int size, Reg base, int offset) {
        a.mov64(R3, base).alu64(AluOp.ADD, R3, offset)
                .mov64(R1, FP).alu64(AluOp.ADD, R1, dst)
                .mov64(R2, size)
                .call(Helper.PROBE_READ_KERNEL);
    }

    /** Adds one to this CPU's slot of {@code counter}. */
    private static void count(Assembler a, Counter counter) {
        String skip = "counted_" + counter.name() + "_" + a.slots();
        a.storeImm(Size.W, FP, COUNTER_KEY, counter.ordinal())
                .loadMap(R1, COUNTERS_MAP)
                .mov64(R2, FP).alu64(AluOp.ADD, R2, COUNTER_KEY)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jump(JumpOp.EQ, R0, 0, skip)
                .load(Size.DW, R1, R0, 0)
                .alu64(AluOp.ADD, R1, 1)
                .store(Size.DW, R0, 0, R1)
                .label(skip);
    }
}
