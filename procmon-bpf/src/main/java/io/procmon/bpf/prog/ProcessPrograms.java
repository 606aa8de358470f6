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
import static io.procmon.bpf.asm.Reg.R9;

import io.procmon.bpf.asm.AluOp;
import io.procmon.bpf.asm.Assembler;
import io.procmon.bpf.asm.Helper;
import io.procmon.bpf.asm.JumpOp;
import io.procmon.bpf.asm.Reg;
import io.procmon.bpf.asm.Size;

/**
 * The three programs (exec, exit, cgroup_mkdir), written in {@link Assembler} form: a tiny kernel
 * side that records raw facts (times, ids, the raw exit code); all decoding and formatting happen
 * in Java. The maps they use are {@link KernelMap}'s.
 */
public final class ProcessPrograms {
    /** Programs call perf and probe_read_kernel helpers, which are GPL-only. */
    public static final String LICENSE = "GPL";

    private static final int BPF_NOEXIST = 1;
    private static final int EEXIST = 17;
    /** {@code BPF_F_CURRENT_CPU}: must be 0xffffffff, so it is loaded with a 32-bit move. */
    private static final int BPF_F_CURRENT_CPU = -1;

    // Stack slots (offsets from the frame pointer); records sized for the largest layout.
    private static final int KEY = -4;
    private static final int COUNTER_KEY = -8;
    private static final int SCRATCH_PTR = -16;
    /** The exec program: the time of this exec (the first exec's for a new process), for its records. */
    private static final int THIS_EXEC = -24;
    private static final int START_VALUE = THIS_EXEC - EventLayout.START_SIZE_WITH_EXE;
    /** The exec record's header, right before the start value: the two are sent as one sample. */
    private static final int EXEC_HEADER = START_VALUE - EventLayout.EXEC_HEADER_SIZE;
    private static final int EVENT = -16 - EventLayout.SIZE_WITH_EXE;

    private ProcessPrograms() {
    }

    /**
     * {@code sched:sched_process_exec}: store (exec time, parent's tgid and start, who it is[, path])
     * under the process's tgid. A process that execs again keeps its first exec time and parent
     * (its life started there) but takes the new path, which matches the name it will exit with,
     * and who it is now (login, effective uid, terminal). A failed insert is counted.
     */
    public static Assembler exec(KernelOffsets k, ProgramOptions options) {
        return exec(k, options, null, false);
    }

    /**
     * The exec program; with {@link ProgramOptions#execRecords()}, each exec also sends an exec
     * record ({@link EventLayout#FLAG_EXEC_RECORD}), with the cgroups when {@code cgroups} is
     * given, ringing the bell (see {@link #exit(KernelOffsets, ProgramOptions, CgroupOffsets, boolean)}).
     */
    public static Assembler exec(KernelOffsets k, ProgramOptions options, CgroupOffsets cgroups, boolean bell) {
        requireOffsets(k, options, options.execRecords(), cgroups);
        boolean exe = options.executablePaths();
        if (exe && k.execFilename().isEmpty()) {
            throw new IllegalArgumentException("this kernel's exec tracepoint has no filename field");
        }
        boolean whoToo = options.who();
        int startSize = EventLayout.startSize(exe, whoToo);
        Assembler a = new Assembler();
        a.mov64(R6, R1); // context, for the filename
        a.call(Helper.GET_CURRENT_PID_TGID)
                .alu64(AluOp.RSH, R0, 32)
                .store(Size.W, FP, KEY, R0);
        a.loadMap(R1, KernelMap.START.symbol())
                .mov64(R2, FP).alu64(AluOp.ADD, R2, KEY)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jump(JumpOp.EQ, R0, 0, "new_process");
        a.mov64(R7, R0);
        if (exe) {
            readExecFilename(a, k, R7, EventLayout.START_EXE, EventLayout.START_EXE_LEN);
        }
        // Who it is now (a set-user-ID program, a login that set its uid), read on the stack and
        // copied in: the parent's start stays the first exec's, as the process's identity does.
        if (whoToo) {
            int who = START_VALUE + EventLayout.START_IDENTITY;
            for (int off = 0; off < EventLayout.Identity.SIZE; off += 8) {
                a.storeImm(Size.DW, FP, who + off, 0);
            }
            readWho(a, k, who);
            for (int off = EventLayout.Identity.LOGIN_UID; off < EventLayout.Identity.SIZE; off += 8) {
                a.load(Size.DW, R1, FP, who + off).store(Size.DW, R7, EventLayout.START_IDENTITY + off, R1);
            }
        }
        if (options.execRecords()) { // the record sends the start value from the stack
            probeRead(a, START_VALUE, startSize, R7, 0);
        }
        a.call(Helper.KTIME_GET_BOOT_NS).store(Size.DW, FP, THIS_EXEC, R0);
        a.ja("stored");

        a.label("new_process");
        for (int off = 0; off < startSize; off += 8) {
            a.storeImm(Size.DW, FP, START_VALUE + off, 0); // every byte written: no stack garbage in the map
        }
        a.call(Helper.KTIME_GET_BOOT_NS)
                .store(Size.DW, FP, START_VALUE + EventLayout.START_EXEC_NS, R0)
                .store(Size.DW, FP, THIS_EXEC, R0);
        readParent(a, k, START_VALUE + EventLayout.START_PPID,
                START_VALUE + EventLayout.START_IDENTITY + EventLayout.Identity.PARENT_START_NS);
        if (whoToo) {
            readWho(a, k, START_VALUE + EventLayout.START_IDENTITY);
        }
        if (exe) {
            a.mov64(R7, FP);
            readExecFilename(a, k, R7, START_VALUE + EventLayout.START_EXE, START_VALUE + EventLayout.START_EXE_LEN);
        }
        a.loadMap(R1, KernelMap.START.symbol())
                .mov64(R2, FP).alu64(AluOp.ADD, R2, KEY)
                .mov64(R3, FP).alu64(AluOp.ADD, R3, START_VALUE)
                .mov64(R4, BPF_NOEXIST)
                .call(Helper.MAP_UPDATE_ELEM)
                .jump(JumpOp.EQ, R0, 0, "stored")
                .jump(JumpOp.EQ, R0, -EEXIST, "stored");
        count(a, Counter.START_INSERT_FAILED);
        a.label("stored");
        if (options.argsMax() > 0) {
            sendArgs(a, k, options); // before the exec record, in the same ring: read before it
        }
        if (options.execRecords()) {
            sendExecRecord(a, k, options, cgroups, bell);
        }
        return a.label("out").mov64(R0, 0).exit();
    }

    /**
     * The exec record: a header laid out as an exit record's first {@link EventLayout#EXEC_HEADER_SIZE}
     * bytes (exit time, parent at exit and exit code zero), then the start value as the map holds it.
     * The filters that are known at exec apply; the context is in R6.
     */
    private static void sendExecRecord(Assembler a, KernelOffsets k, ProgramOptions options, CgroupOffsets cgroups, boolean bell) {
        boolean exe = options.executablePaths();
        for (int off = 0; off < EventLayout.EXEC_HEADER_SIZE; off += 8) {
            a.storeImm(Size.DW, FP, EXEC_HEADER + off, 0);
        }
        a.call(Helper.GET_CURRENT_UID_GID).store(Size.W, FP, EXEC_HEADER + EventLayout.UID, R0);
        if (options.uid().isPresent()) {
            a.jump32(JumpOp.NE, R0, options.uid().getAsInt(), "out");
        }
        if (options.loginUid().isPresent()) {
            a.load(Size.W, R1, FP, START_VALUE + EventLayout.START_IDENTITY + EventLayout.Identity.LOGIN_UID)
                    .jump32(JumpOp.NE, R1, options.loginUid().getAsInt(), "out");
        }
        a.load(Size.DW, R1, FP, THIS_EXEC).store(Size.DW, FP, EXEC_HEADER + EventLayout.EXEC_NS, R1)
                .load(Size.W, R1, FP, KEY).store(Size.W, FP, EXEC_HEADER + EventLayout.PID, R1)
                .load(Size.W, R1, FP, START_VALUE + EventLayout.START_PPID).store(Size.W, FP, EXEC_HEADER + EventLayout.PPID, R1)
                .storeImm(Size.W, FP, EXEC_HEADER + EventLayout.FLAGS,
                        EventLayout.FLAG_EXEC_RECORD | (exe ? EventLayout.FLAG_HAS_EXE : 0) | (options.who() ? EventLayout.FLAG_HAS_WHO : 0))
                .mov64(R1, FP).alu64(AluOp.ADD, R1, EXEC_HEADER + EventLayout.COMM)
                .mov64(R2, EventLayout.COMM_SIZE)
                .call(Helper.GET_CURRENT_COMM); // the new program's name: exec has set it
        a.call(Helper.GET_CURRENT_TASK); // the leader now: exec made the thread that called it the leader
        probeRead(a, EXEC_HEADER + EventLayout.TASK_START_NS, 8, R0, k.taskStartTime());
        if (options.cgroups()) {
            a.call(Helper.GET_CURRENT_TASK).mov64(R8, R0);
            readCgroups(a, cgroups, EXEC_HEADER);
        }
        output(a, EXEC_HEADER, EventLayout.EXEC_HEADER_SIZE + EventLayout.startSize(exe, options.who()));
        a.jump(JumpOp.NE, R0, 0, "exec_send_failed");
        if (bell) {
            ringIfAsleep(a);
        }
        a.ja("out");
        a.label("exec_send_failed");
        count(a, Counter.OUTPUT_FAILED); // an event lost, as an exit record's would be
    }

    /**
     * Sends this exec's arguments ({@code mm->arg_start..arg_end}, read with probe_read_user, at
     * most {@code argsMax} bytes) as a record of its own, built in this CPU's buffer: the start
     * map stays small, and user space joins the record with the exit. The context is in R6.
     */
    private static void sendArgs(Assembler a, KernelOffsets k, ProgramOptions options) {
        int max = options.argsMax();
        if (options.uid().isPresent()) { // the exit would be dropped anyway
            a.call(Helper.GET_CURRENT_UID_GID).jump32(JumpOp.NE, R0, options.uid().getAsInt(), "out");
        }
        if (options.loginUid().isPresent()) { // likewise
            a.call(Helper.GET_CURRENT_TASK);
            probeRead(a, SCRATCH_PTR, 4, R0, k.identity().taskLoginUid().getAsInt());
            a.load(Size.W, R1, FP, SCRATCH_PTR).jump32(JumpOp.NE, R1, options.loginUid().getAsInt(), "out");
        }
        a.call(Helper.GET_SMP_PROCESSOR_ID).store(Size.W, FP, COUNTER_KEY, R0);
        a.loadMap(R1, KernelMap.ARGS_BUFFER.symbol())
                .mov64(R2, FP).alu64(AluOp.ADD, R2, COUNTER_KEY)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jump(JumpOp.EQ, R0, 0, "args_done")
                .mov64(R7, R0);
        for (int off = 0; off < EventLayout.ARGS_HEADER; off += 8) {
            a.storeImm(Size.DW, R7, off, 0);
        }
        a.load(Size.DW, R1, FP, THIS_EXEC).store(Size.DW, R7, EventLayout.ARGS_EXEC_NS, R1);
        a.call(Helper.GET_CURRENT_PID_TGID).alu64(AluOp.RSH, R0, 32).store(Size.W, R7, EventLayout.ARGS_PID, R0);
        // arg_start and arg_end, through current->mm, land in the scratch slots of the header.
        a.call(Helper.GET_CURRENT_TASK);
        probeRead(a, SCRATCH_PTR, 8, R0, k.taskMm());
        a.load(Size.DW, R3, FP, SCRATCH_PTR).alu64(AluOp.ADD, R3, k.mmArgStart())
                .mov64(R1, R7).alu64(AluOp.ADD, R1, EventLayout.ARGS_SCRATCH)
                .mov64(R2, 16)
                .call(Helper.PROBE_READ_KERNEL);
        a.load(Size.DW, R8, R7, EventLayout.ARGS_SCRATCH)        // arg_start
                .load(Size.DW, R9, R7, EventLayout.ARGS_SCRATCH + 8)  // arg_end
                .alu64(AluOp.SUB, R9, R8)
                .store(Size.DW, R7, EventLayout.ARGS_TOTAL, R9)
                .storeImm(Size.DW, R7, EventLayout.ARGS_SCRATCH, 0)
                .storeImm(Size.DW, R7, EventLayout.ARGS_SCRATCH + 8, 0)
                .storeImm(Size.W, R7, EventLayout.FLAGS, EventLayout.FLAG_ARGS_RECORD) // the scratch covered it
                .jump(JumpOp.LE, R9, max, "args_bounded")
                .mov64(R9, max)
                .label("args_bounded")
                .store(Size.W, R7, EventLayout.ARGS_COPIED, R9)
                .mov64(R1, R7).alu64(AluOp.ADD, R1, EventLayout.ARGS_HEADER)
                .mov64(R2, R9)
                .mov64(R3, R8)
                .call(Helper.PROBE_READ_USER);
        a.mov64(R1, R6)
                .loadMap(R2, KernelMap.EVENTS.symbol())
                .mov32(R3, BPF_F_CURRENT_CPU)
                .mov64(R4, R7)
                .mov64(R5, R9).alu64(AluOp.ADD, R5, EventLayout.ARGS_HEADER)
                .call(Helper.PERF_EVENT_OUTPUT)
                .jump(JumpOp.EQ, R0, 0, "args_done");
        count(a, Counter.ARGS_OUTPUT_FAILED);
        a.label("args_done");
    }

    /**
     * {@code bpf_probe_read_kernel_str(base + dst, 256, ctx + (filename & 0xffff))}, its result
     * stored at {@code base + lenDst}. The context is in R6.
     */
    private static void readExecFilename(Assembler a, KernelOffsets k, Reg base, int dst, int lenDst) {
        a.load(Size.W, R3, R6, k.execFilename().getAsInt())
                .alu64(AluOp.AND, R3, 0xffff) // __data_loc: low 16 bits are the offset from the context
                .alu64(AluOp.ADD, R3, R6)
                .mov64(R1, base).alu64(AluOp.ADD, R1, dst)
                .mov64(R2, EventLayout.EXE_SIZE)
                .call(Helper.PROBE_READ_KERNEL_STR)
                .store(Size.W, base, lenDst, R0);
    }

    /**
     * {@code sched:sched_process_exit}: when the last thread of a process exits, delete its start
     * record and send one {@link EventLayout} record, unless a load-time filter drops it. Exits of
     * other threads send nothing.
     */
    public static Assembler exit(KernelOffsets k, ProgramOptions options) {
        return exit(k, options, null);
    }

    /**
     * The exit program; {@code cgroups} gives the offsets to record the cgroups with, and must be
     * non-null when the options ask for cgroups.
     */
    public static Assembler exit(KernelOffsets k, ProgramOptions options, CgroupOffsets cgroups) {
        return exit(k, options, cgroups, false);
    }

    /**
     * The exit program; with {@code bell}, each record sent wakes a reader that sleeps (see
     * {@link KernelMap#ASLEEP}): only for kernels whose verifier takes an atomic exchange (5.12).
     */
    public static Assembler exit(KernelOffsets k, ProgramOptions options, CgroupOffsets cgroups, boolean bell) {
        requireOffsets(k, options, true, cgroups);
        boolean exe = options.executablePaths();
        boolean who = options.who();
        int eventSize = EventLayout.eventSize(exe, who);
        int carried = (exe ? EventLayout.FLAG_HAS_EXE : 0) | (who ? EventLayout.FLAG_HAS_WHO : 0);
        Assembler a = new Assembler();
        a.mov64(R6, R1); // context, for perf_event_output
        // The process's identity is its leader's: the last thread may have another name and start.
        a.call(Helper.GET_CURRENT_TASK);
        probeRead(a, SCRATCH_PTR, 8, R0, k.taskGroupLeader());
        a.load(Size.DW, R9, FP, SCRATCH_PTR);
        skipUnlessGroupDead(a, k);

        a.call(Helper.GET_CURRENT_PID_TGID)
                .alu64(AluOp.RSH, R0, 32)
                .mov64(R7, R0)
                .store(Size.W, FP, KEY, R7);
        // Every byte of the event is written: zero it first.
        for (int off = 0; off < eventSize; off += 8) {
            a.storeImm(Size.DW, FP, EVENT + off, 0);
        }
        a.store(Size.W, FP, EVENT + EventLayout.PID, R7);
        if (carried != 0) {
            a.storeImm(Size.W, FP, EVENT + EventLayout.FLAGS, carried);
        }
        a.call(Helper.GET_CURRENT_TASK).mov64(R8, R0);

        a.loadMap(R1, KernelMap.START.symbol())
                .mov64(R2, FP).alu64(AluOp.ADD, R2, KEY)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jump(JumpOp.EQ, R0, 0, "no_start")
                .load(Size.DW, R1, R0, EventLayout.START_EXEC_NS)
                .store(Size.DW, FP, EVENT + EventLayout.EXEC_NS, R1)
                .load(Size.W, R1, R0, EventLayout.START_PPID)
                .store(Size.W, FP, EVENT + EventLayout.PPID, R1);
        for (int off = 0; off < (who ? EventLayout.Identity.SIZE : EventLayout.Identity.LOGIN_UID); off += 8) {
            a.load(Size.DW, R1, R0, EventLayout.START_IDENTITY + off).store(Size.DW, FP, EVENT + EventLayout.IDENTITY + off, R1);
        }
        if (exe) {
            a.load(Size.W, R1, R0, EventLayout.START_EXE_LEN)
                    .store(Size.W, FP, EVENT + EventLayout.EXE_LEN, R1);
            probeRead(a, EVENT + EventLayout.EXE, EventLayout.EXE_SIZE, R0, EventLayout.START_EXE);
        }
        a.loadMap(R1, KernelMap.START.symbol())
                .mov64(R2, FP).alu64(AluOp.ADD, R2, KEY)
                .call(Helper.MAP_DELETE_ELEM);
        if (k.exitGroupDead().isEmpty()) {
            a.jump(JumpOp.NE, R0, 0, "out"); // another thread of this process deleted it and reports it
        }
        a.ja("fill");

        a.label("no_start");
        if (k.exitGroupDead().isEmpty()) {
            claimOnce(a, k);
        }
        count(a, Counter.EXIT_WITHOUT_START);
        if (options.reportWithoutStart()) {
            a.storeImm(Size.W, FP, EVENT + EventLayout.FLAGS,
                    EventLayout.FLAG_NO_START_RECORD | carried);
            probeRead(a, EVENT + EventLayout.EXEC_NS, 8, R9, k.taskStartTime());
            if (who) {
                readWho(a, k, EVENT + EventLayout.IDENTITY); // now, the only time known; the parent's start is not
            }
        } else {
            a.ja("out"); // the verifier rejects unreachable code, so nothing else is emitted here
        }

        a.label("fill");
        a.call(Helper.KTIME_GET_BOOT_NS).store(Size.DW, FP, EVENT + EventLayout.EXIT_NS, R0);
        a.call(Helper.GET_CURRENT_UID_GID).store(Size.W, FP, EVENT + EventLayout.UID, R0);
        probeRead(a, EVENT + EventLayout.COMM, EventLayout.COMM_SIZE, R9, k.taskComm());
        probeRead(a, EVENT + EventLayout.TASK_START_NS, 8, R9, k.taskStartTime());
        probeRead(a, EVENT + EventLayout.EXIT_CODE, 4, R8, k.taskExitCode());
        readParent(a, k, EVENT + EventLayout.PARENT_AT_EXIT, 0);
        if (options.cgroups()) {
            readCgroups(a, cgroups, EVENT);
        }
        // With arguments recorded, a process the filters drop had its arguments sent at exec: a short
        // release record lets them go. The uid filter never needs one: the exec sent none for other
        // users (a process that changes its uid between exec and exit has its arguments evicted).
        boolean release = options.argsMax() > 0 && (options.failedOnly() || options.minDurationNanos() > 0);
        filters(a, options, release ? "release" : "out");

        output(a, EVENT, eventSize);
        a.jump(JumpOp.NE, R0, 0, "send_failed");
        if (bell) {
            ringIfAsleep(a);
        }
        a.ja("out");
        a.label("send_failed");
        count(a, Counter.OUTPUT_FAILED);
        if (release) {
            a.ja("out");
            a.label("release")
                    .load(Size.W, R1, FP, EVENT + EventLayout.FLAGS)
                    .alu64(AluOp.OR, R1, EventLayout.FLAG_RELEASE)
                    .store(Size.W, FP, EVENT + EventLayout.FLAGS, R1);
            output(a, EVENT, EventLayout.RELEASE_SIZE); // a full ring: the arguments are evicted later, and announced
        }
        return a.label("out").mov64(R0, 0).exit();
    }

    /**
     * The v2 cgroup id, and a v1 controller's cgroup id
     * ({@code task->cgroups->subsys[<controller>_cgrp_id]->cgroup->kn->id}) for hybrid hosts. The task is in R8.
     */
    private static void readCgroups(Assembler a, CgroupOffsets cg, int record) {
        a.call(Helper.GET_CURRENT_CGROUP_ID).store(Size.DW, FP, record + EventLayout.CGROUP_ID, R0);
        if (cg.v1CgrpId() < 0) {
            return;
        }
        probeRead(a, SCRATCH_PTR, 8, R8, cg.taskCgroups());
        for (int offset : new int[] {cg.cssSetSubsys() + 8 * cg.v1CgrpId(), cg.cssCgroup(), cg.cgroupKn()}) {
            a.load(Size.DW, R3, FP, SCRATCH_PTR).alu64(AluOp.ADD, R3, offset)
                    .mov64(R1, FP).alu64(AluOp.ADD, R1, SCRATCH_PTR)
                    .mov64(R2, 8)
                    .call(Helper.PROBE_READ_KERNEL); // a NULL on the way reads as zero from here on
        }
        a.load(Size.DW, R3, FP, SCRATCH_PTR).alu64(AluOp.ADD, R3, cg.kernfsNodeId())
                .mov64(R1, FP).alu64(AluOp.ADD, R1, record + EventLayout.CGROUP_V1_ID)
                .mov64(R2, 8)
                .call(Helper.PROBE_READ_KERNEL);
    }

    /**
     * {@code cgroup:cgroup_mkdir}: remember (hierarchy, id) → path of every new cgroup, so that a
     * cgroup removed right after its last process exits still has a name when that exit is read.
     */
    public static Assembler cgroupMkdir(CgroupOffsets cg) {
        int key = -KernelMap.CgroupKey.SIZE;
        int path = key - KernelMap.CGROUP_PATH_SIZE;
        Assembler a = new Assembler();
        a.mov64(R6, R1);
        a.storeImm(Size.DW, FP, key + KernelMap.CgroupKey.HIERARCHY, 0); // and the zero beside it
        a.load(Size.W, R1, R6, cg.mkdirRoot()).store(Size.W, FP, key + KernelMap.CgroupKey.HIERARCHY, R1);
        a.load(Size.DW, R1, R6, cg.mkdirId()).store(Size.DW, FP, key + KernelMap.CgroupKey.ID, R1);
        for (int off = 0; off < KernelMap.CGROUP_PATH_SIZE; off += 8) {
            a.storeImm(Size.DW, FP, path + off, 0); // the whole value is copied into the map
        }
        a.load(Size.W, R3, R6, cg.mkdirPath())
                .alu64(AluOp.AND, R3, 0xffff) // __data_loc: low 16 bits are the offset from the context
                .alu64(AluOp.ADD, R3, R6)
                .mov64(R1, FP).alu64(AluOp.ADD, R1, path)
                .mov64(R2, KernelMap.CGROUP_PATH_SIZE)
                .call(Helper.PROBE_READ_KERNEL_STR);
        a.loadMap(R1, KernelMap.CGROUP_PATHS.symbol())
                .mov64(R2, FP).alu64(AluOp.ADD, R2, key)
                .mov64(R3, FP).alu64(AluOp.ADD, R3, path)
                .mov64(R4, 0)
                .call(Helper.MAP_UPDATE_ELEM);
        return a.mov64(R0, 0).exit();
    }

    /** The cheap filters, on the filled event: a dropped process is neither sent nor counted as lost. */
    private static void filters(Assembler a, ProgramOptions options, String dropped) {
        if (options.uid().isPresent()) {
            a.load(Size.W, R1, FP, EVENT + EventLayout.UID)
                    .jump32(JumpOp.NE, R1, options.uid().getAsInt(), "out");
        }
        if (options.loginUid().isPresent()) {
            a.load(Size.W, R1, FP, EVENT + EventLayout.IDENTITY + EventLayout.Identity.LOGIN_UID)
                    .jump32(JumpOp.NE, R1, options.loginUid().getAsInt(), "out");
        }
        if (options.failedOnly()) {
            a.load(Size.W, R1, FP, EVENT + EventLayout.EXIT_CODE)
                    .jump32(JumpOp.EQ, R1, 0, dropped);
        }
        if (options.minDurationNanos() > 0) {
            a.load(Size.DW, R1, FP, EVENT + EventLayout.EXIT_NS)
                    .load(Size.DW, R2, FP, EVENT + EventLayout.EXEC_NS)
                    .alu64(AluOp.SUB, R1, R2)
                    .loadImm64(R2, options.minDurationNanos())
                    .jump(JumpOp.LT, R1, R2, dropped);
        }
    }

    /** Jumps to "out" unless this exit ends the whole thread group (or may, see {@link KernelMap#ENDED}). */
    private static void skipUnlessGroupDead(Assembler a, KernelOffsets k) {
        if (k.exitGroupDead().isPresent()) {
            a.load(Size.B, R1, R6, k.exitGroupDead().getAsInt())
                    .jump32(JumpOp.EQ, R1, 0, "out");
            return;
        }
        // Kernels without group_dead: the group is dead once signal->live has dropped to zero.
        a.call(Helper.GET_CURRENT_TASK);
        probeRead(a, SCRATCH_PTR, 8, R0, k.taskSignal());
        a.load(Size.DW, R3, FP, SCRATCH_PTR);
        a.alu64(AluOp.ADD, R3, k.signalLive());
        a.mov64(R1, FP).alu64(AluOp.ADD, R1, SCRATCH_PTR).mov64(R2, 4).call(Helper.PROBE_READ_KERNEL);
        a.load(Size.W, R1, FP, SCRATCH_PTR).jump32(JumpOp.NE, R1, 0, "out");
    }

    /**
     * For a process without a start record where threads exiting together may all see
     * {@code signal->live} at zero: jumps to "out" unless this thread is the first to claim
     * (tgid, leader start time). The leader is in R9; the key is built where the event goes
     * (zeroed afterwards).
     */
    private static void claimOnce(Assembler a, KernelOffsets k) {
        a.storeImm(Size.DW, FP, EVENT + KernelMap.TaskKey.TGID, 0); // and the zero beside it
        a.store(Size.W, FP, EVENT + KernelMap.TaskKey.TGID, R7);
        probeRead(a, EVENT + KernelMap.TaskKey.START_NS, 8, R9, k.taskStartTime());
        a.storeImm(Size.W, FP, COUNTER_KEY, 1);
        a.loadMap(R1, KernelMap.ENDED.symbol())
                .mov64(R2, FP).alu64(AluOp.ADD, R2, EVENT)
                .mov64(R3, FP).alu64(AluOp.ADD, R3, COUNTER_KEY)
                .mov64(R4, BPF_NOEXIST)
                .call(Helper.MAP_UPDATE_ELEM)
                .jump(JumpOp.NE, R0, 0, "out");
        for (int off = 0; off < KernelMap.TaskKey.SIZE; off += 8) {
            a.storeImm(Size.DW, FP, EVENT + off, 0); // the key was built where the event goes
        }
        a.store(Size.W, FP, EVENT + EventLayout.PID, R7);
    }

    /**
     * {@code *(fp + tgidDst) = current->real_parent->tgid} and, unless {@code startDst} is 0, the
     * parent's start ({@code real_parent->group_leader->start_boottime}: a parent that is a thread
     * started later than its process); zero when unreadable.
     */
    private static void readParent(Assembler a, KernelOffsets k, int tgidDst, int startDst) {
        a.call(Helper.GET_CURRENT_TASK);
        probeRead(a, SCRATCH_PTR, 8, R0, k.taskRealParent());
        a.load(Size.DW, R3, FP, SCRATCH_PTR);
        probeRead(a, tgidDst, 4, R3, k.taskTgid());
        if (startDst != 0) {
            a.load(Size.DW, R3, FP, SCRATCH_PTR);
            probeRead(a, SCRATCH_PTR, 8, R3, k.taskGroupLeader());
            a.load(Size.DW, R3, FP, SCRATCH_PTR);
            probeRead(a, startDst, 8, R3, k.taskStartTime());
        }
    }

    /**
     * Who the current task is, into the zeroed {@link EventLayout.Identity} at {@code fp + dst}
     * (its parent's start aside): the audit login uid and session (-1 where the kernel has no
     * audit), the effective uid and the controlling terminal's name.
     */
    private static void readWho(Assembler a, KernelOffsets k, int dst) {
        IdentityOffsets id = k.identity();
        if (id.taskLoginUid().isPresent()) {
            a.call(Helper.GET_CURRENT_TASK);
            probeRead(a, dst + EventLayout.Identity.LOGIN_UID, 8, R0, id.taskLoginUid().getAsInt()); // and sessionid
        } else {
            a.storeImm(Size.W, FP, dst + EventLayout.Identity.LOGIN_UID, -1)
                    .storeImm(Size.W, FP, dst + EventLayout.Identity.SESSION_ID, -1);
        }
        a.call(Helper.GET_CURRENT_TASK);
        probeRead(a, SCRATCH_PTR, 8, R0, id.taskRealCred());
        a.storeImm(Size.W, FP, dst + EventLayout.Identity.EUID, -1)
                .load(Size.DW, R3, FP, SCRATCH_PTR);
        String noCred = "no_cred_" + a.slots();
        a.jump(JumpOp.EQ, R3, 0, noCred);
        probeRead(a, dst + EventLayout.Identity.EUID, 4, R3, id.credEuid());
        a.label(noCred);
        a.call(Helper.GET_CURRENT_TASK);
        probeRead(a, SCRATCH_PTR, 8, R0, k.taskSignal());
        a.load(Size.DW, R3, FP, SCRATCH_PTR);
        probeRead(a, SCRATCH_PTR, 8, R3, id.signalTty());
        String noTty = "no_tty_" + a.slots();
        a.load(Size.DW, R3, FP, SCRATCH_PTR).jump(JumpOp.EQ, R3, 0, noTty);
        probeRead(a, dst + EventLayout.Identity.TTY, EventLayout.Identity.TTY_SIZE, R3, id.ttyName());
        a.label(noTty);
    }

    /**
     * Refuses options a program cannot be built for: cgroups it records ({@code recordsCgroups})
     * without their offsets, a login filter on a kernel without audit.
     */
    private static void requireOffsets(KernelOffsets k, ProgramOptions options, boolean recordsCgroups, CgroupOffsets cgroups) {
        if (options.cgroups() && recordsCgroups && cgroups == null) {
            throw new IllegalArgumentException("cgroups are asked for but their offsets are missing");
        }
        if (options.loginUid().isPresent() && k.identity().taskLoginUid().isEmpty()) {
            throw new IllegalArgumentException("this kernel has no audit login uid (task_struct.loginuid, CONFIG_AUDIT)");
        }
    }

    /** {@code bpf_perf_event_output(ctx, events, BPF_F_CURRENT_CPU, fp + record, size)}; the context is in R6, the result in R0. */
    private static void output(Assembler a, int record, int size) {
        a.mov64(R1, R6)
                .loadMap(R2, KernelMap.EVENTS.symbol())
                .mov32(R3, BPF_F_CURRENT_CPU)
                .mov64(R4, FP).alu64(AluOp.ADD, R4, record)
                .mov64(R5, size)
                .call(Helper.PERF_EVENT_OUTPUT);
    }

    /** {@code bpf_probe_read_kernel(fp + dst, size, base + offset)}; base may be R0 or a callee-saved register. */
    private static void probeRead(Assembler a, int dst, int size, Reg base, int offset) {
        a.mov64(R3, base).alu64(AluOp.ADD, R3, offset)
                .mov64(R1, FP).alu64(AluOp.ADD, R1, dst)
                .mov64(R2, size)
                .call(Helper.PROBE_READ_KERNEL);
    }

    /**
     * After a record is sent: when the reader sleeps, take its flag and send it a sample on the bell,
     * whose ring wakes it at once. The exchange comes after the record is in its ring and is fully
     * ordered, and the reader sets the flag before it looks at the rings a last time: so either the
     * reader sees the record, or this sees the flag. The context is in R6.
     */
    private static void ringIfAsleep(Assembler a) {
        a.storeImm(Size.W, FP, COUNTER_KEY, 0)
                .loadMap(R1, KernelMap.ASLEEP.symbol())
                .mov64(R2, FP).alu64(AluOp.ADD, R2, COUNTER_KEY)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jump(JumpOp.EQ, R0, 0, "awake")
                .mov64(R1, 0)
                .exchange(Size.DW, R0, 0, R1)
                .jump(JumpOp.EQ, R1, 0, "awake")
                .mov64(R1, R6)
                .loadMap(R2, KernelMap.BELL.symbol())
                .mov32(R3, BPF_F_CURRENT_CPU)
                .mov64(R4, FP).alu64(AluOp.ADD, R4, COUNTER_KEY)
                .mov64(R5, 4)
                .call(Helper.PERF_EVENT_OUTPUT)
                .label("awake");
    }

    /**
     * A program that only exchanges a word of its stack atomically: the kernel's verifier loads it
     * from Linux 5.12 on, and refuses it before ({@link #exit(KernelOffsets, ProgramOptions, CgroupOffsets, boolean)}'s bell).
     */
    public static Assembler exchangeProbe() {
        return new Assembler()
                .storeImm(Size.DW, FP, -8, 0)
                .mov64(R1, 1)
                .exchange(Size.DW, FP, -8, R1)
                .mov64(R0, 0)
                .exit();
    }

    /** Adds one to this CPU's slot of {@code counter}. */
    private static void count(Assembler a, Counter counter) {
        String skip = "counted_" + counter.name() + "_" + a.slots();
        a.storeImm(Size.W, FP, COUNTER_KEY, counter.ordinal())
                .loadMap(R1, KernelMap.COUNTERS.symbol())
                .mov64(R2, FP).alu64(AluOp.ADD, R2, COUNTER_KEY)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jump(JumpOp.EQ, R0, 0, skip)
                .load(Size.DW, R1, R0, 0)
                .alu64(AluOp.ADD, R1, 1)
                .store(Size.DW, R0, 0, R1)
                .label(skip);
    }
}
