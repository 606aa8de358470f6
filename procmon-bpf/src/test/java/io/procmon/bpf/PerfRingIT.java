package io.procmon.bpf;

import static io.procmon.bpf.asm.Reg.FP;
import static io.procmon.bpf.asm.Reg.R0;
import static io.procmon.bpf.asm.Reg.R1;
import static io.procmon.bpf.asm.Reg.R2;
import static io.procmon.bpf.asm.Reg.R3;
import static io.procmon.bpf.asm.Reg.R4;
import static io.procmon.bpf.asm.Reg.R5;
import static io.procmon.bpf.asm.Reg.R6;
import static org.assertj.core.api.Assertions.assertThat;

import io.procmon.bpf.asm.AluOp;
import io.procmon.bpf.asm.Assembler;
import io.procmon.bpf.asm.Helper;
import io.procmon.bpf.asm.JumpOp;
import io.procmon.bpf.asm.Size;
import io.procmon.bpf.kernel.BpfMap;
import io.procmon.bpf.kernel.BpfProgram;
import io.procmon.bpf.kernel.PerfBuffer;
import io.procmon.bpf.kernel.TracepointLink;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The perf rings read in Java against the real kernel: records that wrap around a ring's end come
 * out whole, and every sample the kernel could not write is counted by a lost record.
 *
 * <p>A program on {@code sched_process_exec} writes a 44-byte sample (a 56-byte record, which does
 * not divide the 4 KiB ring, so records straddle its end) and counts, per CPU, its attempts and its
 * failed writes. Every exec of the machine counts, so the checks are exact, not filtered.
 */
@BpfTest
class PerfRingIT {
    private static final int SAMPLE = 44;
    private static final long PATTERN = 0x5eed_f00d_cafe_b0baL;
    private static final int ATTEMPTED = 0;
    private static final int FAILED = 1;

    private BpfMap events;
    private BpfMap counters;
    private BpfProgram program;
    private TracepointLink link;
    private PerfBuffer perf;
    private long samples;
    private long lost;
    private long torn;
    private final Set<Integer> tgids = new HashSet<>();

    @BeforeEach
    void load() {
        events = BpfMap.create(BpfMap.Type.PERF_EVENT_ARRAY, "procmon_t_ring", 4, 4, Cpus.possibleCount());
        counters = BpfMap.create(BpfMap.Type.PERCPU_ARRAY, "procmon_t_count", 4, 8, 2);
        program = BpfProgram.loadTracepoint("procmon_t_ring", sampler().assemble(Map.of("events", events.fd(),
                "counters", counters.fd())), "GPL");
    }

    @AfterEach
    void release() {
        if (link != null) {
            link.close();
        }
        if (perf != null) {
            perf.close();
        }
        program.close();
        counters.close();
        events.close();
    }

    /** Writes {pid_tgid, 4 x PATTERN, (int) PATTERN}; counts the attempt, and the failure if any. */
    private static Assembler sampler() {
        Assembler a = new Assembler().mov64(R6, R1).call(Helper.GET_CURRENT_PID_TGID).store(Size.DW, FP, -48, R0)
                .loadImm64(R1, PATTERN);
        for (int off = -40; off < -8; off += 8) {
            a.store(Size.DW, FP, off, R1);
        }
        a.store(Size.W, FP, -8, R1)
                .mov64(R1, R6).loadMap(R2, "events").mov32(R3, -1) // BPF_F_CURRENT_CPU
                .mov64(R4, FP).alu64(AluOp.ADD, R4, -48).mov64(R5, SAMPLE)
                .call(Helper.PERF_EVENT_OUTPUT)
                .jump(JumpOp.EQ, R0, 0, "written");
        count(a, FAILED, "failed");
        a.label("written");
        count(a, ATTEMPTED, "attempted");
        return a.mov64(R0, 0).exit();
    }

    private static void count(Assembler a, int key, String label) {
        a.storeImm(Size.W, FP, -56, key).loadMap(R1, "counters").mov64(R2, FP).alu64(AluOp.ADD, R2, -56)
                .call(Helper.MAP_LOOKUP_ELEM).jump(JumpOp.EQ, R0, 0, "done_" + label)
                .load(Size.DW, R1, R0, 0).alu64(AluOp.ADD, R1, 1).store(Size.DW, R0, 0, R1)
                .label("done_" + label);
    }

    private void open(int pages) {
        perf = PerfBuffer.open(events, Cpus.online(), pages, 1, this::onSample, (cpu, count) -> lost += count);
        link = TracepointLink.attach(program, "sched", "sched_process_exec");
    }

    private void onSample(int cpu, ByteBuffer data) {
        ByteBuffer d = data.duplicate().order(ByteOrder.nativeOrder());
        int at = d.position();
        samples++;
        tgids.add((int) (d.getLong(at) >>> 32));
        boolean whole = d.remaining() >= SAMPLE && d.getInt(at + 40) == (int) PATTERN;
        for (int off = 8; whole && off < 40; off += 8) {
            whole = d.getLong(at + off) == PATTERN;
        }
        if (!whole) {
            torn++;
        }
    }

    /** Detaches, so that the counters stop, and sums a counter over the CPUs. */
    private long counter(int key) {
        int possible = Cpus.possibleCount();
        byte[] value = new byte[8 * possible];
        assertThat(counters.lookup(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, key).array(), value)).isTrue();
        ByteBuffer v = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        long sum = 0;
        for (int cpu = 0; cpu < possible; cpu++) {
            sum += v.getLong(8 * cpu);
        }
        return sum;
    }

    private static Set<Integer> spawn(int count) throws Exception {
        Set<Integer> pids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            Process p = new ProcessBuilder("/bin/true").start();
            pids.add((int) p.pid());
            assertThat(p.waitFor()).isZero();
        }
        return pids;
    }

    @Test
    void recordsThatWrapAroundTheRingsEndComeOutWhole() throws Exception {
        open(1); // 4 KiB: 73 records of 56 bytes, so the ring wraps every few batches
        Set<Integer> spawned = new HashSet<>();
        for (int batch = 0; batch < 60; batch++) {
            spawned.addAll(spawn(10)); // well within a ring between two reads
            perf.consume();
        }
        link.close();
        link = null;
        perf.consume();

        assertThat(perf.recordsWrapped()).as("records that straddled a ring's end").isPositive();
        assertThat(torn).as("samples whose bytes were not the program's").isZero();
        assertThat(lost).isZero();
        assertThat(counter(FAILED)).isZero();
        assertThat(samples).isEqualTo(counter(ATTEMPTED));
        assertThat(tgids).containsAll(spawned);
    }

    @Test
    void samplesTheKernelCouldNotWriteAreCountedExactly() throws Exception {
        open(1);
        spawn(400); // 800 samples or more (the spawn helper execs too) into rings of 73: most are lost
        perf.consume(); // room again: a CPU's next write is preceded by its lost record
        for (int cpu : Cpus.online()) {
            Process p = new ProcessBuilder("taskset", "-c", Integer.toString(cpu), "/bin/true").start(); // a write on each CPU
            assertThat(p.waitFor()).isZero();
        }
        link.close();
        link = null;
        perf.consume();

        long failed = counter(FAILED);
        assertThat(failed).as("the kernel must have dropped samples for this test to mean anything").isPositive();
        assertThat(lost).as("lost records").isEqualTo(failed);
        assertThat(samples + lost).isEqualTo(counter(ATTEMPTED));
        assertThat(torn).isZero();
    }
}
