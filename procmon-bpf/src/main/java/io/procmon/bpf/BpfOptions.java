package io.procmon.bpf;

import io.procmon.bpf.prog.ProgramOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Settings of a {@link BpfEventSource}; {@link #defaults()} suits most hosts. Immutable; make
 * variants with {@link #toBuilder()}.
 */
public final class BpfOptions {
    /** Perf ring pages per CPU without executable paths: 512 KiB, about 6,000 exit records of 72 bytes (88 with perf's header). */
    public static final int DEFAULT_PAGES_PER_CPU = 128;
    /** Perf ring pages per CPU with executable paths: the record grows from 72 to 336 bytes. */
    public static final int DEFAULT_PAGES_PER_CPU_WITH_EXE = 512;
    /**
     * Samples per CPU between wake-ups of the reader (what sits below is read every {@link #DEFAULT_MAX_DELAY}).
     * 128 rather than 32 took a quarter off the monitor's steady CPU per process (BENCHMARKS.md); a
     * ring holds thousands of records, so the reader still starts long before one fills.
     */
    public static final int DEFAULT_WAKEUP_EVENTS = 128;
    /**
     * Longest a record waits in its ring while records flow (a quiet host's reader is woken at once).
     * 100 ms rather than 20: a wake-up of the reader and of the dispatcher costs far more than the
     * records it brings, and a row is written as soon as its batch is read, so the README's "within
     * about 100 ms" holds as before (BENCHMARKS.md has the figures).
     */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(100);
    static final int MAX_PROCESSES_CAP = 131_072;
    /** The most argument bytes recorded per exec. */
    public static final int ARGS_MAX_LIMIT = io.procmon.bpf.prog.EventLayout.ARGS_MAX_LIMIT;

    private final int pagesPerCpu;
    private final int wakeupEvents;
    private final Duration maxDelay;
    private final int maxProcesses;
    private final boolean reportStartedBefore;
    private final boolean executablePaths;
    private final OptionalInt uid;
    private final OptionalInt loginUid;
    private final boolean execRecords;
    private final boolean who;
    private final boolean runningRecords;
    private final Duration inventoryInterval;
    private final Duration minDuration;
    private final boolean failedOnly;
    private final boolean cgroups;
    private final int argsMax;

    private BpfOptions(Builder b) {
        if (b.pagesPerCpu != 0) {
            checkPagesPerCpu("pages per CPU", b.pagesPerCpu);
        }
        if (b.wakeupEvents < 1) {
            throw new IllegalArgumentException("wakeup events must be at least 1, got " + b.wakeupEvents);
        }
        if (b.maxDelay.isNegative() || b.maxDelay.isZero() || b.maxDelay.toMillis() > 10_000) {
            throw new IllegalArgumentException("max delay must be between 1 ms and 10 s, got " + b.maxDelay);
        }
        if (b.maxProcesses < 0) {
            throw new IllegalArgumentException("max processes must not be negative, got " + b.maxProcesses);
        }
        if (b.minDuration.isNegative()) {
            throw new IllegalArgumentException("minimum duration must not be negative, got " + b.minDuration);
        }
        if (b.inventoryInterval.isNegative() || !b.inventoryInterval.isZero() && b.inventoryInterval.toMillis() < 1000) {
            throw new IllegalArgumentException("the inventory interval must be at least 1 s, got " + b.inventoryInterval);
        }
        if ((b.execRecords || b.runningRecords || !b.inventoryInterval.isZero()) && (b.failedOnly || !b.minDuration.isZero())) {
            throw new IllegalArgumentException("exec and running records cannot be filtered by failure or duration: both are known "
                    + "only at exit");
        }
        this.pagesPerCpu = b.pagesPerCpu;
        this.wakeupEvents = b.wakeupEvents;
        this.maxDelay = b.maxDelay;
        this.maxProcesses = b.maxProcesses;
        this.reportStartedBefore = b.reportStartedBefore;
        this.executablePaths = b.executablePaths;
        this.uid = b.uid;
        this.loginUid = b.loginUid;
        this.execRecords = b.execRecords;
        this.who = b.who || b.loginUid.isPresent();
        this.runningRecords = b.runningRecords || !b.inventoryInterval.isZero();
        this.inventoryInterval = b.inventoryInterval;
        this.minDuration = b.minDuration;
        this.failedOnly = b.failedOnly;
        this.cgroups = b.cgroups;
        this.argsMax = b.argsMax;
    }

    /**
     * The rule for a ring size, stated once for the library and the CLI alike: a power of two.
     *
     * @param subject what the value is called where it came from ("--pages")
     * @throws IllegalArgumentException "SUBJECT must be a power of two, got N"
     */
    public static void checkPagesPerCpu(String subject, int pages) {
        if (pages < 1 || Integer.bitCount(pages) != 1) {
            throw new IllegalArgumentException(subject + " must be a power of two, got " + pages);
        }
    }

    /**
     * The rule for argument bytes recorded per exec, stated once: 1 to {@value #ARGS_MAX_LIMIT}
     * (a perf record must stay under 64 KiB).
     *
     * @throws IllegalArgumentException "SUBJECT must be between 1 and 32768 bytes, got N"
     */
    public static void checkArgsMax(String subject, int bytes) {
        if (bytes < 1 || bytes > ARGS_MAX_LIMIT) {
            throw new IllegalArgumentException(subject + " must be between 1 and " + ARGS_MAX_LIMIT + " bytes, got " + bytes);
        }
    }

    public static BpfOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.pagesPerCpu = pagesPerCpu;
        b.wakeupEvents = wakeupEvents;
        b.maxDelay = maxDelay;
        b.maxProcesses = maxProcesses;
        b.reportStartedBefore = reportStartedBefore;
        b.executablePaths = executablePaths;
        b.uid = uid;
        b.loginUid = loginUid;
        b.execRecords = execRecords;
        b.who = who;
        b.runningRecords = runningRecords;
        b.inventoryInterval = inventoryInterval;
        b.minDuration = minDuration;
        b.failedOnly = failedOnly;
        b.cgroups = cgroups;
        b.argsMax = argsMax;
        return b;
    }

    /** Perf ring size per CPU in 4 KiB pages, defaults applied. */
    public int pagesPerCpu() {
        if (pagesPerCpu != 0) {
            return pagesPerCpu;
        }
        // Records with the who fields are a third larger: twice the pages keep an exit burst whole.
        int pages = executablePaths ? DEFAULT_PAGES_PER_CPU_WITH_EXE : who ? 2 * DEFAULT_PAGES_PER_CPU : DEFAULT_PAGES_PER_CPU;
        int recordsPerProcess = 1 + (argsMax > 0 ? 1 : 0) + (execRecords ? 1 : 0); // arguments and exec records besides the exit
        return recordsPerProcess == 1 ? pages : recordsPerProcess == 2 ? 2 * pages : 4 * pages;
    }

    public int wakeupEvents() {
        return wakeupEvents;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    /** Start map capacity; 0 = the host's pid_max, capped at 131,072. */
    public int maxProcesses() {
        return maxProcesses;
    }

    public boolean reportStartedBefore() {
        return reportStartedBefore;
    }

    public boolean executablePaths() {
        return executablePaths;
    }

    public boolean cgroups() {
        return cgroups;
    }

    /** Argument bytes recorded per exec; 0 when arguments are not recorded. */
    public int argsMax() {
        return argsMax;
    }

    /** The real uid the kernel filters on, or empty for every user. */
    public OptionalInt uid() {
        return uid;
    }

    /** Whether records carry the login uid and session, the effective uid and the terminal. */
    public boolean who() {
        return who;
    }

    /** Whether each exec is recorded too ({@link io.procmon.core.ProcessEvent.Kind#EXEC}), not only each exit. */
    public boolean execRecords() {
        return execRecords;
    }

    /**
     * Whether a running record ({@link io.procmon.core.ProcessEvent.Kind#RUNNING}) is given for
     * each process running as recording starts and as it stops (and at each inventory interval).
     */
    public boolean runningRecords() {
        return runningRecords;
    }

    /** How often every running process is recorded again; zero for only at start and stop. */
    public Duration inventoryInterval() {
        return inventoryInterval;
    }

    /** The audit login uid the kernel filters on, or empty for every login. */
    public OptionalInt loginUid() {
        return loginUid;
    }

    /** Shortest life reported; the kernel drops shorter ones. */
    public Duration minDuration() {
        return minDuration;
    }

    /** Whether only failed processes are reported. */
    public boolean failedOnly() {
        return failedOnly;
    }

    /** What the kernel programs are built to do. */
    ProgramOptions programOptions() {
        return new ProgramOptions(reportStartedBefore, executablePaths, uid, minDuration.toNanos(), failedOnly, cgroups, argsMax,
                loginUid, execRecords, who);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BpfOptions other && programOptions().equals(other.programOptions())
                && pagesPerCpu() == other.pagesPerCpu() && wakeupEvents == other.wakeupEvents
                && maxDelay.equals(other.maxDelay) && maxProcesses == other.maxProcesses
                && runningRecords == other.runningRecords && inventoryInterval.equals(other.inventoryInterval);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(programOptions(), pagesPerCpu(), wakeupEvents, maxDelay, maxProcesses, runningRecords,
                inventoryInterval);
    }

    @Override
    public String toString() {
        return "BpfOptions" + programOptions() + "[pages=" + pagesPerCpu() + ", wakeup=" + wakeupEvents + ", maxDelay=" + maxDelay
                + ", maxProcesses=" + maxProcesses + ", running=" + runningRecords + ", inventoryInterval=" + inventoryInterval + "]";
    }

    /** Builds {@link BpfOptions}. */
    public static final class Builder {
        private int pagesPerCpu;
        private int wakeupEvents = DEFAULT_WAKEUP_EVENTS;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private int maxProcesses;
        private boolean reportStartedBefore = true;
        private boolean executablePaths;
        private OptionalInt uid = OptionalInt.empty();
        private OptionalInt loginUid = OptionalInt.empty();
        private boolean execRecords;
        private boolean who;
        private boolean runningRecords;
        private Duration inventoryInterval = Duration.ZERO;
        private Duration minDuration = Duration.ZERO;
        private boolean failedOnly;
        private boolean cgroups;
        private int argsMax;

        private Builder() {
        }

        /**
         * Perf ring size per CPU in 4 KiB pages, a power of two; 0 (default) = 128, or 512 with
         * executable paths. 128 was measured to lose nothing when 8,000 processes die at once,
         * where BCC's 8 lose thousands.
         */
        public Builder pagesPerCpu(int pages) {
            this.pagesPerCpu = pages;
            return this;
        }

        /**
         * Wake the reader every this many events (default {@value BpfOptions#DEFAULT_WAKEUP_EVENTS}); the rest are read every
         * {@link #maxDelay}. Batching cuts the kernel and reader cost per event several-fold.
         */
        public Builder wakeupEvents(int events) {
            this.wakeupEvents = events;
            return this;
        }

        /** Longest an event waits in the ring before it is read (default 100 ms). */
        public Builder maxDelay(Duration delay) {
            this.maxDelay = Objects.requireNonNull(delay);
            return this;
        }

        /** Capacity of the start map (live monitored processes); 0 (default) = pid_max, at most 131,072. */
        public Builder maxProcesses(int max) {
            this.maxProcesses = max;
            return this;
        }

        /**
         * Report processes that were already running when monitoring began (default true), flagged
         * {@code startedBeforeMonitoring}, their duration measured from the task's start. False
         * restores the original tool's behaviour of dropping them.
         */
        public Builder reportStartedBefore(boolean report) {
            this.reportStartedBefore = report;
            return this;
        }

        /** Carry the exec'd path, up to 255 bytes, into each event (default false). */
        public Builder executablePaths(boolean paths) {
            this.executablePaths = paths;
            return this;
        }

        /** Report only processes of this real uid, filtered in the kernel. */
        public Builder uid(int uid) {
            this.uid = OptionalInt.of(uid);
            return this;
        }

        /**
         * Report only processes of this audit login uid (whoever logged in, through {@code su} and
         * {@code sudo}), filtered in the kernel; processes older than the monitor are read at exit.
         */
        public Builder loginUid(int loginUid) {
            this.loginUid = OptionalInt.of(loginUid);
            return this;
        }

        /**
         * Carry who each process is (default false; implied by {@link #loginUid}): the audit login
         * uid and session, the effective uid and the controlling terminal, read at exec. The entity
         * ids are always there.
         */
        public Builder who(boolean who) {
            this.who = who;
            return this;
        }

        /**
         * Record each exec too (default false): an event of kind {@code EXEC} as the process starts
         * (and at each later exec), within the same delay as exits; not with the exit-only filters
         * ({@link #failedOnly}, {@link #minDuration}).
         */
        public Builder execRecords(boolean exec) {
            this.execRecords = exec;
            return this;
        }

        /**
         * Record each process running as recording starts and as it stops (default false), read
         * from {@code /proc}: a recording then holds every process of its span, ended or not.
         */
        public Builder runningRecords(boolean running) {
            this.runningRecords = running;
            return this;
        }

        /** Also record every running process this often (at least 1 s; zero, the default, for never); implies running records. */
        public Builder inventoryInterval(Duration interval) {
            this.inventoryInterval = Objects.requireNonNull(interval);
            return this;
        }

        /** Report only processes that lived at least this long, filtered in the kernel. */
        public Builder minDuration(Duration min) {
            this.minDuration = Objects.requireNonNull(min);
            return this;
        }

        /** Report only processes that failed (non-zero status or a signal), filtered in the kernel. */
        public Builder failedOnly(boolean failed) {
            this.failedOnly = failed;
            return this;
        }

        /**
         * Record each process's cgroup (the v2 id, and the v1 memory controller's where v2 says
         * nothing, as on hybrid hosts) and resolve it to a path and a container (default false).
         */
        public Builder cgroups(boolean cgroups) {
            this.cgroups = cgroups;
            return this;
        }

        /**
         * Record each process's arguments, up to {@code maxBytes} bytes (at most 32 KiB; the
         * command line's total length is kept when it is cut); 0 turns them off (default).
         */
        public Builder args(int maxBytes) {
            if (maxBytes != 0) {
                checkArgsMax("argument bytes", maxBytes);
            }
            this.argsMax = maxBytes;
            return this;
        }

        public BpfOptions build() {
            return new BpfOptions(this);
        }
    }
}
