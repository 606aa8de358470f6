package io.procmon.csv;

import io.procmon.core.ProcessEvent;
import java.util.Locale;
import java.util.function.Function;

/**
 * The columns a {@link CsvSink} can write. The header is the name in upper case; the first five
 * are the original format. An empty cell means "not applicable" (no signal, parent unchanged...).
 */
public enum Column {
    PID((e, out) -> out.append(e.pid())),
    PPID((e, out) -> out.append(e.ppid())),
    USER(e -> {
        String name = e.userName().orElse(null); // no capturing lambda: this runs for every row
        return name != null ? name : Integer.toUnsignedString(e.uid());
    }),
    COMMAND(ProcessEvent::command),
    /** Empty for a process that has not ended (an exec or running row). */
    DURATION_MS((e, out) -> {
        if (e.kind() == ProcessEvent.Kind.EXIT) {
            io.procmon.core.Formats.appendMillis(out, e.durationNanos());
        }
    }),
    UID((e, out) -> out.append(Integer.toUnsignedLong(e.uid()))),
    /** The status passed to exit(), empty when killed by a signal. */
    EXIT_CODE(e -> e.exitStatus().isPresent() ? Integer.toString(e.exitStatus().getAsInt()) : ""),
    /** The number of the signal that killed the process, empty when it exited. */
    SIGNAL(e -> e.signal().isPresent() ? Integer.toString(e.signal().getAsInt()) : ""),
    CORE_DUMPED((e, out) -> {
        if (e.kind() == ProcessEvent.Kind.EXIT) {
            out.append(e.coreDumped());
        }
    }),
    /** The parent at exit when it differs from PPID (reparented), else empty. */
    PARENT_AT_EXIT(e -> e.parentAtExit().isPresent() ? Integer.toString(e.parentAtExit().getAsInt()) : ""),
    /** The exec'd path (needs executable paths enabled in the source); a truncated one ends with "...". */
    EXE(e -> e.executable().map(p -> e.executableTruncated() ? p + "..." : p).orElse("")),
    /** true when the process was already running when monitoring began. */
    STARTED_BEFORE((e, out) -> out.append(e.startedBeforeMonitoring())),
    /** Wall-clock start, ISO 8601 in UTC with microseconds; empty when the source has no clock offset. */
    START_TIME(e -> e.startTime().map(io.procmon.core.Formats::isoMicros).orElse("")),
    /** Wall-clock end, ISO 8601 in UTC with microseconds. */
    END_TIME(e -> e.endTime().map(io.procmon.core.Formats::isoMicros).orElse("")),
    /** The host name. */
    HOST(e -> e.host().map(io.procmon.core.Host::name).orElse("")),
    /** The cgroup path (v2, or a v1 controller's where v2 says nothing); needs cgroups recorded. */
    CGROUP(e -> e.cgroupPath().orElse("")),
    /** The container id (64 hex) the cgroup names, empty outside containers. */
    CONTAINER_ID(e -> e.container().map(io.procmon.core.Container::id).orElse("")),
    /** docker, containerd, cri-o or podman. */
    CONTAINER_RUNTIME(e -> e.container().map(io.procmon.core.Container::runtime).orElse("")),
    /** The Kubernetes pod UID. */
    POD_UID(e -> e.container().map(io.procmon.core.Container::podUid).orElse("")),
    /**
     * The command line: the arguments joined by spaces, quoted for a POSIX shell where needed
     * ({@code shlex.split} gives them back); needs arguments recorded. See ARGS_STATUS.
     */
    ARGS(e -> e.arguments().map(io.procmon.core.Arguments::shellQuoted).orElse("")),
    /** {@code complete}, {@code truncated:<total bytes>} or {@code missing} (the record was lost); empty when not recorded. */
    ARGS_STATUS(e -> e.argumentsMissing() ? "missing"
            : e.arguments().map(a -> a.truncated() ? "truncated:" + a.totalBytes() : "complete").orElse("")),
    /** The process's identity across pid reuse, hosts and boots (32 hex digits, see {@link io.procmon.core.EntityIds}). */
    ENTITY_ID(e -> e.entityId().orElse("")),
    /** The parent's ENTITY_ID; empty when unknown (a process older than the monitor). */
    PARENT_ENTITY_ID(e -> e.parentEntityId().orElse("")),
    /**
     * The parent's command, from the parent's own latest record joined by PARENT_ENTITY_ID (never by
     * PPID); empty when its records were not seen. Filled by a join: {@code procmon collect}.
     */
    PARENT_COMMAND(e -> e.parent().map(io.procmon.core.ParentProcess::command).orElse("")),
    /** The parent's executable path, joined as PARENT_COMMAND; empty when unknown. */
    PARENT_EXE(e -> e.parent().flatMap(io.procmon.core.ParentProcess::executablePath).orElse("")),
    /** The audit login uid (the user who logged in, kept through su and sudo); empty when unset. */
    LOGIN_UID(e -> unsigned(e.loginUid())),
    /** The audit session id; empty when unset. */
    SESSION_ID(e -> unsigned(e.sessionId())),
    /** The effective uid at the process's first exec. */
    EUID(e -> unsigned(e.effectiveUid())),
    /** The controlling terminal ({@code pts/3}); empty when none. */
    TTY(e -> e.tty().orElse("")),
    /** {@code exit} (the process ended), {@code exec} (it exec'd) or {@code running} (it was running). */
    EVENT(e -> e.kind().label());

    /** Columns that need the source to record arguments. */
    public static final java.util.Set<Column> ARGS_COLUMNS = java.util.EnumSet.of(ARGS, ARGS_STATUS);

    /** Columns that need the source to record cgroups. */
    public static final java.util.Set<Column> CGROUP_COLUMNS = java.util.EnumSet.of(CGROUP, CONTAINER_ID, CONTAINER_RUNTIME, POD_UID);

    /** Columns that need the source to record who each process is (login, effective uid, terminal). */
    public static final java.util.Set<Column> WHO_COLUMNS = java.util.EnumSet.of(LOGIN_UID, SESSION_ID, EUID, TTY);

    /** Columns filled by joining records with their parents' by entity id ({@link io.procmon.core.ProcessTable}). */
    public static final java.util.Set<Column> JOINED_COLUMNS = java.util.EnumSet.of(PARENT_COMMAND, PARENT_EXE);

    /** The original five. */
    public static final java.util.List<Column> ORIGINAL = java.util.List.of(PID, PPID, USER, COMMAND, DURATION_MS);

    private static String unsigned(java.util.OptionalInt id) {
        return id.isPresent() ? Integer.toUnsignedString(id.getAsInt()) : "";
    }

    /** Appends a cell that never needs quoting (a number, true/false). */
    @FunctionalInterface
    private interface PlainCell {
        void appendTo(ProcessEvent event, StringBuilder out);
    }

    private final Function<ProcessEvent, String> value;
    private final PlainCell plain;

    Column(Function<ProcessEvent, String> value) {
        this.value = value;
        this.plain = null;
    }

    Column(PlainCell plain) {
        this.value = null;
        this.plain = plain;
    }

    /** This column's cell for {@code event}. */
    public String valueOf(ProcessEvent event) {
        if (plain != null) {
            StringBuilder cell = new StringBuilder(16);
            plain.appendTo(event, cell);
            return cell.toString();
        }
        return value.apply(event);
    }

    /** Whether {@link #appendPlain} writes this column's cells: they never need quoting. */
    boolean isPlain() {
        return plain != null;
    }

    /** Appends the cell straight to a row, with no string in between; only for {@link #isPlain} columns. */
    void appendPlain(ProcessEvent event, StringBuilder row) {
        plain.appendTo(event, row);
    }

    /** The header text. */
    public String header() {
        return name();
    }

    /** The column a header names, exactly as {@link #header()} writes it; empty for any other text. */
    public static java.util.Optional<Column> fromHeader(String header) {
        for (Column c : values()) {
            if (c.header().equals(header)) {
                return java.util.Optional.of(c);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Parses a comma-separated list of column names, any case ({@code pid,ppid,exit_code}).
     *
     * @throws IllegalArgumentException naming the unknown column and listing the known ones
     */
    public static java.util.List<Column> parseList(String list) {
        java.util.List<Column> columns = new java.util.ArrayList<>();
        for (String part : list.split(",", -1)) {
            String name = part.trim().toUpperCase(Locale.ROOT);
            try {
                Column c = valueOf(name);
                if (columns.contains(c)) {
                    throw new IllegalArgumentException("column listed twice: " + part.trim());
                }
                columns.add(c);
            } catch (IllegalArgumentException e) {
                if (e.getMessage().startsWith("column listed twice")) {
                    throw e;
                }
                throw new IllegalArgumentException("unknown column '" + part.trim() + "'; known: "
                        + java.util.Arrays.stream(values()).map(c -> c.name().toLowerCase(Locale.ROOT))
                                .collect(java.util.stream.Collectors.joining(",")));
            }
        }
        return java.util.List.copyOf(columns);
    }
}
