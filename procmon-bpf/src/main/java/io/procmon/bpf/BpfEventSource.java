package io.procmon.bpf;

import io.procmon.bpf.btf.Btf;
import io.procmon.bpf.btf.BtfException;
import io.procmon.bpf.kernel.BpfMap;
import io.procmon.bpf.kernel.BpfProgram;
import io.procmon.bpf.kernel.KernelClocks;
import io.procmon.bpf.kernel.PerfBuffer;
import io.procmon.bpf.kernel.ReadOnlyMapping;
import io.procmon.bpf.kernel.TracepointLink;
import io.procmon.bpf.prog.CgroupOffsets;
import io.procmon.bpf.prog.Counter;
import io.procmon.bpf.prog.EventLayout;
import io.procmon.bpf.prog.ExitRecord;
import io.procmon.bpf.prog.KernelMap;
import io.procmon.bpf.prog.KernelOffsets;
import io.procmon.bpf.prog.ProcessPrograms;
import io.procmon.bpf.prog.ProgramOptions;
import io.procmon.bpf.prog.TracepointFormat;
import io.procmon.core.EventSource;
import io.procmon.core.LostEvents;
import io.procmon.core.ProcessEvent;
import io.procmon.core.SourceListener;
import io.procmon.core.Threads;
import io.procmon.core.WallClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process events from the running kernel: tracepoint programs built in Java (no headers, no
 * clang), struct offsets from BTF, loaded and read through libbcc.
 *
 * <p>One reader thread polls the per-CPU perf rings and calls the listener. {@link #close()}
 * detaches the programs, drains what the kernel already produced, reports the final loss counts,
 * and frees every fd.
 */
public final class BpfEventSource implements EventSource {
    private static final Logger LOG = LoggerFactory.getLogger(BpfEventSource.class);
    private static final long COUNTER_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Paths of cgroups made while procmon runs that the kernel keeps for the reader (LRU). */
    private static final int CGROUP_PATHS = 4096;
    /** Claims of exits not yet read, on kernels without group_dead; the reader releases each. */
    private static final int ENDED_CLAIMS = 4096;
    /** The wall-clock offset is measured again every this many counter reads (1 s). */
    private static final int CLOCK_REMEASURE_EVERY = 5;
    /** The longest a reader sleeps on an idle host: the kernel's counters are read after it. */
    private static final int DOZE_MILLIS = 10_000;
    private static final byte[] ASLEEP_SET = {1, 0, 0, 0, 0, 0, 0, 0};
    private final byte[] asleepKey = new byte[KernelMap.U32Key.SIZE];

    private final BpfOptions options;
    private final UnaryOperator<KernelOffsets> adjustOffsets;
    private final Object lifecycle = new Object();
    private final List<AutoCloseable> resources = new ArrayList<>(); // closed in reverse order
    private final List<TracepointLink> links = new ArrayList<>();
    private BpfMap counters;
    private PerfBuffer perf;
    /** The reader's flag that it sleeps ({@link KernelMap#ASLEEP}); null where the kernel has no atomic exchange. */
    private BpfMap asleep;
    private Thread reader;
    private volatile boolean running;
    /** Set by the reader thread when it dies; read by close() after joining it. */
    private volatile boolean readerFailed;
    private boolean started;
    private boolean closed;

    private SourceListener listener;
    private final KernelClocks clocks = new KernelClocks();
    /** The boot the kernel's times belong to: with a process's pid and start, its entity id. */
    private final String bootId = io.procmon.core.EntityIds.localBootId();
    private WallClock wallClock;
    private CgroupResolver cgroups;
    private ArgsJoiner args;
    /** Claims of processes without a start record, on kernels without group_dead; released once read. */
    private BpfMap claims;
    private final byte[] claimKey = new byte[KernelMap.TaskKey.SIZE];
    private long attachedAtNanos;
    private int possibleCpus;
    // Loss bookkeeping, touched only by the reader thread, then by close() after the reader ended.
    private long[] perfLost;
    private long[] bufferLossReported;
    private long startFailuresReported;
    private volatile BpfStats stats = new BpfStats(0, 0, 0, 0, 0, 0, 0);
    private int startCapacity;
    /** The start map, for {@link #startTableEntries()}; guarded by {@link #lifecycle} against its release. */
    private BpfMap startMap;
    private volatile long eventsRead;
    private volatile long startedBeforeReported;
    private volatile long forkedWithoutExec;
    /** Reads {@code /proc} for running records; null unless they are asked for. */
    private ProcInventory inventory;
    private long inventoryIntervalNanos;
    private long nextInventory;
    private long argsEvictedReported;

    public BpfEventSource(BpfOptions options) {
        this(options, UnaryOperator.identity());
    }

    /** For tests: adjusts what was read from the kernel, e.g. to take another kernel's path. */
    BpfEventSource(BpfOptions options, UnaryOperator<KernelOffsets> adjustOffsets) {
        this.options = options;
        this.adjustOffsets = adjustOffsets;
    }

    public BpfEventSource() {
        this(BpfOptions.defaults());
    }

    @Override
    public void start(SourceListener sourceListener) {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "source is closed" : "source already started");
            }
            started = true;
        }
        this.listener = sourceListener;
        this.wallClock = new WallClock(clocks);
        Path tracefs = Preflight.check();
        ProgramOptions programOptions = options.programOptions();
        KernelOffsets offsets;
        CgroupResolver cgroupResolver;
        CgroupOffsets cgroupOffsets;
        // The offsets are all that is kept of the BTF: the mapping (where the kernel allows one) ends here.
        try (ReadOnlyMapping mapped = ReadOnlyMapping.kernelBtf().orElse(null)) { // null: read it
            Btf btf = kernelBtf(mapped);
            offsets = adjustOffsets.apply(kernelOffsets(btf, tracefs));
            cgroupResolver = programOptions.cgroups() ? CgroupResolver.discover() : null;
            cgroupOffsets = cgroupResolver == null ? null : cgroupOffsets(btf, tracefs, cgroupResolver.v1Controller());
        }
        if (programOptions.executablePaths() && offsets.execFilename().isEmpty()) {
            throw new BpfException(BpfException.Reason.KERNEL,
                    "cannot record executable paths: this kernel's exec tracepoint has no filename field");
        }
        startCapacity = startCapacity();
        try {
            possibleCpus = Cpus.possibleCount();
            perfLost = new long[possibleCpus];
            bufferLossReported = new long[possibleCpus];
            counterValue = new byte[8 * possibleCpus];
            java.util.EnumMap<KernelMap, BpfMap> maps = new java.util.EnumMap<>(KernelMap.class);
            BpfMap start = own(KernelMap.START.create(programOptions, startCapacity));
            maps.put(KernelMap.START, start);
            synchronized (lifecycle) {
                startMap = start;
            }
            stats = new BpfStats(0, 0, 0, 0, 0, 0, startCapacity);
            BpfMap events = own(KernelMap.EVENTS.create(programOptions, possibleCpus));
            maps.put(KernelMap.EVENTS, events);
            counters = own(KernelMap.COUNTERS.create(programOptions, Counter.COUNT));
            maps.put(KernelMap.COUNTERS, counters);
            if (offsets.exitGroupDead().isEmpty()) { // only the signal->live path needs it
                claims = own(KernelMap.ENDED.create(programOptions, ENDED_CLAIMS));
                maps.put(KernelMap.ENDED, claims);
            }
            if (programOptions.argsMax() > 0) {
                maps.put(KernelMap.ARGS_BUFFER, own(KernelMap.ARGS_BUFFER.create(programOptions, possibleCpus)));
                args = new ArgsJoiner(programOptions.argsMax(), startCapacity);
            }
            if (kernelExchanges()) {
                asleep = own(KernelMap.ASLEEP.create(programOptions, 1));
                maps.put(KernelMap.ASLEEP, asleep);
                maps.put(KernelMap.BELL, own(KernelMap.BELL.create(programOptions, possibleCpus)));
            }
            BpfProgram exec = own(BpfProgram.loadTracepoint("procmon_exec",
                    ProcessPrograms.exec(offsets, programOptions, cgroupOffsets, asleep != null).assemble(fds(maps)),
                    ProcessPrograms.LICENSE));
            BpfProgram exit = own(BpfProgram.loadTracepoint("procmon_exit",
                    ProcessPrograms.exit(offsets, programOptions, cgroupOffsets, asleep != null).assemble(fds(maps)),
                    ProcessPrograms.LICENSE));
            if (cgroupOffsets != null) {
                // Attached before the hierarchy is walked: no cgroup made in between goes unnamed.
                BpfMap cgroupPaths = own(KernelMap.CGROUP_PATHS.create(programOptions, CGROUP_PATHS));
                maps.put(KernelMap.CGROUP_PATHS, cgroupPaths);
                BpfProgram mkdir = own(BpfProgram.loadTracepoint("procmon_cgmkdir",
                        ProcessPrograms.cgroupMkdir(cgroupOffsets).assemble(fds(maps)), ProcessPrograms.LICENSE));
                links.add(own(TracepointLink.attach(mkdir, "cgroup", "cgroup_mkdir")));
                cgroupResolver.start(cgroupPaths);
                cgroups = cgroupResolver;
            }
            perf = own(PerfBuffer.open(events, Cpus.online(), options.pagesPerCpu(), options.wakeupEvents(),
                    this::onSample, this::onPerfLost));
            if (asleep != null) {
                perf.addBell(maps.get(KernelMap.BELL), Cpus.online());
            }
            // Exit first: an exec seen without its exit would leave a stale start record behind.
            attachedAtNanos = clocks.boottimeNanos(); // the clock of bpf_ktime_get_boot_ns
            links.add(own(TracepointLink.attach(exit, "sched", "sched_process_exit")));
            links.add(own(TracepointLink.attach(exec, "sched", "sched_process_exec")));
            if (args != null) {
                args.snapshotRunning(); // after the attach: a process started later execs under our eyes
            }
            if (options.runningRecords()) {
                inventory = new ProcInventory(Path.of("/proc"), bootId, programOptions.argsMax(), programOptions.executablePaths(),
                        cgroupResolver != null, cgroupResolver == null ? null : cgroupResolver.v1Controller());
                inventoryIntervalNanos = options.inventoryInterval().toNanos();
            }
        } catch (RuntimeException e) {
            release();
            synchronized (lifecycle) {
                closed = true;
            }
            throw e;
        }
        running = true;
        reader = new Thread(this::readLoop, "procmon-bpf-reader");
        reader.setDaemon(true);
        reader.start();
        LOG.debug("attached: {}, start map of {}", options, startCapacity);
    }

    /** What this source makes of offsets read from a kernel (tests check which path they take). */
    KernelOffsets adjustedOffsets(KernelOffsets read) {
        return adjustOffsets.apply(read);
    }

    /** Current counters. */
    public BpfStats stats() {
        return stats;
    }

    /**
     * Processes the kernel's table of running processes holds now (those whose exec it saw and
     * whose exit it has not), out of {@link BpfStats#startCapacity()}; empty before start and after
     * close. Reads the whole table: a system call per 256 entries. Any thread.
     */
    public java.util.OptionalLong startTableEntries() {
        synchronized (lifecycle) {
            if (startMap == null || closed) {
                return java.util.OptionalLong.empty();
            }
            return java.util.OptionalLong.of(startMap.countEntries());
        }
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        running = false;
        if (reader != null) {
            perf.interrupt(); // it may sleep until the next event
            Threads.joinUninterruptibly(reader);
            if (inventory != null && !readerFailed) {
                // Still attached: a process that ends after this look has its exit recorded too.
                consume();
                releaseParkedExits();
                takeInventory();
            }
        }
        for (int i = links.size() - 1; i >= 0; i--) {
            links.get(i).close(); // no new events from here on
        }
        if (perf != null && !readerFailed) { // after onFailure the listener hears nothing more
            consume(); // what the kernel produced before the detach
            releaseParkedExits();
            readCounters();
        }
        release();
    }

    /** Records a pass holds at most before it hands them over: a storm that fills the rings as fast as they are read. */
    private static final int MAX_PASS = 8192;

    private void readLoop() {
        long delayNanos = options.maxDelay().toNanos();
        int pollMillis = (int) Math.max(1, options.maxDelay().toMillis());
        lastConsume = System.nanoTime();
        lastCounters = lastConsume;
        try {
            if (inventory != null) {
                // The processes running as recording starts. One started after the attach (the walk
                // of /proc comes later) is left out: its exec is the kernel's to record.
                takeInventory(attachedAtNanos);
                nextInventory = System.nanoTime() + inventoryIntervalNanos;
            }
            while (running) {
                readRound(pollMillis, delayNanos);
            }
        } catch (RuntimeException | Error e) {
            readerFailed = true;
            LOG.debug("eBPF reader failure", e);
            listener.onFailure(new io.procmon.core.EventSourceException("cannot read the kernel's events any more: " + e, e));
            if (e instanceof VirtualMachineError vmError) {
                throw vmError;
            }
        }
    }

    // The reader thread's own state (and close's, once the reader ended).
    /** Records read by the current pass over the rings ({@link #consume()}), not yet handed over. */
    private final java.util.ArrayList<ProcessEvent> pass = new java.util.ArrayList<>();
    private boolean inPass;
    /** Rounds of the reader so far: written by it alone, read by tests. */
    private volatile long rounds;
    private boolean quiet;
    private long recordsAtLastConsume;
    private long lastConsume;
    private long lastCounters;
    private long countersRead;

    /**
     * Waits for the rings and reads them. A method of its own: the body of a loop that runs for the
     * monitor's whole life would stay interpreted until on-stack replacement; a method is compiled soon.
     */
    private void readRound(int pollMillis, long delayNanos) {
        rounds++;
        if (mayDoze()) {
            doze();
        } else {
            if (perf.await(pollMillis)) {
                consume();
            }
        }
        long now = System.nanoTime();
        if (now - lastConsume >= delayNanos) {
            // Wake-ups are batched: pick up what sits below the wake-up threshold.
            consume();
            lastConsume = now;
            quiet = nothingReadSinceLastLook();
        }
        releaseParkedExits();
        if (inventoryIntervalNanos > 0 && now - nextInventory >= 0) {
            takeInventory();
            nextInventory = now + inventoryIntervalNanos;
        }
        if (now - lastCounters >= COUNTER_INTERVAL_NANOS) {
            readCounters();
            lastCounters = now;
            if (++countersRead % CLOCK_REMEASURE_EVERY == 0) {
                wallClock.remeasure(); // follows a step of the wall clock (NTP, date -s)
            }
        }
    }

    /**
     * The reader may sleep when a whole delay passed with no record read and nothing waits for
     * one (a parked exit): on an idle host it then wakes every {@link #DOZE_MILLIS} (the counters)
     * instead of every delay, and at once for a record.
     */
    private boolean mayDoze() {
        return asleep != null && quiet && (args == null || !args.hasParked());
    }

    /**
     * Sets the flag that the reader sleeps, then sleeps unless a record arrived meanwhile. A record
     * sent after the last look finds the flag and rings the bell (ProcessPrograms.ringIfAsleep), so
     * the bound on a record's delay holds. The flag is cleared by the program that rings, or by the
     * next doze's own set; one left set costs one bell sample.
     */
    private void doze() {
        readCounters(); // the stats then count every record read before the sleep, not 10 s later
        lastCounters = System.nanoTime();
        asleep.update(asleepKey, ASLEEP_SET, BpfMap.ANY);
        java.lang.invoke.VarHandle.fullFence(); // the flag is set before the rings are looked at: pairs with the program's exchange
        if (!perf.isEmpty()) {
            quiet = false;
            return;
        }
        perf.await(dozeMillis());
        wallClock.remeasure(); // the first records after a quiet spell are stamped with a fresh offset
        consume();
        lastConsume = System.nanoTime();
        quiet = nothingReadSinceLastLook(); // woken by the timeout: doze again at once
    }

    /** How long a doze may last: until the counters are due, or sooner, the next inventory. */
    private int dozeMillis() {
        if (inventoryIntervalNanos == 0) {
            return DOZE_MILLIS;
        }
        long untilInventory = TimeUnit.NANOSECONDS.toMillis(nextInventory - System.nanoTime()) + 1;
        return (int) Math.max(1, Math.min(DOZE_MILLIS, untilInventory));
    }

    /** Whether no record was read since the last call. */
    private boolean nothingReadSinceLastLook() {
        long read = perf.recordsRead();
        boolean none = read == recordsAtLastConsume;
        recordsAtLastConsume = read;
        return none;
    }

    private void onSample(int cpu, ByteBuffer data) {
        ByteBuffer sample = EventLayout.nativeOrder(data); // the rings hand samples over in host order: the same buffer
        if (args != null && EventLayout.isArgsRecord(sample)) {
            args.onArgs(EventLayout.decodeArgs(sample));
            return;
        }
        if (args != null && EventLayout.isRelease(sample)) {
            args.release(EventLayout.decodeRelease(sample));
            return;
        }
        eventsRead++;
        if (EventLayout.isExecRecord(sample)) {
            onExec(EventLayout.decodeExec(sample));
            return;
        }
        ExitRecord exit = EventLayout.decodeExit(sample);
        boolean noStart = exit.noStartRecord();
        if (noStart && claims != null) {
            claims.delete(KernelMap.TaskKey.pack(claimKey, exit.pid(), exit.execNanos()));
        }
        if (noStart) {
            // The kernel saw no exec. Older than the monitor: report it. Younger: it forked
            // and never exec'd, which procmon (like the original) does not report.
            if (exit.execNanos() >= attachedAtNanos) {
                forkedWithoutExec++;
                return;
            }
            startedBeforeReported++;
        }
        ProcessEvent.Builder builder = exit.toEvent(wallClock.offsetNanos()).bootId(bootId);
        if (cgroups != null) {
            cgroups.resolve(exit.cgroupV2Id(), exit.cgroupV1Id(), builder);
        }
        if (args != null && !args.complete(builder, exit.pid(), exit.execNanos(), exit.exitNanos(), noStart, exit.comm())) {
            return; // parked until the rings are read once more
        }
        emit(builder.build());
    }

    /**
     * One running record per process running now (the kernel's filters, applied here: /proc is
     * not filtered), on the reader thread (or on close's, once the reader ended).
     */
    private void takeInventory() {
        takeInventory(Long.MAX_VALUE);
    }

    /** A running record for each process started no later than the clock tick of {@code startedBy} (boot time). */
    private void takeInventory(long startedBy) {
        long lastTick = startedBy - startedBy % io.procmon.core.EntityIds.NANOS_PER_TICK;
        for (ProcessEvent.Builder b : inventory.scan(wallClock.offsetNanos())) {
            ProcessEvent e = b.build();
            if (e.execTimeNanos() > lastTick) {
                continue;
            }
            if (options.uid().isPresent() && e.uid() != options.uid().getAsInt()
                    || options.loginUid().isPresent() && e.loginUid().orElse(-1) != options.loginUid().getAsInt()) {
                continue;
            }
            listener.onEvent(e);
        }
    }

    /** An exec: its arguments were read before it (the same program sent them first, into the same ring). */
    private void onExec(ExitRecord exec) {
        ProcessEvent.Builder builder = exec.toEvent(wallClock.offsetNanos()).bootId(bootId);
        if (cgroups != null) {
            cgroups.resolve(exec.cgroupV2Id(), exec.cgroupV1Id(), builder);
        }
        if (args != null) {
            args.attachToExec(builder, exec.pid(), exec.execNanos());
        }
        emit(builder.build());
    }

    /**
     * Reads every ring once and hands over what it read in the order it happened. The rings are read
     * in turn, so a child's exec on one CPU could come before its parent's exec on another; but a
     * record written before a pass began is read by that pass, so ordering each pass by the time
     * each record tells puts a process's records after its parent's (what a join by entity id needs)
     * and the output in time order. A pass is bounded by the rings' size, and delivered early past
     * {@link #MAX_PASS} records.
     */
    private void consume() {
        inPass = true;
        try {
            perf.consume();
        } finally {
            inPass = false;
            deliverPass();
        }
    }

    private void emit(ProcessEvent e) {
        if (!inPass) {
            listener.onEvent(e);
            return;
        }
        pass.add(e);
        if (pass.size() >= MAX_PASS) {
            deliverPass();
        }
    }

    private void deliverPass() {
        if (pass.size() > 1) {
            pass.sort(IN_TIME_ORDER);
        }
        for (ProcessEvent e : pass) {
            listener.onEvent(e);
        }
        pass.clear();
    }

    /** The time a record tells: its process's exec, or for an exit, its end. */
    private static final java.util.Comparator<ProcessEvent> IN_TIME_ORDER = java.util.Comparator.comparingLong(
            e -> e.kind() == ProcessEvent.Kind.EXIT ? e.exitTimeNanos() : e.execTimeNanos());

    /** Rounds the reader has made (each a wake-up); for tests of its sleep. */
    long readerRounds() {
        return rounds;
    }

    /** Whether the reader sleeps while the rings stay empty (the kernel has the bell); for tests. */
    boolean dozesWhenIdle() {
        return asleep != null;
    }

    /** Whether this kernel's verifier takes an atomic exchange (Linux 5.12 and later): the bell needs it. */
    private static boolean kernelExchanges() {
        try {
            BpfProgram.loadTracepoint("procmon_probe", ProcessPrograms.exchangeProbe().assemble(Map.of()), ProcessPrograms.LICENSE)
                    .close();
            return true;
        } catch (BpfException e) {
            LOG.debug("no atomic exchange in BPF here, the reader polls every delay even when idle: {}", e.getMessage());
            return false;
        }
    }

    /** The file descriptors of the maps made so far, by the names the programs use. */
    private static Map<String, Integer> fds(Map<KernelMap, BpfMap> maps) {
        Map<String, Integer> fds = new java.util.HashMap<>();
        maps.forEach((map, made) -> fds.put(map.symbol(), made.fd()));
        return fds;
    }

    /** Reads the rings once more, then lets parked exits go, with their arguments or saying they have none. */
    private void releaseParkedExits() {
        if (args != null && args.hasParked()) {
            consume();
            args.releaseParked(listener::onEvent);
        }
    }

    private void onPerfLost(int cpu, long count) {
        if (cpu >= 0 && cpu < perfLost.length) {
            perfLost[cpu] += count;
            reportBufferLoss(cpu, 0);
        }
    }

    /**
     * Both the perf lost callback and the in-kernel counter count the same failed writes: the
     * callback only arrives with the next successful sample on that CPU, the counter is exact but
     * polled. Report the larger of the two, once.
     */
    private void reportBufferLoss(int cpu, long kernelCount) {
        long known = Math.max(perfLost[cpu], kernelCount);
        if (known > bufferLossReported[cpu]) {
            long delta = known - bufferLossReported[cpu];
            bufferLossReported[cpu] = known;
            listener.onLost(new LostEvents(LostEvents.Origin.KERNEL_BUFFER, cpu, delta));
        }
    }

    // What readCounters reads into, made once: it runs every 200 ms for the monitor's whole life.
    private final byte[] counterKey = new byte[KernelMap.U32Key.SIZE];
    private byte[] counterValue; // a slot per possible CPU, made at start
    private static final Counter[] COUNTERS = Counter.values();

    private void readCounters() {
        long bufferLost = 0;
        long startFailures = 0;
        long withoutStart = 0;
        ByteBuffer value = ByteBuffer.wrap(counterValue).order(ByteOrder.nativeOrder());
        for (Counter c : COUNTERS) {
            if (!counters.lookup(KernelMap.U32Key.pack(counterKey, c.ordinal()), counterValue)) {
                continue;
            }
            for (int cpu = 0; cpu < possibleCpus; cpu++) {
                long count = value.getLong(cpu * 8);
                switch (c) {
                    case OUTPUT_FAILED -> reportBufferLoss(cpu, count);
                    case START_INSERT_FAILED -> startFailures += count;
                    case EXIT_WITHOUT_START -> withoutStart += count;
                    default -> { }
                }
            }
        }
        for (int cpu = 0; cpu < possibleCpus; cpu++) {
            bufferLost += bufferLossReported[cpu];
        }
        if (args != null) {
            argsEvictedReported = announceGrowth(LostEvents.Origin.ARGUMENTS, args.evicted(), argsEvictedReported);
        }
        startFailuresReported = announceGrowth(LostEvents.Origin.KERNEL_START_RECORD, startFailures, startFailuresReported);
        stats = new BpfStats(eventsRead, bufferLost, startFailures, withoutStart, startedBeforeReported, forkedWithoutExec,
                startCapacity);
    }

    /** Announces what a cumulative kernel or reader count grew by since it was last announced; returns what is now announced. */
    private long announceGrowth(LostEvents.Origin origin, long count, long announced) {
        if (count > announced) {
            listener.onLost(new LostEvents(origin, LostEvents.NO_CPU, count - announced));
            return count;
        }
        return announced;
    }

    private int startCapacity() {
        if (options.maxProcesses() > 0) {
            return options.maxProcesses();
        }
        int pidMax = BpfOptions.MAX_PROCESSES_CAP;
        try {
            pidMax = ProcFiles.readInt(Path.of("/proc/sys/kernel/pid_max"));
        } catch (IOException e) {
            LOG.debug("cannot read pid_max, using {}", pidMax);
        }
        return Math.min(pidMax, BpfOptions.MAX_PROCESSES_CAP);
    }

    /** Reading what the kernel says about itself: its BTF, or a tracepoint's format in tracefs. */
    private interface KernelRead<T> {
        T read() throws IOException;
    }

    /** A read of tracefs that fails is tracefs's problem; one of BTF, or a type BTF lacks, is BTF's. */
    private static <T> T fromKernel(String what, BpfException.Reason ioReason, KernelRead<T> read) {
        try {
            return read.read();
        } catch (IOException e) {
            throw new BpfException(ioReason, "cannot read " + what + ": " + e.getMessage(), e);
        } catch (BtfException e) {
            throw new BpfException(BpfException.Reason.NO_BTF, "cannot use the kernel's BTF: " + e.getMessage(), e);
        }
    }

    /** The kernel's BTF, parsed in place from {@code mapped}, or read when that is null. */
    private static Btf kernelBtf(ReadOnlyMapping mapped) {
        return fromKernel("the kernel's BTF", BpfException.Reason.NO_BTF, mapped != null ? () -> Btf.of(mapped.buffer()) : Btf::kernel);
    }

    private static CgroupOffsets cgroupOffsets(Btf btf, Path tracefs, String v1Controller) {
        return fromKernel("the cgroup_mkdir tracepoint's format", BpfException.Reason.NO_TRACEFS, () ->
                CgroupOffsets.from(btf, TracepointFormat.read(tracefs, "cgroup", "cgroup_mkdir"), v1Controller));
    }

    private static KernelOffsets kernelOffsets(Btf btf, Path tracefs) {
        return fromKernel("the sched tracepoints' formats", BpfException.Reason.NO_TRACEFS, () -> KernelOffsets.from(btf,
                TracepointFormat.read(tracefs, "sched", "sched_process_exit"), TracepointFormat.read(tracefs, "sched", "sched_process_exec")));
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.add(resource);
        return resource;
    }

    private void release() {
        synchronized (lifecycle) {
            startMap = null;
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("releasing {} failed: {}", resources.get(i), e.toString());
            }
        }
        resources.clear();
        links.clear();
    }
}
