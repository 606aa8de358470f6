package io.procmon.core;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One process lifetime, from its exec to the exit of its last thread, as the kernel reported it.
 *
 * <p>Immutable. Timestamps are on the kernel's clock (the engine in procmon-bpf uses the boot-time
 * clock, which counts suspended time); {@link #startTime()} and {@link #endTime()} give wall-clock
 * instants when the source knows the offset between the two. Build instances with {@link #builder()}; derived copies with
 * {@link #toBuilder()}. Fields that a source does not report keep documented neutral values, so new
 * fields can be added without breaking callers.
 */
public final class ProcessEvent {
    /** Value of {@link #exitCode()} when the source did not report one. */
    public static final int EXIT_CODE_UNKNOWN = -1;
    /** Value of the clock offset when the source did not report one: no wall-clock times. */
    public static final long CLOCK_OFFSET_UNKNOWN = Long.MIN_VALUE;
    /** An id the source did not report, or the audit's "unset" ({@code (uid_t) -1}). */
    public static final int ID_UNKNOWN = -1;

    /** What the record says of the process. */
    public enum Kind {
        /** It ended: the whole life, exec to exit (the original row). */
        EXIT,
        /** It exec'd (started, or exec'd again): what is known then; no end, no exit status. */
        EXEC,
        /** It is running: seen in {@code /proc} when the monitor started, at an inventory, or at stop. */
        RUNNING;

        /** The name records use ({@code exit}, {@code exec}, {@code running}). */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The kind a {@link #label()} names, exactly as written; empty for any other text. */
        public static Optional<Kind> ofLabel(String label) {
            for (Kind k : values()) {
                if (k.label().equals(label)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    private final Kind kind;
    private final int pid;
    private final int ppid;
    private final int parentAtExit;
    private final int uid;
    private final byte[] commandBytes;
    private final String command;
    private final long execTimeNanos;
    private final long exitTimeNanos;
    private final int exitCode;
    private final String executable;
    private final boolean executableTruncated;
    private final boolean startedBeforeMonitoring;
    private final String userName;
    private final long clockOffsetNanos;
    private final Host host;
    private final long cgroupId;
    private final String cgroupPath;
    /**
     * {@link #container()}, once asked: derived from the cgroup path only for a sink that writes it
     * (a benign race: every thread derives the same, and an Optional is safely published).
     */
    private Optional<Container> container;
    private final Arguments arguments;
    private final boolean argumentsMissing;
    private final long taskStartNanos;
    private final long parentStartNanos;
    private final int loginUid;
    private final int sessionId;
    private final int effectiveUid;
    private final String tty;
    private final String bootId;
    /** {@link #entityId()} and {@link #parentEntityId()}: given, or derived once asked (a benign race, as for the container). */
    private String entityId;
    private String parentEntityId;
    private final ParentProcess parent;
    /** {@link #retainedBytes()}, once computed (a benign race: every thread computes the same). */
    private long retainedBytes;

    private ProcessEvent(Builder b) {
        if (b.commandBytes == null) {
            throw new IllegalArgumentException("command is required");
        }
        this.kind = b.kind;
        this.pid = b.pid;
        this.ppid = b.ppid;
        this.parentAtExit = b.parentAtExit;
        this.uid = b.uid;
        this.commandBytes = b.commandBytes;
        this.command = CommandNames.decode(b.commandBytes);
        this.execTimeNanos = b.execTimeNanos;
        this.exitTimeNanos = b.exitTimeNanos;
        this.exitCode = b.exitCode;
        this.executable = b.executable;
        this.executableTruncated = b.executableTruncated;
        this.startedBeforeMonitoring = b.startedBeforeMonitoring;
        this.userName = b.userName;
        this.clockOffsetNanos = b.clockOffsetNanos;
        this.host = b.host;
        this.cgroupId = b.cgroupId;
        this.cgroupPath = b.cgroupPath;
        this.arguments = b.arguments;
        this.argumentsMissing = b.argumentsMissing;
        this.taskStartNanos = b.taskStartNanos;
        this.parentStartNanos = b.parentStartNanos;
        this.loginUid = b.loginUid;
        this.sessionId = b.sessionId;
        this.effectiveUid = b.effectiveUid;
        this.tty = b.tty;
        this.bootId = b.bootId;
        this.entityId = b.entityId;
        this.parentEntityId = b.parentEntityId;
        this.parent = b.parent;
    }

    private ProcessEvent(ProcessEvent e, String userName, Host host) {
        this.kind = e.kind;
        this.pid = e.pid;
        this.ppid = e.ppid;
        this.parentAtExit = e.parentAtExit;
        this.uid = e.uid;
        this.commandBytes = e.commandBytes;
        this.command = e.command;
        this.execTimeNanos = e.execTimeNanos;
        this.exitTimeNanos = e.exitTimeNanos;
        this.exitCode = e.exitCode;
        this.executable = e.executable;
        this.executableTruncated = e.executableTruncated;
        this.startedBeforeMonitoring = e.startedBeforeMonitoring;
        this.userName = userName;
        this.clockOffsetNanos = e.clockOffsetNanos;
        this.host = host;
        this.cgroupId = e.cgroupId;
        this.cgroupPath = e.cgroupPath;
        this.container = e.container;
        this.arguments = e.arguments;
        this.argumentsMissing = e.argumentsMissing;
        this.taskStartNanos = e.taskStartNanos;
        this.parentStartNanos = e.parentStartNanos;
        this.loginUid = e.loginUid;
        this.sessionId = e.sessionId;
        this.effectiveUid = e.effectiveUid;
        this.tty = e.tty;
        this.bootId = e.bootId;
        this.entityId = e.entityId;
        this.parentEntityId = e.parentEntityId;
        this.parent = e.parent;
    }

    /** This event with its user name set; cheaper than a builder round trip (hot path). */
    public ProcessEvent withUserName(String name) {
        return new ProcessEvent(this, name, host);
    }

    /** This event with its user name and host set, as the monitor enriches it (hot path). */
    public ProcessEvent enriched(String name, Host onHost) {
        return new ProcessEvent(this, name, onHost);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.kind = kind;
        b.pid = pid;
        b.ppid = ppid;
        b.parentAtExit = parentAtExit;
        b.uid = uid;
        b.commandBytes = commandBytes;
        b.execTimeNanos = execTimeNanos;
        b.exitTimeNanos = exitTimeNanos;
        b.exitCode = exitCode;
        b.executable = executable;
        b.executableTruncated = executableTruncated;
        b.startedBeforeMonitoring = startedBeforeMonitoring;
        b.userName = userName;
        b.clockOffsetNanos = clockOffsetNanos;
        b.host = host;
        b.cgroupId = cgroupId;
        b.cgroupPath = cgroupPath;
        b.arguments = arguments;
        b.argumentsMissing = argumentsMissing;
        b.taskStartNanos = taskStartNanos;
        b.parentStartNanos = parentStartNanos;
        b.loginUid = loginUid;
        b.sessionId = sessionId;
        b.effectiveUid = effectiveUid;
        b.tty = tty;
        b.bootId = bootId;
        b.entityId = entityId;
        b.parentEntityId = parentEntityId;
        b.parent = parent;
        return b;
    }

    /** Whether this is a process's end (the default), an exec, or a running process. */
    public Kind kind() {
        return kind;
    }

    /** Process id (the kernel's tgid). */
    public int pid() {
        return pid;
    }

    /** Parent's process id as it was when the process exec'd (its real parent's tgid). */
    public int ppid() {
        return ppid;
    }

    /**
     * The parent at exit, when it differs from {@link #ppid()} (the process was reparented to init
     * or a subreaper); empty when unchanged or unknown.
     */
    public OptionalInt parentAtExit() {
        return parentAtExit > 0 && parentAtExit != ppid ? OptionalInt.of(parentAtExit) : OptionalInt.empty();
    }

    /** Real user id of the process at exit. */
    public int uid() {
        return uid;
    }

    /**
     * The process name (the kernel's {@code comm}, at most 15 bytes) as text: valid UTF-8 is kept,
     * every other byte is written {@code \xNN} and a backslash {@code \\}, so the text maps back to
     * the exact bytes (see {@link CommandNames}).
     */
    public String command() {
        return command;
    }

    /** The exact bytes of the kernel's {@code comm}, without the terminating NUL. */
    /**
     * About how many bytes of heap this event holds: what bounds queues in bytes, so that events
     * with long command lines (any user chooses theirs) cannot fill the heap. Computed once.
     */
    public long retainedBytes() {
        long bytes = retainedBytes;
        if (bytes == 0) {
            bytes = 200 + commandBytes.length
                    + 2L * (command.length() + length(executable) + length(userName) + length(cgroupPath) + length(tty)
                    + (parent == null ? 0 : length(parent.command()) + length(parent.executable())))
                    + (parent == null ? 0 : 96);
            if (arguments != null) {
                for (String v : arguments.values()) {
                    bytes += 56 + 2L * v.length();
                }
            }
            retainedBytes = bytes;
        }
        return bytes;
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    public byte[] commandBytes() {
        return commandBytes.clone();
    }

    /** Kernel time of the exec (or of the process's start, see {@link #startedBeforeMonitoring()}), in nanoseconds. */
    public long execTimeNanos() {
        return execTimeNanos;
    }

    /** Kernel time of the exit of the last thread, in nanoseconds. */
    public long exitTimeNanos() {
        return exitTimeNanos;
    }

    /** Wall-clock time of the start, when the source reported the clock offset. */
    public Optional<java.time.Instant> startTime() {
        return clockOffsetNanos == CLOCK_OFFSET_UNKNOWN ? Optional.empty()
                : Optional.of(WallClock.ofEpochNanos(execTimeNanos + clockOffsetNanos));
    }

    /** Wall-clock time of the end, when the source reported the clock offset; empty before the end. */
    public Optional<java.time.Instant> endTime() {
        return clockOffsetNanos == CLOCK_OFFSET_UNKNOWN || kind != Kind.EXIT ? Optional.empty()
                : Optional.of(WallClock.ofEpochNanos(exitTimeNanos + clockOffsetNanos));
    }

    /** The wall clock minus the kernel clock when the event was read, or {@link #CLOCK_OFFSET_UNKNOWN}. */
    public long clockOffsetNanos() {
        return clockOffsetNanos;
    }

    /** The host the process ran on, once the monitor (or a collector) set it. */
    public Optional<Host> host() {
        return Optional.ofNullable(host);
    }

    /**
     * The id of the process's cgroup at exit (the cgroup directory's inode number): the v2 cgroup,
     * or on hybrid hosts where v2 says nothing (the root) the v1 memory controller's; 0 when the
     * source did not record cgroups.
     */
    public long cgroupId() {
        return cgroupId;
    }

    /** The path of {@link #cgroupId()} under its hierarchy's root ({@code /system.slice/x.service}). */
    public Optional<String> cgroupPath() {
        return Optional.ofNullable(cgroupPath);
    }

    /** The container (or Kubernetes pod) the cgroup path names, if any (see {@link Container}). */
    public Optional<Container> container() {
        Optional<Container> known = container;
        if (known == null) {
            known = cgroupPath == null ? Optional.empty() : Container.fromCgroupPath(cgroupPath);
            container = known;
        }
        return known;
    }

    /** The command line, when the source recorded arguments and they reached it. */
    public Optional<Arguments> arguments() {
        return Optional.ofNullable(arguments);
    }

    /** True when arguments were being recorded but this process's were lost (never silently empty). */
    public boolean argumentsMissing() {
        return argumentsMissing;
    }

    /** Lifetime in nanoseconds, never negative; 0 for a process that has not ended ({@link #kind()} not EXIT). */
    public long durationNanos() {
        return kind == Kind.EXIT ? Math.max(0, exitTimeNanos - execTimeNanos) : 0;
    }

    public Duration duration() {
        return Duration.ofNanos(durationNanos());
    }

    /**
     * The raw wait status the kernel keeps in {@code task->exit_code}, or {@link #EXIT_CODE_UNKNOWN}.
     * Decoded by {@link #exitStatus()}, {@link #signal()} and {@link #coreDumped()}.
     */
    public int exitCode() {
        return exitCode;
    }

    /** The status passed to {@code exit()}, when the process was not killed by a signal. */
    public OptionalInt exitStatus() {
        return exitCode >= 0 && (exitCode & 0x7f) == 0 ? OptionalInt.of((exitCode >> 8) & 0xff) : OptionalInt.empty();
    }

    /** The signal that killed the process, if one did. */
    public OptionalInt signal() {
        return exitCode >= 0 && (exitCode & 0x7f) != 0 ? OptionalInt.of(exitCode & 0x7f) : OptionalInt.empty();
    }

    /** Whether the process dumped core. */
    public boolean coreDumped() {
        return exitCode >= 0 && (exitCode & 0x80) != 0;
    }

    /** Path of the executable given to exec, when the source reports it. */
    public Optional<String> executable() {
        return Optional.ofNullable(executable);
    }

    /** Whether {@link #executable()} was cut at the kernel's bound (255 bytes): the path is longer. */
    public boolean executableTruncated() {
        return executableTruncated;
    }

    /**
     * True when the process started before monitoring began: its exec was not seen, and the
     * duration is measured from the task's own start time.
     */
    public boolean startedBeforeMonitoring() {
        return startedBeforeMonitoring;
    }

    /** Kernel time (boot-time clock, ns) of the process's start (its fork), when the source reports it; 0 otherwise. */
    public long taskStartNanos() {
        return taskStartNanos;
    }

    /** Kernel time of the start of the parent of {@link #ppid()}, when the source reports it; 0 otherwise. */
    public long parentStartNanos() {
        return parentStartNanos;
    }

    /**
     * The audit login uid (the user who logged in to the session this process descends from, kept
     * through {@code su} and {@code sudo}); empty when unset (daemons, early boot) or not recorded.
     */
    public OptionalInt loginUid() {
        return known(loginUid);
    }

    /** The audit session id; empty when unset or not recorded. */
    public OptionalInt sessionId() {
        return known(sessionId);
    }

    /** The effective user id at the process's first exec (a set-user-ID program's owner); empty when not recorded. */
    public OptionalInt effectiveUid() {
        return known(effectiveUid);
    }

    private static OptionalInt known(int id) {
        return id == ID_UNKNOWN ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The controlling terminal as {@code /dev} names it ({@code pts/3}, {@code tty1}); empty when none or not recorded. */
    public Optional<String> tty() {
        return Optional.ofNullable(tty);
    }

    /**
     * This process's identity, stable for its life and distinct across pid reuse, hosts and boots
     * (see {@link EntityIds}); empty when the source knows neither its boot nor its start.
     */
    public Optional<String> entityId() {
        String id = entityId;
        if (id == null) {
            id = EntityIds.of(bootId, pid, taskStartNanos);
            entityId = id;
        }
        return Optional.ofNullable(id);
    }

    /** The {@link #entityId()} of the parent of {@link #ppid()}; empty when unknown. */
    public Optional<String> parentEntityId() {
        String id = parentEntityId;
        if (id == null) {
            id = EntityIds.of(bootId, ppid, parentStartNanos);
            parentEntityId = id;
        }
        return Optional.ofNullable(id);
    }

    /**
     * The parent as its own records said, joined by {@link #parentEntityId()} ({@link ProcessTable});
     * empty when no one joined it, or the parent's records were not seen.
     */
    public Optional<ParentProcess> parent() {
        return Optional.ofNullable(parent);
    }

    /** The user name of {@link #uid()} once the monitor resolved it. */
    public Optional<String> userName() {
        return Optional.ofNullable(userName);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ProcessEvent)) {
            return false;
        }
        ProcessEvent e = (ProcessEvent) o;
        return kind == e.kind && pid == e.pid && ppid == e.ppid && parentAtExit == e.parentAtExit && uid == e.uid
                && execTimeNanos == e.execTimeNanos && exitTimeNanos == e.exitTimeNanos
                && exitCode == e.exitCode && startedBeforeMonitoring == e.startedBeforeMonitoring
                && executableTruncated == e.executableTruncated
                && Arrays.equals(commandBytes, e.commandBytes) && Objects.equals(executable, e.executable)
                && Objects.equals(userName, e.userName) && clockOffsetNanos == e.clockOffsetNanos
                && Objects.equals(host, e.host) && cgroupId == e.cgroupId && Objects.equals(cgroupPath, e.cgroupPath)
                && Objects.equals(arguments, e.arguments)
                && argumentsMissing == e.argumentsMissing
                && taskStartNanos == e.taskStartNanos && parentStartNanos == e.parentStartNanos && loginUid == e.loginUid
                && sessionId == e.sessionId && effectiveUid == e.effectiveUid && Objects.equals(tty, e.tty)
                && Objects.equals(entityId().orElse(null), e.entityId().orElse(null))
                && Objects.equals(parentEntityId().orElse(null), e.parentEntityId().orElse(null))
                && Objects.equals(parent, e.parent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pid, ppid, uid, execTimeNanos, exitTimeNanos, Arrays.hashCode(commandBytes));
    }

    @Override
    public String toString() {
        return "ProcessEvent{" + kind.label() + ", pid=" + pid + ", ppid=" + ppid + ", uid=" + uid + ", command=" + command
                + ", durationNanos=" + durationNanos() + ", exitCode=" + exitCode + '}';
    }

    /** Builds {@link ProcessEvent}s. Only the command is required. */
    public static final class Builder {
        private Kind kind = Kind.EXIT;
        private int pid;
        private int ppid;
        private int parentAtExit;
        private int uid;
        private byte[] commandBytes;
        private long execTimeNanos;
        private long exitTimeNanos;
        private int exitCode = EXIT_CODE_UNKNOWN;
        private String executable;
        private boolean executableTruncated;
        private boolean startedBeforeMonitoring;
        private String userName;
        private long clockOffsetNanos = CLOCK_OFFSET_UNKNOWN;
        private Host host;
        private long cgroupId;
        private String cgroupPath;
        private Arguments arguments;
        private boolean argumentsMissing;
        private long taskStartNanos;
        private long parentStartNanos;
        private int loginUid = ID_UNKNOWN;
        private int sessionId = ID_UNKNOWN;
        private int effectiveUid = ID_UNKNOWN;
        private String tty;
        private String bootId;
        private String entityId;
        private String parentEntityId;
        private ParentProcess parent;

        private Builder() {
        }

        /** Kernel times of the process's start and of its parent's (0 when unknown): with the boot id, its entity ids. */
        public Builder starts(long taskStart, long parentStart) {
            this.taskStartNanos = taskStart;
            this.parentStartNanos = parentStart;
            return this;
        }

        /** The boot the kernel times belong to ({@code /proc/sys/kernel/random/boot_id}), for the entity ids. */
        public Builder bootId(String bootId) {
            this.bootId = bootId;
            return this;
        }

        /** Entity ids as recorded elsewhere (a record read back); null leaves one to be derived. */
        public Builder entityIds(String self, String parent) {
            this.entityId = self;
            this.parentEntityId = parent;
            return this;
        }

        /** The parent as its own records said (joined by entity id); null for unknown. */
        public Builder parent(ParentProcess parent) {
            this.parent = parent;
            return this;
        }

        /** The audit login uid and session id; {@link ProcessEvent#ID_UNKNOWN} when unset or unknown. */
        public Builder login(int loginUid, int sessionId) {
            this.loginUid = loginUid;
            this.sessionId = sessionId;
            return this;
        }

        /** The effective uid at exec; {@link ProcessEvent#ID_UNKNOWN} when unknown. */
        public Builder effectiveUid(int euid) {
            this.effectiveUid = euid;
            return this;
        }

        /** The controlling terminal's name ({@code pts/3}); null for none. */
        public Builder tty(String name) {
            this.tty = name;
            return this;
        }

        /** What the record says (default {@link Kind#EXIT}). */
        public Builder kind(Kind kind) {
            this.kind = java.util.Objects.requireNonNull(kind);
            return this;
        }

        public Builder pid(int pid) {
            this.pid = pid;
            return this;
        }

        public Builder ppid(int ppid) {
            this.ppid = ppid;
            return this;
        }

        /** The parent's tgid read at exit; 0 when unknown. */
        public Builder parentAtExit(int parentAtExit) {
            this.parentAtExit = parentAtExit;
            return this;
        }

        public Builder uid(int uid) {
            this.uid = uid;
            return this;
        }

        /** The raw comm bytes; copied, and cut at the first NUL if there is one. */
        public Builder commandBytes(byte[] bytes) {
            int end = 0;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            this.commandBytes = Arrays.copyOf(bytes, end);
            return this;
        }

        /** The command as text, stored as its UTF-8 bytes. */
        public Builder command(String command) {
            return commandBytes(command.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        public Builder execTimeNanos(long nanos) {
            this.execTimeNanos = nanos;
            return this;
        }

        public Builder exitTimeNanos(long nanos) {
            this.exitTimeNanos = nanos;
            return this;
        }

        public Builder exitCode(int exitCode) {
            this.exitCode = exitCode;
            return this;
        }

        public Builder executable(String executable) {
            this.executable = executable;
            return this;
        }

        public Builder executableTruncated(boolean value) {
            this.executableTruncated = value;
            return this;
        }

        public Builder startedBeforeMonitoring(boolean value) {
            this.startedBeforeMonitoring = value;
            return this;
        }

        public Builder userName(String userName) {
            this.userName = userName;
            return this;
        }

        /** Wall clock minus the kernel clock of the timestamps, in nanoseconds. */
        public Builder clockOffsetNanos(long offset) {
            this.clockOffsetNanos = offset;
            return this;
        }

        /** The cgroup: its id and its path (null when unknown); the container it names is derived when asked. */
        public Builder cgroup(long id, String path) {
            this.cgroupId = id;
            this.cgroupPath = path;
            return this;
        }

        public Builder arguments(Arguments arguments) {
            this.arguments = arguments;
            this.argumentsMissing = false;
            return this;
        }

        /** Arguments were recorded, but this process's were lost. */
        public Builder argumentsMissing() {
            this.arguments = null;
            this.argumentsMissing = true;
            return this;
        }

        public Builder host(Host host) {
            this.host = host;
            return this;
        }

        public ProcessEvent build() {
            return new ProcessEvent(this);
        }
    }
}
